"""The `when:` language of policy rules: its file form, conditions as tests and groups, three-valued evaluation.

`When` and `Ops` are the mapping as a policy file writes it; `condition` gives its normal form (shorthand spelled
out, a fact's several tests and the `all` / `any` lists one tree), so evaluation and the overlap check walk one
shape. An operator is declared here once: its field in `Ops`, and what it means in `Test.holds`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import ConfigDict, Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from assist.call import FactValue
from assist.knowledge.document import FileSchema

COMPARISONS = {
    "less_than": lambda a, b: a < b,
    "at_most": lambda a, b: a <= b,
    "more_than": lambda a, b: a > b,
    "at_least": lambda a, b: a >= b,
}

_STRICT_STEP = 1e-9  # how far a strict bound moves inward, so `< 10` and `>= 10` do not meet
Lookup = Callable[[str], FactValue | None]


def _scalar(value: object) -> FactValue:
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"must be a number, true/false or text, not {value!r}")


Scalar = Annotated[FactValue, PlainValidator(_scalar)]
Values = Annotated[list[Scalar], Field(min_length=1)]


class Ops(FileSchema):
    """The tests of one fact: `{at_most: 30}`; a bare value means `equals`, a bare list `one_of`."""

    equals: Scalar | None = None
    not_: Scalar | None = Field(None, alias="not")
    one_of: Values | None = None
    none_of: Values | None = None
    less_than: float | None = None
    at_most: float | None = None
    more_than: float | None = None
    at_least: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"one_of": value}
        if not isinstance(value, dict):
            return {"equals": value}
        unknown = [key for key in value if key not in OPERATORS]
        if unknown:
            raise PydanticCustomError("unknown_operator", "unknown operator {op} (known: {known})",
                                      {"op": repr(unknown[0]), "known": ", ".join(sorted(OPERATORS))})
        return value

    def tests(self) -> dict[str, FactValue | list[FactValue]]:
        """The operators written, with their arguments, in the order of OPERATORS."""
        return self.model_dump(by_alias=True, exclude_unset=True)


OPERATORS = tuple(field.alias or name for name, field in Ops.model_fields.items())


class When(FileSchema):
    """A `when:` mapping: facts (or `attributes.x`) to their tests, and `any` / `all` lists of conditions."""

    model_config = ConfigDict(extra="allow")

    any: Annotated[list[When], Field(min_length=1)] | None = None
    all: Annotated[list[When], Field(min_length=1)] | None = None
    __pydantic_extra__: dict[str, Ops] = Field(init=False)

    @model_validator(mode="after")
    def _not_empty(self) -> When:
        if not (self.facts() or self.any or self.all):
            raise ValueError("needs at least one fact to test")
        return self

    def facts(self) -> dict[str, Ops]:
        """The facts tested directly, in file order."""
        return self.model_extra or {}


@dataclass(frozen=True)
class Test:
    """One comparison of a fact (or customer attribute) with a value."""

    subject: str
    op: str
    value: FactValue | tuple[FactValue, ...]

    def holds(self, actual: FactValue) -> bool:
        """Whether the known value `actual` passes this test."""
        if self.op == "equals":
            return actual == self.value
        if self.op == "not":
            return actual != self.value
        if self.op in ("one_of", "none_of"):
            inside = actual in self.value if isinstance(self.value, tuple) else False
            return inside == (self.op == "one_of")
        return bool(COMPARISONS[self.op](actual, self.value))


@dataclass(frozen=True)
class Group:
    """All (`any=False`) or any (`any=True`) of the parts must hold."""

    parts: tuple[Condition, ...]
    any: bool = False


Condition = Test | Group


@dataclass(frozen=True)
class Verdict:
    """True / False, or None (unknown) with the facts whose absence keeps it unknown."""

    value: bool | None
    missing: tuple[str, ...] = ()


def evaluate(condition: Condition, lookup: Lookup) -> Verdict:
    """Three-valued evaluation: a missing fact makes a test unknown, unless the rest already decides."""
    if isinstance(condition, Test):
        actual = lookup(condition.subject)
        if actual is None:
            return Verdict(None, (condition.subject,))
        return Verdict(condition.holds(actual))
    verdicts = [evaluate(part, lookup) for part in condition.parts]
    return combine(verdicts, any_of=condition.any)


def combine(verdicts: Iterable[Verdict], any_of: bool = False) -> Verdict:
    """AND (or OR) of three-valued verdicts; an unknown result keeps the union of missing facts in order."""
    decisive = any_of
    missing: list[str] = []
    unknown = False
    for verdict in verdicts:
        if verdict.value is decisive:
            return Verdict(decisive)
        if verdict.value is None:
            unknown = True
            missing += [m for m in verdict.missing if m not in missing]
    return Verdict(None, tuple(missing)) if unknown else Verdict(not decisive)


def tests_of(condition: Condition | None) -> list[Test]:
    """The tests that must all hold (the top-level conjunction), for overlap checks."""
    if condition is None:
        return []
    if isinstance(condition, Test):
        return [condition]
    return [] if condition.any else [t for part in condition.parts for t in tests_of(part)]


def all_tests(condition: Condition | None) -> list[Test]:
    """Every test anywhere in the condition."""
    if condition is None:
        return []
    if isinstance(condition, Test):
        return [condition]
    return [t for part in condition.parts for t in all_tests(part)]


def condition(when: When) -> Condition:
    """The condition a `when:` mapping states: its facts' tests, then its `all` and `any` groups, all to hold."""
    parts: list[Condition] = [
        Test(subject, op, tuple(arg) if isinstance(arg, list) else arg)
        for subject, ops in when.facts().items() for op, arg in ops.tests().items()
    ]
    if when.all:
        parts.append(Group(tuple(condition(w) for w in when.all)))
    if when.any:
        parts.append(Group(tuple(condition(w) for w in when.any), any=True))
    return parts[0] if len(parts) == 1 else Group(tuple(parts))


def exclusive(first: Condition | None, second: Condition | None) -> bool:
    """True when the two conditions can never hold together (disjoint tests on a shared fact)."""
    a, b = tests_of(first), tests_of(second)
    for subject in {t.subject for t in a} & {t.subject for t in b}:
        if _disjoint([t for t in a if t.subject == subject], [t for t in b if t.subject == subject]):
            return True
    return False


def _disjoint(a: list[Test], b: list[Test]) -> bool:
    for finite, other in ((a, b), (b, a)):
        allowed = _finite_values(finite)
        if allowed is not None:
            return not any(_passes(other, value) for value in allowed)
    low_a, high_a = _interval(a)
    low_b, high_b = _interval(b)
    return max(low_a, low_b) > min(high_a, high_b)


def _finite_values(tests: list[Test]) -> list[FactValue] | None:
    """The values the tests allow when they pin the fact to a list (equals / one_of), else None."""
    candidates: list[FactValue] = []
    for t in tests:
        if t.op == "equals" and not isinstance(t.value, tuple):
            candidates.append(t.value)
        elif t.op == "one_of" and isinstance(t.value, tuple):
            candidates += list(t.value)
    if not any(t.op in ("equals", "one_of") for t in tests):
        return None
    return [value for value in candidates if _passes(tests, value)]


def _passes(tests: list[Test], value: FactValue) -> bool:
    try:
        return all(t.holds(value) for t in tests)
    except TypeError:
        return False


def _interval(tests: list[Test]) -> tuple[float, float]:
    """Closed bounds of the comparisons; strict ones shrink a tiny step so `< 10` and `>= 10` part."""
    low, high = -math.inf, math.inf
    for t in tests:
        if not isinstance(t.value, int | float) or isinstance(t.value, bool):
            continue
        value = float(t.value)
        if t.op in ("at_least", "equals"):
            low = max(low, value)
        if t.op in ("at_most", "equals"):
            high = min(high, value)
        if t.op == "more_than":
            low = max(low, value + _STRICT_STEP)
        if t.op == "less_than":
            high = min(high, value - _STRICT_STEP)
    return low, high
