"""The call as clients describe it: a suggest request (the stream gathers one from its messages), the context
both transports share, and the one conversion to the domain's `Call`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from assist.api.schemas.fields import (
    MAX_FACTS,
    NON_BLANK,
    AnswerCount,
    Facts,
    Name,
    said,
    whole_number,
)
from assist.call import Call, Turn
from assist.limits import MAX_TURN_CHARS, MAX_TURNS


class TurnIn(BaseModel):
    """One utterance of the transcript."""

    speaker: Literal["customer", "agent"]
    text: str = Field(max_length=MAX_TURN_CHARS)


class CustomerIn(BaseModel):
    """Who is calling; `segment` is matched by policy files and article front matter."""

    id: Name | None = None
    segment: Name | None = None
    attributes: Facts = Field(default_factory=dict)


class AgentIn(BaseModel):
    """Who answers; `role` is matched by policy files and article audiences."""

    id: Name | None = None
    role: Name | None = None


class CallContext(BaseModel):
    """Who is on the call and what it is about: what a suggest request and the stream's context message share."""

    conversation_id: Name | None = None
    customer: CustomerIn = Field(default_factory=CustomerIn)
    agent: AgentIn = Field(default_factory=AgentIn)
    issue: str | None = Field(default=None, max_length=MAX_TURN_CHARS)


# The cross-field rule below, stated in the schema too, so generated clients and fuzzers know it.
_SOMETHING_TO_ANSWER: dict[str, Any] = {"anyOf": [
    {"required": ["issue"], "properties": {"issue": NON_BLANK}},
    {"required": ["transcript"], "properties": {"transcript": {"contains": {"properties": {"text": NON_BLANK}}}}},
]}


class SuggestRequest(CallContext):
    """POST /v1/suggest. Unknown fields are ignored: the contract may add fields, and old servers must not
    reject newer clients."""

    model_config = ConfigDict(json_schema_extra=_SOMETHING_TO_ANSWER)

    transcript: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)
    facts: Facts = Field(default_factory=dict)
    filters: Facts = Field(default_factory=dict)
    limit: AnswerCount = 5
    group_by_article: StrictBool = Field(default=False, description=(
        "one answer per article (its best passage, the next best as `more`); the agent desktop sets it"))
    steps_done: list[Name] = Field(default_factory=list, max_length=MAX_FACTS, description=(
        "procedure steps the agent marked done on the desk (next_best_actions ids)"))

    @field_validator("limit", mode="before")
    @classmethod
    def _limit_is_a_number(cls, value: object) -> object:
        return whole_number(value, "limit")

    @model_validator(mode="after")
    def _needs_something_to_answer(self) -> SuggestRequest:
        has_turn = any(said(t.text) for t in self.transcript)
        if not has_turn and not (self.issue and said(self.issue)):
            raise ValueError("transcript or issue: at least one must be given and non-empty")
        return self


def to_call(body: SuggestRequest) -> Call:
    """The domain view of a call, as posted to /v1/suggest or as the stream has gathered it."""
    return Call(
        transcript=tuple(Turn(t.speaker, t.text) for t in body.transcript),
        issue=body.issue,
        segment=body.customer.segment,
        role=body.agent.role,
        attributes=dict(body.customer.attributes),
        facts=dict(body.facts),
        filters=dict(body.filters),
        marked=frozenset(body.steps_done),
    )
