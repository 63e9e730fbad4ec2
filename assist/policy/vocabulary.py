"""The words policy files may use: actions with labels, typed facts, segments, roles and step labels.

Built from vocabulary.yaml by `policy.files.vocabulary`, with the defaults filled in (a fact's question and label
from its name) and every cue compiled once, at load time, rather than per request.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import model_validator

from assist.call import FactValue
from assist.knowledge.document import FileSchema, LowerStrings, Text
from assist.limits import MAX_FACT_MAGNITUDE
from assist.policy.cues import Pattern

# A number sent as text: plain decimal only, so "nan", "-inf", "1_0" and "1e400" are not numbers.
_DECIMAL = re.compile(r"[+-]?(?:\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})")
FactType = Literal["int", "number", "bool", "string"]  # a new type: here, with `coerce` and `fits`
NUMERIC = ("int", "number")
ATTRIBUTE_PREFIX = "attributes."  # how rules name a customer attribute: attributes.tenure_years
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


class ActionTerm(FileSchema):
    """A policy action: what the agent may grant, the label the desktop shows, and the words that tell an article
    speaks of it. Written `{label, keywords}`, or just its label."""

    label: Text
    keywords: LowerStrings = ()

    @model_validator(mode="before")
    @classmethod
    def _label_alone(cls, value: Any) -> Any:
        return {"label": value} if isinstance(value, str) else value


@dataclass(frozen=True)
class Heard:
    """How a fact is read from speech (files.vocabulary.HeardSpec): the reading, its topic cues, outright statements."""

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
    if kind in NUMERIC:
        number = _number(value)
        if number is None:
            return None
        return int(number) if kind == "int" and number.is_integer() else number
    return str(value)


def fits(kind: str, value: FactValue | None) -> bool:
    """Whether a value written in a policy file is of fact type `kind` (no conversion: "5" is not an int)."""
    if kind == "bool":
        return isinstance(value, bool)
    if kind in NUMERIC:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


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
