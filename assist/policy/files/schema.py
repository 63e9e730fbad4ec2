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
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assist.knowledge.dates import parse_date
from assist.knowledge.document import FileSchema, Strings, Text, as_tuple
from assist.policy.conditions import When
from assist.policy.cues import compile_cue
from assist.policy.moments import MomentKind
from assist.policy.rules import Denial
from assist.policy.scope import Scope


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _cue(text: str) -> str:
    try:
        compile_cue(text)
    except ValueError as exc:
        raise ValueError(f"bad pattern {text!r}: {exc}") from None
    return text


Names = Annotated[list[str], BeforeValidator(_one_or_many)]  # `segment: gold` or `segment: [gold, silver]`
Day = Annotated[dt.date, BeforeValidator(parse_date)]
Cue = Annotated[str, AfterValidator(_cue)]
Cues = Annotated[tuple[Cue, ...], BeforeValidator(as_tuple)]

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
