"""Empowerment: which policy rules a call brings in, and what they decide for this agent and this customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from assist.call import Call, FactValue
from assist.knowledge.words import plain
from assist.policy.conditions import Lookup, Verdict, combine, evaluate
from assist.policy.explanations import render
from assist.policy.moments import Sighting
from assist.policy.policyset import PolicySet
from assist.policy.rules import Limit, Outcome, Rule
from assist.policy.vocabulary import ATTRIBUTE_PREFIX, Vocabulary, coerce


@dataclass(frozen=True)
class Decision:
    """What the agent may do about one policy action, and the rule that says so."""

    action: str
    label: str
    decision: Outcome
    limit: Limit | None
    needs: tuple[str, ...]
    rule: str
    explanation: str
    source_article: str | None


def decide(
    policies: PolicySet, call: Call, article_ids: Sequence[str], today: dt.date, sightings: Sequence[Sighting],
) -> list[Decision]:
    """One decision per policy action the call brings in: articles (best first), then issue, then the moments
    sighted in the transcript."""
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
        tags = policies.article_tags.get(article_id, ())
        chosen = [r for r in rules if r.scope.selects(article_id, tags)]
        selections.append((article_id, chosen))
    issue = plain(call.issue or "")
    by_article: dict[str | None, list[Rule]] = {}
    for rule in (r for r in rules if issue and _issue_selects(issue, r)):
        by_article.setdefault(_closest_article(issue, rule.scope.articles), []).append(rule)
    selections += by_article.items()
    names = {s.moment.id for s in sightings} | {s.moment.kind for s in sightings}
    selections.append((None, [r for r in rules if names & set(r.scope.moments)]))
    return [(source, chosen) for source, chosen in selections if chosen]


def _issue_selects(issue: str, rule: Rule) -> bool:
    """The stated issue names one of the rule's articles or contains one of its issue phrases."""
    if any(plain(article) == issue for article in rule.scope.articles):
        return True
    padded = f" {issue} "
    return any(f" {plain(phrase)} " in padded for phrase in rule.scope.issues)


def _closest_article(issue: str, articles: tuple[str, ...]) -> str | None:
    """The article whose id shares most words with the issue ("return_size" → returns-wrong-size)."""
    words = set(issue.split())
    return max(articles, key=lambda a: len(words & set(plain(a).split())), default=None)


def _lookup(vocabulary: Vocabulary, call: Call) -> Lookup:
    def lookup(subject: str) -> FactValue | None:
        term = vocabulary.term(subject)
        attribute = subject.removeprefix(ATTRIBUTE_PREFIX)
        raw = call.attributes.get(attribute) if attribute != subject else call.facts.get(subject)
        return None if term is None or raw is None else coerce(term.type, raw)

    return lookup


def _verdict(rule: Rule, call: Call, lookup: Lookup) -> Verdict:
    parts: list[Verdict] = []
    if rule.segments:
        segment = (call.segment or "").strip().lower()
        parts.append(Verdict(segment in rule.segments) if segment else Verdict(None, ("segment",)))
    if rule.roles:
        parts.append(Verdict((call.role or "").strip().lower() in rule.roles))
    parts += [Verdict(True) if lookup(fact) is not None else Verdict(None, (fact,)) for fact in rule.waits_for]
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
    return _decision(rule, Outcome.ASK, tuple(needs), explanation, source, vocabulary)


def _decision(
    rule: Rule,
    outcome: Outcome,
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
        limit=rule.limit if outcome == Outcome.ALLOWED else None,
        needs=needs,
        rule=rule.id,
        explanation=explanation,
        source_article=source,
    )
