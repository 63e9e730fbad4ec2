"""The policy files editors write, as a schema: the shared value types, moments.yaml and the policy area files.

This is the file format only (vocabulary.yaml's models sit with its reader in `vocabulary`). It checks shapes, types
and the `when:` operators; names that must exist elsewhere (an action in the vocabulary, an article in the tree)
are checked by `references`. A scope and a denial are evaluated as read (`policy.scope`, `policy.rules`); rules,
conditions and moments are resolved into the engine's frozen dataclasses (`rules`, `policy.moments`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from assist.call import FactValue
from assist.knowledge.dates import parse_date
from assist.knowledge.document import FileSchema, Strings, as_tuple
from assist.policy.cues import compile_cue
from assist.policy.rules import Denial
from assist.policy.scope import Scope


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _scalar(value: object) -> FactValue:
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"must be a number, true/false or text, not {value!r}")


def _cue(text: str) -> str:
    try:
        compile_cue(text)
    except ValueError as exc:
        raise ValueError(f"bad pattern {text!r}: {exc}") from None
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Names = Annotated[list[str], BeforeValidator(_one_or_many)]  # `segment: gold` or `segment: [gold, silver]`
Day = Annotated[dt.date, BeforeValidator(parse_date)]
Scalar = Annotated[FactValue, PlainValidator(_scalar)]
Values = Annotated[list[Scalar], Field(min_length=1)]
Cue = Annotated[str, AfterValidator(_cue)]
Cues = Annotated[tuple[Cue, ...], BeforeValidator(as_tuple)]
FactType = Literal["int", "number", "bool", "string"]
MomentKind = Literal["life-event", "failed-promise"]

# --- moments.yaml -------------------------------------------------------------------------------------------


class MomentSpec(FileSchema):
    """A moment and the cue patterns that reveal it."""

    id: Text
    kind: MomentKind
    label: Text
    cues: Annotated[list[Cue], Field(min_length=1)]
    unless: Cues = ()


class MomentsFile(FileSchema):
    """moments.yaml: the moments, and the words that negate a cue."""

    negations: Strings = ()
    moments: list[MomentSpec]


# --- policy area files: conditions --------------------------------------------------------------------------


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


# --- policy area files: rules -------------------------------------------------------------------------------


class LimitSpec(FileSchema):
    """The most an allowed rule grants: `{amount, currency}`, or just the amount."""

    amount: Annotated[float, Field(ge=0)]
    currency: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _amount_alone(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {"amount": value}


class RuleSpec(FileSchema):
    """One empowerment rule."""

    id: Text
    action: Text
    decision: Literal["allowed", "denied"]
    segment: Names = Field(default_factory=list)
    role: Names = Field(default_factory=list)
    when: When | None = None
    if_missing: Literal["ask", "skip"] = "ask"
    limit: LimitSpec | None = None
    priority: int = 0
    effective_from: Day | None = None
    effective_until: Day | None = None
    explanation: Text
    applies_to: Scope | None = None
    when_denied: Denial | None = None

    @field_validator("limit")
    @classmethod
    def _limit_only_when_allowed(cls, limit: LimitSpec | None, info: ValidationInfo) -> LimitSpec | None:
        if limit is not None and info.data.get("decision") == "denied":
            raise ValueError("only an 'allowed' rule can have a limit")
        return limit


class PolicyFile(FileSchema):
    """A policy area file: defaults for its rules, the articles describing it, and the rules."""

    area: str | None = None
    description: str | None = None
    applies_to: Scope | None = None
    mentioned_in: Strings = ()
    when_denied: Denial | None = None
    # facts the agent learns before any of the file's decisions is shown, because they change what is done, not
    # only whether ("has the order shipped?": before shipping, an added item simply joins the order)
    decide_after: Names = Field(default_factory=list)
    rules: Annotated[list[RuleSpec], Field(min_length=1)]
