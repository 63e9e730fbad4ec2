"""Names a policy file uses that must exist elsewhere: in vocabulary.yaml, the article tree or moments.yaml.

These are editor checks over the typed files, run by `assist check` and before a version is built; loading a
built version for serving does not repeat them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assist.call import FactValue
from assist.errors import Problem
from assist.knowledge.document import Document
from assist.knowledge.yamlfile import Location
from assist.policy.conditions import COMPARISONS, When
from assist.policy.explanations import CALL_NAMES, PLACEHOLDER
from assist.policy.files.schema import PolicyFile, RuleSpec
from assist.policy.rules import Denial
from assist.policy.scope import Scope
from assist.policy.vocabulary import NUMERIC, Vocabulary, fits


@dataclass(frozen=True)
class Known:
    """The names a policy file may refer to besides the vocabulary."""

    articles: frozenset[str]
    tags: frozenset[str]
    moments: frozenset[str] | None  # None when moments.yaml did not load: its names are then not judged


@dataclass(frozen=True)
class Finding:
    """A name that does not resolve, at its place in the file."""

    at: Location  # from the top of the file: ("rules", 2, "action")
    message: str
    severity: str = "error"


def reference_problems(document: Document[PolicyFile], vocabulary: Vocabulary, known: Known) -> list[Problem]:
    """Every action, fact, segment, role, step, article, tag, moment and quoted name that does not resolve."""
    spec = document.model
    findings = [
        *_scope(spec.applies_to or Scope(), ("applies_to",), known),
        *_articles(spec.mentioned_in, ("mentioned_in",), known),
        *_denial(spec.when_denied, ("when_denied",), vocabulary),
        *(Finding(("decide_after", index), f"unknown fact {name!r} (declare it in vocabulary.yaml)")
          for index, name in enumerate(spec.decide_after) if vocabulary.term(name) is None),
    ]
    for index, rule in enumerate(spec.rules):
        findings += _rule(rule, ("rules", index), spec.applies_to, vocabulary, known)
    return [document.problem(f.at, f.message, f.severity) for f in findings]


def _rule(
    rule: RuleSpec, at: Location, file_scope: Scope | None, vocabulary: Vocabulary, known: Known
) -> Iterator[Finding]:
    if rule.action not in vocabulary.actions:
        yield Finding((*at, "action"), f"unknown action {rule.action!r} (declare it in vocabulary.yaml)")
    yield from _declared(rule.segment, vocabulary.segments, (*at, "segment"), "segment")
    yield from _declared(rule.role, vocabulary.roles, (*at, "role"), "role")
    if rule.when is not None:
        yield from _when(rule.when, (*at, "when"), vocabulary)
    if rule.applies_to is not None:
        yield from _scope(rule.applies_to, (*at, "applies_to"), known)
    if (rule.applies_to or file_scope or Scope()).is_empty():
        yield Finding(at, f"rule {rule.id!r} applies to nothing: give 'applies_to' articles, tags, issues or moments")
    for name in PLACEHOLDER.findall(rule.explanation):
        if name not in CALL_NAMES and vocabulary.term(name) is None:
            yield Finding((*at, "explanation"), f"quotes unknown name {{{name}}}")
    yield from _denial(rule.when_denied, (*at, "when_denied"), vocabulary)


def _declared(names: Sequence[str], declared: tuple[str, ...], at: Location, what: str) -> Iterator[Finding]:
    for name in names:
        if name.lower() not in declared:
            yield Finding(at, f"unknown {what} {name!r} (declared: {', '.join(declared)})")


def _when(when: When, at: Location, vocabulary: Vocabulary) -> Iterator[Finding]:
    """Every fact a condition tests is declared, and every test fits the fact's type."""
    for subject, ops in when.facts().items():
        term = vocabulary.term(subject)
        if term is None:
            yield Finding((*at, subject), f"unknown fact {subject!r} (declare it in vocabulary.yaml)")
            continue
        for op, arg in ops.tests().items():
            error = _type_error(term.type, op, arg)
            if error:
                yield Finding((*at, subject, op), error)
    for key, group in (("all", when.all), ("any", when.any)):
        for index, part in enumerate(group or ()):
            yield from _when(part, (*at, key, index), vocabulary)


def _type_error(kind: str, op: str, arg: FactValue | list[FactValue]) -> str | None:
    if op in COMPARISONS:
        return None if kind in NUMERIC else f"compares a number, and a {kind} fact is not one"
    values = arg if isinstance(arg, list) else [arg]
    wrong = next((value for value in values if not fits(kind, value)), None)
    return None if wrong is None else f"{wrong!r} is not a {kind}"


def _scope(spec: Scope, at: Location, known: Known) -> Iterator[Finding]:
    """Unknown articles and moments are errors; a tag no article has is a warning (the rule never applies)."""
    yield from _articles(spec.articles, (*at, "articles"), known)
    for index, tag in enumerate(spec.tags):
        if tag not in known.tags:
            yield Finding((*at, "tags", index), f"no article has tag {tag!r}", "warning")
    for index, moment in enumerate(spec.moments):
        if known.moments is not None and moment not in known.moments:
            yield Finding((*at, "moments", index), f"unknown moment {moment!r} (see moments.yaml)")


def _articles(names: Sequence[str], at: Location, known: Known) -> Iterator[Finding]:
    for index, name in enumerate(names):
        if name not in known.articles:
            yield Finding((*at, index), f"unknown article {name!r}")


def _denial(spec: Denial | None, at: Location, vocabulary: Vocabulary) -> Iterator[Finding]:
    if spec is None:
        return
    steps: list[tuple[Location, str | None]] = [((*at, "after_step"), spec.after_step)]
    steps += [((*at, "then", index), step) for index, step in enumerate(spec.then)]
    for where, step in steps:
        if step is not None and step not in vocabulary.steps:
            yield Finding(where, f"unknown step {step!r}")
