"""The words policy files may use: actions with labels, typed facts, segments, roles and step labels."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.call import FactValue
from assist.errors import Problem
from assist.knowledge.yamlfile import LinedMap, read_yaml, string_list, unknown_keys

FACT_TYPES = ("int", "number", "bool", "string")
_FILE_KEYS = frozenset(
    {"currency", "segments", "segment_question", "roles", "actions", "facts", "attributes", "steps"}
)
_ACTION_KEYS = frozenset({"label", "keywords"})
_FACT_KEYS = frozenset({"type", "ask", "unit"})
# Facts are counts, days and amounts: a magnitude beyond this is a mistake, not a value a rule can compare.
MAX_FACT_MAGNITUDE = 10**15
# A number sent as text: plain decimal only, so "nan", "-inf", "1_0" and "1e400" are not numbers.
_DECIMAL = re.compile(r"[+-]?(?:\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


@dataclass(frozen=True)
class ActionTerm:
    """A policy action: what the agent may grant, with the label the desktop shows."""

    name: str
    label: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactTerm:
    """A fact the desktop may send: its type, the question that obtains it, and its unit (days, USD)."""

    name: str
    type: str
    question: str
    unit: str | None = None


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

    def step_label(self, step: str) -> str:
        """The human label of a procedure step; an undeclared step reads as its id."""
        return self.steps.get(step) or step.replace("-", " ").replace("_", " ").capitalize()

    def action_label(self, action: str) -> str:
        """The human label of a policy action."""
        term = self.actions.get(action)
        return term.label if term else action.replace("_", " ").capitalize()

    def question(self, need: str) -> str:
        """The question an agent asks to learn `need` (a fact name, 'segment' or 'attributes.x')."""
        if need == "segment":
            return self.segment_question
        term = self.facts.get(need) or self.attributes.get(need.removeprefix("attributes."))
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
    """Read vocabulary.yaml; problems name the line of every bad entry; None when it cannot be read at all."""
    data, problems = read_yaml(path)
    if not isinstance(data, LinedMap):
        return None, problems or [Problem(path, 1, "the vocabulary must be a mapping")]
    problems += unknown_keys(data, _FILE_KEYS, path, "the vocabulary")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("segments", "roles"):
        values = string_list(data.get(key, []))
        if values is None:
            problems.append(Problem(path, data.line_of(key), f"'{key}' must be a list of names"))
        lists[key] = tuple(v.lower() for v in values or ())
    actions = _actions(data.get("actions"), data.line_of("actions"), path, problems)
    facts = _facts(data.get("facts"), data.line_of("facts"), path, problems)
    attributes = _facts(data.get("attributes"), data.line_of("attributes"), path, problems)
    steps = _steps(data.get("steps"), data.line_of("steps"), path, problems)
    vocabulary = Vocabulary(
        currency=str(data.get("currency", "USD")),
        segments=lists["segments"],
        segment_question=str(data.get("segment_question", Vocabulary.segment_question)),
        roles=lists["roles"],
        actions=actions,
        facts=facts,
        attributes=attributes,
        steps=steps,
    )
    return vocabulary, problems


def _entries(value: Any, line: int, path: Path, what: str, problems: list[Problem]) -> LinedMap:
    if value is None:
        return LinedMap(line)
    if not isinstance(value, LinedMap):
        problems.append(Problem(path, line, f"'{what}' must be a mapping of names"))
        return LinedMap(line)
    return value


def _actions(value: Any, line: int, path: Path, problems: list[Problem]) -> dict[str, ActionTerm]:
    terms: dict[str, ActionTerm] = {}
    entries = _entries(value, line, path, "actions", problems)
    for name, spec in entries.items():
        where = entries.line_of(name)
        if isinstance(spec, str):
            spec = {"label": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("label"), str):
            problems.append(Problem(path, where, f"action {name!r} needs a 'label'"))
            continue
        if isinstance(spec, LinedMap):
            problems += unknown_keys(spec, _ACTION_KEYS, path, f"action {name!r}")
        keywords = string_list(spec.get("keywords", []))
        if keywords is None:
            problems.append(Problem(path, where, f"'keywords' of action {name!r} must be a list of words"))
        terms[name] = ActionTerm(name, spec["label"], tuple(k.lower() for k in keywords or ()))
    return terms


def _facts(value: Any, line: int, path: Path, problems: list[Problem]) -> dict[str, FactTerm]:
    terms: dict[str, FactTerm] = {}
    entries = _entries(value, line, path, "facts", problems)
    for name, spec in entries.items():
        where = entries.line_of(name)
        if not isinstance(spec, LinedMap):
            problems.append(Problem(path, where, f"fact {name!r} must be a mapping with 'type' and 'ask'"))
            continue
        problems += unknown_keys(spec, _FACT_KEYS, path, f"fact {name!r}")
        kind = spec.get("type")
        if kind not in FACT_TYPES:
            message = f"fact {name!r} has type {kind!r} (expected one of: {', '.join(FACT_TYPES)})"
            problems.append(Problem(path, spec.line_of("type"), message))
            continue
        question = str(spec.get("ask") or f"Ask for {name.replace('_', ' ')}")
        unit = spec.get("unit")
        terms[name] = FactTerm(name, kind, question, str(unit) if unit is not None else None)
    return terms


def _steps(value: Any, line: int, path: Path, problems: list[Problem]) -> dict[str, str]:
    labels: dict[str, str] = {}
    entries = _entries(value, line, path, "steps", problems)
    for step, label in entries.items():
        if not isinstance(label, str) or not label.strip():
            problems.append(Problem(path, entries.line_of(step), f"step {step!r} needs a label"))
            continue
        labels[step] = label.strip()
    return labels
