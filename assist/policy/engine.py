"""Empowerment: which policy rules a call brings in, and what they decide for this agent and this customer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from assist.call import Call, FactValue
from assist.errors import PolicyError, Problem
from assist.knowledge.articles import Article, outside_tree
from assist.policy.conditions import ATTRIBUTE_PREFIX, Lookup, Verdict, combine, evaluate
from assist.policy.consistency import article_problems, rule_problems
from assist.policy.cues import CueClock
from assist.policy.explanations import render
from assist.policy.moments import MomentBook, Sighting, find_moments, load_moments
from assist.policy.rules import Limit, Rule, RuleFile, parse_rule_file
from assist.policy.scope import Known
from assist.policy.vocabulary import Vocabulary, coerce, load_vocabulary

__all__ = ["Decision", "Limit", "PolicySet", "check_policies", "decide", "load_policies", "policy_paths"]

VOCABULARY_FILE = "vocabulary.yaml"
MOMENTS_FILE = "moments.yaml"
_SPECIAL = (VOCABULARY_FILE, MOMENTS_FILE)


@dataclass(frozen=True)
class Decision:
    """What the agent may do about one policy action, and the rule that says so."""

    action: str
    label: str
    decision: str
    limit: Limit | None
    needs: tuple[str, ...]
    rule: str
    explanation: str
    source_article: str | None


@dataclass(frozen=True)
class PolicySet:
    """The vocabulary, rules and moments of a knowledge base, with the article tags rules may select by."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    files: tuple[RuleFile, ...] = ()
    moments: MomentBook = field(default_factory=MomentBook)
    article_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule, file by file in file order."""
        return tuple(rule for f in self.files for rule in f.rules)

    def rule(self, rule_id: str) -> Rule | None:
        """The rule with this id, if any."""
        return next((r for r in self.rules if r.id == rule_id), None)


def load_policies(directory: Path, articles: Mapping[str, Article]) -> PolicySet:
    """Load a policy directory; raise PolicyError listing every error (warnings do not stop loading)."""
    policies, problems = _read(directory, articles)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise PolicyError(errors)
    return policies


def check_policies(directory: Path, articles: Mapping[str, Article]) -> list[Problem]:
    """Every problem of a policy directory, including warnings where an article contradicts its policy."""
    policies, problems = _read(directory, articles)
    if not policies.files and not problems:
        return []
    return problems + article_problems(policies.files, articles, policies.vocabulary)


def policy_paths(directory: Path) -> tuple[list[Path], list[Problem]]:
    """The policy files in `directory` by name, and a warning for each link out of the knowledge tree (skipped)."""
    if not directory.is_dir():
        return [], []
    paths: list[Path] = []
    warnings: list[Problem] = []
    for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
        warning = outside_tree(path, directory.parent)
        if warning is None:
            paths.append(path)
        else:
            warnings.append(warning)
    return paths, warnings


def _read(directory: Path, articles: Mapping[str, Article]) -> tuple[PolicySet, list[Problem]]:
    if not directory.is_dir():
        return PolicySet(), []
    listed, problems = policy_paths(directory)
    names = {p.name for p in listed}
    paths = [p for p in listed if p.name not in _SPECIAL]
    vocabulary = Vocabulary()
    if VOCABULARY_FILE in names:
        read, found = load_vocabulary(directory / VOCABULARY_FILE)
        if read is None:
            return PolicySet(), problems + found  # every rule would fail against an unreadable vocabulary
        vocabulary, problems = read, problems + found
    elif paths:
        problems.append(Problem(directory / VOCABULARY_FILE, 0, "missing: policy files need a vocabulary"))
    moments = MomentBook()
    if MOMENTS_FILE in names:
        moments, found = load_moments(directory / MOMENTS_FILE)
        problems += found
    tags = {a.id: a.tags for a in articles.values()}
    known = Known(frozenset(articles), frozenset(t for ts in tags.values() for t in ts), moments.names())
    files: list[RuleFile] = []
    for path in paths:
        rule_file, found = parse_rule_file(path, vocabulary, known)
        files.append(rule_file)
        problems += found
    problems += rule_problems(files, tags)
    return PolicySet(vocabulary, tuple(files), moments, tags), problems


def decide(
    policies: PolicySet, call: Call, article_ids: Sequence[str], today: dt.date,
    sightings: Sequence[Sighting] | None = None,
) -> list[Decision]:
    """One decision per policy action the call brings in: articles (best first), then issue, then the moments
    sighted in the transcript (found now, with the default cue limits, when not given)."""
    if sightings is None:
        sightings = find_moments(call.transcript, policies.moments, CueClock())
    lookup = _lookup(policies.vocabulary, call)
    decided: dict[str, Decision] = {}
    for source, rules in _selections(policies, call, article_ids, sightings):
        for action in dict.fromkeys(r.action for r in rules):
            if action in decided:
                continue
            live = [r for r in rules if r.action == action and r.is_live(today)]
            decision = _decide_action(live, call, lookup, source, policies.vocabulary)
            if decision is not None:
                decided[action] = decision
    return list(decided.values())


Selection = tuple[str | None, list[Rule]]


def _selections(
    policies: PolicySet, call: Call, article_ids: Sequence[str], sightings: Sequence[Sighting]
) -> list[Selection]:
    """Candidate rules grouped by what brought them in, most specific first."""
    rules = policies.rules
    selections: list[Selection] = []
    for article_id in dict.fromkeys(article_ids):
        tags = set(policies.article_tags.get(article_id, ()))
        chosen = [r for r in rules if article_id in r.scope.articles or tags & set(r.scope.tags)]
        selections.append((article_id, chosen))
    issue = _words(call.issue or "")
    by_article: dict[str | None, list[Rule]] = {}
    for rule in (r for r in rules if issue and _issue_selects(issue, r)):
        by_article.setdefault(_closest_article(issue, rule.scope.articles), []).append(rule)
    selections += by_article.items()
    names = {s.moment.id for s in sightings} | {s.moment.kind for s in sightings}
    selections.append((None, [r for r in rules if names & set(r.scope.moments)]))
    return [(source, chosen) for source, chosen in selections if chosen]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _issue_selects(issue: str, rule: Rule) -> bool:
    """The stated issue names one of the rule's articles or contains one of its issue phrases."""
    if any(_words(article) == issue for article in rule.scope.articles):
        return True
    padded = f" {issue} "
    return any(f" {_words(phrase)} " in padded for phrase in rule.scope.issues)


def _closest_article(issue: str, articles: tuple[str, ...]) -> str | None:
    """The article whose id shares most words with the issue ("return_size" → returns-wrong-size)."""
    words = set(issue.split())
    return max(articles, key=lambda a: len(words & set(_words(a).split())), default=None)


def _lookup(vocabulary: Vocabulary, call: Call) -> Lookup:
    def lookup(subject: str) -> FactValue | None:
        if subject.startswith(ATTRIBUTE_PREFIX):
            name = subject.removeprefix(ATTRIBUTE_PREFIX)
            term, raw = vocabulary.attributes.get(name), call.attributes.get(name)
        else:
            term, raw = vocabulary.facts.get(subject), call.facts.get(subject)
        return None if term is None or raw is None else coerce(term.type, raw)

    return lookup


def _verdict(rule: Rule, call: Call, lookup: Lookup) -> Verdict:
    parts: list[Verdict] = []
    if rule.segments:
        segment = (call.segment or "").strip().lower()
        parts.append(Verdict(segment in rule.segments) if segment else Verdict(None, ("segment",)))
    if rule.roles:
        parts.append(Verdict((call.role or "").strip().lower() in rule.roles))
    if rule.when is not None:
        verdict = evaluate(rule.when, lookup)
        skip = verdict.value is None and rule.if_missing == "skip"
        parts.append(Verdict(False) if skip else verdict)
    return combine(parts)


def _decide_action(
    rules: list[Rule], call: Call, lookup: Lookup, source: str | None, vocabulary: Vocabulary
) -> Decision | None:
    """Highest priority first; a rule that holds decides unless an unknown rule at or above it differs."""
    pending: list[tuple[Rule, Verdict]] = []
    for _, group in groupby(sorted(rules, key=lambda r: -r.priority), key=lambda r: r.priority):
        verdicts = [(rule, _verdict(rule, call, lookup)) for rule in group]
        pending += [(rule, v) for rule, v in verdicts if v.value is None]
        winner = next((rule for rule, v in verdicts if v.value), None)
        if winner is not None:
            outcome = (winner.decision, winner.limit)
            blockers = [(r, v) for r, v in pending if (r.decision, r.limit) != outcome]
            if not blockers:
                explanation = render(winner, call, lookup, vocabulary)
                return _decision(winner, winner.decision, (), explanation, source, vocabulary)
            return _ask(blockers, source, vocabulary)
    return _ask(pending, source, vocabulary) if pending else None


def _ask(blockers: list[tuple[Rule, Verdict]], source: str | None, vocabulary: Vocabulary) -> Decision:
    needs = list(dict.fromkeys(m for _, v in blockers for m in v.missing))
    if "segment" in needs:
        needs.remove("segment")
        needs.insert(0, "segment")
    rule = blockers[0][0]
    questions = " ".join(vocabulary.question(n) for n in needs)
    explanation = f"To decide '{vocabulary.action_label(rule.action)}', ask: {questions}"
    return _decision(rule, "ask", tuple(needs), explanation, source, vocabulary)


def _decision(
    rule: Rule,
    outcome: str,
    needs: tuple[str, ...],
    explanation: str,
    source: str | None,
    vocabulary: Vocabulary,
) -> Decision:
    if source is None and rule.scope.articles:
        source = rule.scope.articles[0]
    return Decision(
        action=rule.action,
        label=vocabulary.action_label(rule.action),
        decision=outcome,
        limit=rule.limit if outcome == "allowed" else None,
        needs=needs,
        rule=rule.id,
        explanation=explanation,
        source_article=source,
    )
