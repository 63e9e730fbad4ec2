"""The words policy files may use: actions with labels, typed facts, segments, roles and step labels."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from assist.call import FactValue
from assist.errors import Problem
from assist.limits import MAX_FACT_MAGNITUDE
from assist.policy.cues import Pattern, compile_cue
from assist.policy.schema import CompletionSpec, FactSpec, HeardSpec, VocabularyFile
from assist.policy.validation import read_document

# A number sent as text: plain decimal only, so "nan", "-inf", "1_0" and "1e400" are not numbers.
_DECIMAL = re.compile(r"[+-]?(?:\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})")
ATTRIBUTE_PREFIX = "attributes."  # how rules name a customer attribute: attributes.tenure_years
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True)
class ActionTerm:
    """A policy action: what the agent may grant, with the label the desktop shows."""

    name: str
    label: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heard:
    """How a fact is read from speech (schema.HeardSpec): the reading, its topic cues, outright statements."""

    reading: str | None = None
    about: tuple[Pattern, ...] = ()
    says_true: tuple[Pattern, ...] = ()
    says_false: tuple[Pattern, ...] = ()
    more_than: float | None = None


@dataclass(frozen=True)
class FactTerm:
    """A fact the desktop may send: its type, the question that obtains it, its unit (days, USD), the label the
    desk shows, and how speech tells it (None: only the desktop can)."""

    name: str
    type: str
    question: str
    unit: str | None = None
    label: str = ""
    heard: Heard | None = None


@dataclass(frozen=True)
class Completion:
    """What completes a procedure step: a fact the desktop sends, an agent turn matching a cue, or (`answers`)
    an agent turn that answers the customer."""

    facts: tuple[str, ...] = ()
    cues: tuple[Pattern, ...] = ()
    unless: tuple[Pattern, ...] = ()
    answers: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """Everything a knowledge base declares before its policies may use it."""

    currency: str = "USD"
    segments: tuple[str, ...] = ()
    segment_question: str = "What is the customer's membership level?"
    roles: tuple[str, ...] = ()
    actions: dict[str, ActionTerm] = field(default_factory=dict)
    facts: dict[str, FactTerm] = field(default_factory=dict)
    attributes: dict[str, FactTerm] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    completions: dict[str, Completion] = field(default_factory=dict)
    step_negations: tuple[str, ...] = ()
    elsewhere: tuple[Pattern, ...] = ()  # words placing the customer's matter with another business

    def step_label(self, step: str) -> str:
        """The human label of a procedure step; an undeclared step reads as its id."""
        return self.steps.get(step) or step.replace("-", " ").replace("_", " ").capitalize()

    def action_label(self, action: str) -> str:
        """The human label of a policy action."""
        term = self.actions.get(action)
        return term.label if term else action.replace("_", " ").capitalize()

    def term(self, subject: str) -> FactTerm | None:
        """The fact, or customer attribute (`attributes.x`), a rule names; None when undeclared."""
        if subject.startswith(ATTRIBUTE_PREFIX):
            return self.attributes.get(subject.removeprefix(ATTRIBUTE_PREFIX))
        return self.facts.get(subject)

    def question(self, need: str) -> str:
        """The question an agent asks to learn `need` (a fact name, 'segment' or 'attributes.x')."""
        if need == "segment":
            return self.segment_question
        term = self.facts.get(need) or self.attributes.get(need.removeprefix(ATTRIBUTE_PREFIX))
        return term.question if term else f"Ask for {need.replace('_', ' ')}"


def coerce(kind: str, value: FactValue) -> FactValue | None:
    """`value` as a value of fact type `kind`, or None when it cannot be one (then it counts as missing)."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    if kind in ("int", "number"):
        number = _number(value)
        if number is None:
            return None
        return int(number) if kind == "int" and number.is_integer() else number
    return str(value)


def _number(value: FactValue) -> float | None:
    """A finite number of sane magnitude, from a number or plain decimal text; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL.fullmatch(text):
            return None
        value = text
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_FACT_MAGNITUDE else None


def load_vocabulary(path: Path) -> tuple[Vocabulary | None, list[Problem]]:
    """Read vocabulary.yaml; None, with every problem at its line, when it does not match the schema."""
    document, problems = read_document(path, VocabularyFile)
    if document is None:
        return None, problems
    spec = document.model
    problems += [
        document.problem(("steps", step, "done_when", "facts", index), f"unknown fact {fact!r} (declare it first)")
        for step, step_spec in spec.steps.items() if step_spec.done_when
        for index, fact in enumerate(step_spec.done_when.facts) if fact not in spec.facts
    ]
    vocabulary = Vocabulary(
        currency=spec.currency or Vocabulary.currency,
        segments=tuple(s.lower() for s in spec.segments),
        segment_question=spec.segment_question or Vocabulary.segment_question,
        roles=tuple(r.lower() for r in spec.roles),
        actions={name: ActionTerm(name, a.label, tuple(k.lower() for k in a.keywords))
                 for name, a in spec.actions.items()},
        facts=_terms(spec.facts),
        attributes=_terms(spec.attributes),
        steps={name: step.label for name, step in spec.steps.items()},
        completions={name: _completion(step.done_when) for name, step in spec.steps.items() if step.done_when},
        step_negations=tuple(n.lower() for n in spec.step_negations),
        elsewhere=tuple(map(compile_cue, spec.elsewhere)),
    )
    return vocabulary, problems


def _terms(specs: dict[str, FactSpec]) -> dict[str, FactTerm]:
    return {
        name: FactTerm(name, spec.type, spec.ask or f"Ask for {name.replace('_', ' ')}", spec.unit,
                       spec.label or name.replace("_", " ").capitalize(), _heard(spec.heard))
        for name, spec in specs.items()
    }


def _heard(spec: HeardSpec | None) -> Heard | None:
    if spec is None:
        return None
    return Heard(spec.reading, tuple(map(compile_cue, spec.about)), tuple(map(compile_cue, spec.says_true)),
                 tuple(map(compile_cue, spec.says_false)), spec.more_than)


def _completion(spec: CompletionSpec) -> Completion:
    return Completion(tuple(spec.facts), tuple(map(compile_cue, spec.agent_says)), tuple(map(compile_cue, spec.unless)),
                      spec.agent_answers)
