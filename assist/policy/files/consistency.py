"""Cross-checks: rules that contradict each other, and articles whose numbers contradict their policies."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from itertools import combinations
from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Article
from assist.knowledge.frontmatter import field_line
from assist.policy.conditions import all_tests, exclusive
from assist.policy.explanations import PLACEHOLDER
from assist.policy.rules import Rule, RuleFile
from assist.policy.vocabulary import Vocabulary

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
_DURATION = re.compile(_NUMBER + r"[\s-]*(day|week|month|year)s?\b", re.IGNORECASE)
_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)|\b" + _NUMBER + r"\s*(?:dollars|usd)\b", re.IGNORECASE)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_EXAMPLE = re.compile(r"\b(for example|for instance|e\.g\.|such as)\b", re.IGNORECASE)
_EXCEPT = re.compile(r"\b(unless|except|other than)\b", re.IGNORECASE)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_SAME_NUMBER = 0.005  # half a cent: an article's "$9.99" backs a rule's 9.99
_RULES_NAMED = 3  # rules a contradiction warning names before "…"
Claim = tuple[str, float]


def rule_problems(files: list[RuleFile], tags: Mapping[str, tuple[str, ...]]) -> list[Problem]:
    """Duplicate rule ids, and rules for the same action and customers contradicting at one priority."""
    problems: list[Problem] = []
    seen: dict[str, Rule] = {}
    for rule in (r for f in files for r in f.rules):
        if rule.id in seen:
            first = seen[rule.id]
            message = f"duplicate rule id {rule.id!r} (also {first.path}:{first.line})"
            problems.append(Problem(rule.path, rule.line, message))
        seen.setdefault(rule.id, rule)
    rules = [r for f in files for r in f.rules]
    for first, second in combinations(rules, 2):
        if _contradict(first, second, tags):
            segment = ", ".join(sorted(set(first.segments) & set(second.segments))) or "any segment"
            message = (
                f"rule {second.id!r} contradicts {first.id!r} ({first.path.name}:{first.line}): action "
                f"{second.action!r}, {segment}, priority {second.priority}, "
                f"but {_outcome(first)} vs {_outcome(second)}"
            )
            problems.append(Problem(second.path, second.line, message))
    return problems


def _outcome(rule: Rule) -> str:
    if rule.limit is None:
        return rule.decision
    return f"{rule.decision} up to {rule.limit.amount:g} {rule.limit.currency}"


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two name lists overlap; an empty list means 'everyone'."""
    return not a or not b or bool(set(a) & set(b))


def _contradict(a: Rule, b: Rule, tags: Mapping[str, tuple[str, ...]]) -> bool:
    if a.action != b.action or a.priority != b.priority or _outcome(a) == _outcome(b):
        return False
    if not (_overlap(a.segments, b.segments) and _overlap(a.roles, b.roles)):
        return False
    if a.effective_until and b.effective_from and a.effective_until < b.effective_from:
        return False
    if b.effective_until and a.effective_from and b.effective_until < a.effective_from:
        return False
    return _scopes_meet(a, b, tags) and not exclusive(a.when, b.when)


def _scopes_meet(a: Rule, b: Rule, tags: Mapping[str, tuple[str, ...]]) -> bool:
    shared = a.scope.article_ids(tags) & b.scope.article_ids(tags)
    issues = set(a.scope.issues) & set(b.scope.issues)
    return bool(shared or issues or set(a.scope.moments) & set(b.scope.moments))


def article_problems(
    files: tuple[RuleFile, ...], articles: Mapping[str, Article], vocabulary: Vocabulary
) -> list[Problem]:
    """Warnings: unlabelled steps, denial steps an article lacks, article numbers that contradict a rule."""
    problems: list[Problem] = []
    for article in articles.values():
        unlabelled = [s for s in article.steps if s not in vocabulary.steps]
        if unlabelled and vocabulary.steps:
            message = f"steps without a label in vocabulary.yaml: {', '.join(unlabelled)}"
            problems.append(Problem(article.path, field_line(article.path, "steps"), message, "warning"))
    for rule_file in files:
        for rule in rule_file.rules:
            for article_id in rule.scope.articles:
                steps = articles[article_id].steps if article_id in articles else ()
                if rule.denial.after_step and steps and rule.denial.after_step not in steps:
                    step = rule.denial.after_step
                    message = f"rule {rule.id!r}: article {article_id!r} has no step {step!r}"
                    problems.append(Problem(rule.path, rule.line, message, "warning"))
    for article in articles.values():
        problems += _number_problems(article, _linked_rules(article.id, files), vocabulary)
    return problems


def _linked_rules(article_id: str, files: tuple[RuleFile, ...]) -> list[Rule]:
    return [r for f in files for r in f.rules if article_id in (*r.scope.articles, *f.mentioned_in)]


def claims(text: str) -> list[Claim]:
    """Durations (in days) and money amounts stated in a text."""
    found: list[Claim] = []
    for match in _DURATION.finditer(text):
        found.append(("days", _number(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]))
    for match in _MONEY.finditer(text):
        found.append(("money", _number(match.group(1) or match.group(2))))
    return found


def _number(text: str) -> float:
    word = text.lower()
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(text.replace(",", ""))


def _rule_claims(rule: Rule, vocabulary: Vocabulary) -> set[Claim]:
    """The numbers a rule stands for: its thresholds, its limit, and the numbers its explanation states."""
    found = set(claims(PLACEHOLDER.sub("", rule.explanation)))
    for test in all_tests(rule.when):
        term = vocabulary.facts.get(test.subject)
        if term and term.unit and isinstance(test.value, int | float) and not isinstance(test.value, bool):
            found.add(("days" if term.unit == "days" else "money", float(test.value)))
    if rule.limit:
        found.add(("money", rule.limit.amount))
    return found


def _sentences(article: Article) -> Iterator[tuple[int, str, str]]:
    """(line, sentence, heading above it) for the article body."""
    heading = ""
    for offset, line in enumerate(article.body.splitlines()):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            continue
        for sentence in _SENTENCE.split(line):
            if sentence.strip():
                yield article.body_line + offset, sentence, heading


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"\b{re.escape(w)}", text, re.IGNORECASE) for w in words)


def _number_problems(article: Article, rules: list[Rule], vocabulary: Vocabulary) -> list[Problem]:
    problems: list[Problem] = []
    actions = list(dict.fromkeys(r.action for r in rules))
    for line, sentence, heading in _sentences(article):
        if _EXAMPLE.search(sentence):
            continue  # worked examples ("if $80 is refunded and …") are arithmetic, not policy
        stated = claims(_QUOTED.sub("", sentence))
        about = [a for a in actions if _about(a, f"{heading} {sentence}", vocabulary)] if stated else []
        if not about:
            continue
        segments = _segments(sentence, heading, vocabulary)
        relevant = [r for r in rules if r.action in about and _overlap(r.segments, segments)]
        backed = set().union(*(_rule_claims(r, vocabulary) for r in relevant))
        for unit, value in stated:
            known_unit = any(u == unit for u, _ in backed)
            if known_unit and not any(u == unit and abs(v - value) < _SAME_NUMBER for u, v in backed):
                problems.append(_contradiction(article.path, line, about, unit, value, relevant))
    return problems


def _about(action: str, text: str, vocabulary: Vocabulary) -> bool:
    term = vocabulary.actions.get(action)
    return bool(term and term.keywords and _mentions(text, term.keywords))


def _segments(sentence: str, heading: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The segments a sentence is about: those it names, else its heading's; none when it names exceptions."""
    if _EXCEPT.search(sentence):
        return ()
    named = tuple(s for s in vocabulary.segments if _mentions(sentence, (s,)))
    return named or tuple(s for s in vocabulary.segments if _mentions(heading, (s,)))


def _contradiction(
    path: Path, line: int, actions: list[str], unit: str, value: float, rules: list[Rule]
) -> Problem:
    said = f"${value:g}" if unit == "money" else f"{value:g} days"
    names = ", ".join(r.id for r in rules[:_RULES_NAMED]) + (", …" if len(rules) > _RULES_NAMED else "")
    about = ", ".join(repr(a) for a in actions)
    message = f"the article says {said} for {about}, but the policy ({names}) does not"
    return Problem(path, line, message, "warning")
