"""POST /v1/feedback: what the agent did with one suggestion, and the events the request stands for."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator, model_validator

from assist.api.schemas.fields import MAX_COMMENT_CHARS, MAX_LIMIT, NON_BLANK, Name, given, said, whole_number
from assist.feedback.events import ABOUT_SHOWN, SENT, EventKind, FeedbackEvent, Outcome

if TYPE_CHECKING:  # the type checker reads the literals as strings; pydantic gets the event store's own lists
    SentKind = str
    OutcomeName = str
else:
    SentKind = Literal[tuple(kind.value for kind in SENT)]
    OutcomeName = Literal[tuple(outcome.value for outcome in Outcome)]

# The request's cross-field rules, stated in its JSON schema too (clients and fuzzers read them).
_SOMETHING_SAID: dict[str, Any] = {
    "anyOf": [given("event", "string"), given("helpful", "boolean"), given("used_rank", "integer"),
              {"required": ["comment"], "properties": {"comment": NON_BLANK}}],
    "allOf": [
        {"if": {"required": ["event"], "properties": {"event": {"const": EventKind.OUTCOME.value}}},
         "then": given("outcome", "string"), "else": {"not": given("outcome", "string")}},
        {"if": {"required": ["event"], "properties": {"event": {"enum": [kind.value for kind in ABOUT_SHOWN]}}},
         "then": {"anyOf": [given("rank", "integer"), given("action", "string"), given("passage_id", "string")]}},
        {"if": given("passage_id", "string"),
         "then": {"required": ["event"], "properties": {"event": {"const": EventKind.USED.value}}}},
        {"if": given("event", "string"),
         "then": {"not": {"anyOf": [given("helpful", "boolean"), given("used_rank", "integer")]}}},
    ],
}


class FeedbackRequest(BaseModel):
    """POST /v1/feedback: what the agent did with one suggestion. Unknown fields are refused (422).

    An `event` about an answer names its `rank`, one about an action names the `action`; `used` may name the
    `passage_id` instead (the agent used a passage the suggestion did not show: found by search); `outcome` ends
    the conversation. The original fields stay valid: `helpful` is a thumbs up or down (about `used_rank`, else
    the first answer), `used_rank` a `used` event, `comment` alone a remark on the whole suggestion.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_SOMETHING_SAID)

    suggestion_id: str = Field(pattern=r"^sg_[0-9A-HJKMNP-TV-Z]{26}$", description="from the suggest response")
    event: SentKind | None = None
    rank: int | None = Field(default=None, ge=1, le=MAX_LIMIT,
                             description="1-based rank of the answer the event is about")
    action: Name | None = Field(default=None, description="the empowerment or next-best action it is about")
    outcome: OutcomeName | None = Field(default=None, description="with event=outcome: how the conversation ended")
    helpful: StrictBool | None = None
    used_rank: int | None = Field(default=None, ge=1, le=MAX_LIMIT, description="1-based rank of the answer used")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)
    passage_id: str | None = Field(default=None, max_length=300, pattern=r"^[^#\s]+#[0-9]+$", description=(
        "with event=used: the passage used (`article_id#ordinal`), shown or found by POST /v1/search"))

    @field_validator("used_rank", "rank", mode="before")
    @classmethod
    def _rank_is_a_number(cls, value: object, info: ValidationInfo) -> object:
        return whole_number(value, str(info.field_name))

    @model_validator(mode="after")
    def _says_something(self) -> FeedbackRequest:
        if self.event is None and self.helpful is None and self.used_rank is None and not (
                self.comment and said(self.comment)):
            raise ValueError("event, helpful, used_rank or comment: at least one must be given")
        if (self.event == EventKind.OUTCOME) != (self.outcome is not None):
            raise ValueError("outcome: given exactly when event is 'outcome'")
        if self.passage_id is not None and self.event != EventKind.USED:
            raise ValueError("passage_id: given only with event 'used'")
        if self.event not in (None, EventKind.OUTCOME) and self.rank is None and self.action is None \
                and self.passage_id is None:
            raise ValueError(f"rank or action: a {self.event!r} event is about an answer (rank) or an action")
        if self.event is not None and (self.helpful is not None or self.used_rank is not None):
            raise ValueError("event: send it alone, or the original helpful / used_rank fields, not both")
        return self

    def events(self, at: dt.datetime) -> list[FeedbackEvent]:
        """The events this request carries: its `event`, or those the original fields stand for."""
        if self.event is not None:
            return [FeedbackEvent(self.suggestion_id, EventKind(self.event), at, self.rank, self.action,
                                  Outcome(self.outcome) if self.outcome else None, self.comment, self.passage_id)]
        events = []
        if self.helpful is not None:
            kind = EventKind.THUMBS_UP if self.helpful else EventKind.THUMBS_DOWN
            events.append(FeedbackEvent(self.suggestion_id, kind, at, rank=self.used_rank or 1, comment=self.comment))
        if self.used_rank is not None:
            events.append(FeedbackEvent(self.suggestion_id, EventKind.USED, at, rank=self.used_rank))
        if not events:
            events.append(FeedbackEvent(self.suggestion_id, EventKind.COMMENT, at, comment=self.comment))
        return events


class FeedbackResponse(BaseModel):
    """The response of POST /v1/feedback: sent once the events are stored (they survive a crash)."""

    status: Literal["recorded"]
    suggestion_id: str
    events: int = Field(description="events stored (the original fields may make more than one)")
