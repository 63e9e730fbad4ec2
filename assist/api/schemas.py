"""Request and response models of the HTTP API (../shared/API.md); every field bounded."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

MAX_TURNS = 200
MAX_TURN_CHARS = 5000
MAX_FACTS = 64

MAX_COMMENT_CHARS = 2000

Name = Annotated[str, StringConstraints(max_length=200)]
# Facts are counts, days and amounts (the same bound as vocabulary.MAX_FACT_MAGNITUDE).
MAX_FACT_MAGNITUDE = 10**15
# JSON has no NaN or Infinity, but Python's parser accepts them; a policy comparing against NaN is nonsense.
# Numbers are numbers as sent (strict): a string of digits too long for a string fact is not read as a number.
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_FACT_MAGNITUDE, le=MAX_FACT_MAGNITUDE)]
Whole = Annotated[int, Strict(), Field(ge=-MAX_FACT_MAGNITUDE, le=MAX_FACT_MAGNITUDE)]
FactValue = Annotated[str, StringConstraints(max_length=1000)] | StrictBool | Whole | Finite


def _whole_number(value: object, field: str) -> object:
    """"5" and true are not numbers; 5.0 is (JSON Schema counts it as an integer)."""
    if isinstance(value, str | bool):
        raise ValueError(f"{field} must be a whole number")
    return value


class TurnIn(BaseModel):
    """One utterance of the transcript."""

    speaker: Literal["customer", "agent"]
    text: str = Field(max_length=MAX_TURN_CHARS)


class CustomerIn(BaseModel):
    """Who is calling; `segment` is matched by policy files and article front matter."""

    id: Name | None = None
    segment: Name | None = None
    attributes: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)


class AgentIn(BaseModel):
    """Who answers; `role` is matched by policy files and article audiences."""

    id: Name | None = None
    role: Name | None = None


# The cross-field rules below, stated in the schema too, so generated clients and fuzzers know them.
# A character that is not white space in Python's regular expressions nor in JSON Schema's (ECMA-262, which
# counts U+FEFF but not U+001C-U+001F or U+0085): the API and the clients reading its schema agree on "blank".
_VISIBLE = r"[^\s\x1c-\x1f\x85\ufeff]"
_NON_BLANK = {"type": "string", "pattern": _VISIBLE}


def _said(text: str) -> bool:
    """Whether the text holds a visible character (see _VISIBLE)."""
    return re.search(_VISIBLE, text) is not None


_SOMETHING_TO_ANSWER: dict[str, Any] = {"anyOf": [
    {"required": ["issue"], "properties": {"issue": _NON_BLANK}},
    {"required": ["transcript"], "properties": {"transcript": {"contains": {"properties": {"text": _NON_BLANK}}}}},
]}


def _given(name: str, kind: str) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"type": kind}}}


# The feedback request's cross-field rules, stated in its JSON schema too (clients and fuzzers read them).
_ABOUT_SOMETHING = ["shown", "opened", "copied", "used", "dismissed", "thumbs_up", "thumbs_down"]
_SOMETHING_SAID: dict[str, Any] = {
    "anyOf": [_given("event", "string"), _given("helpful", "boolean"), _given("used_rank", "integer"),
              {"required": ["comment"], "properties": {"comment": _NON_BLANK}}],
    "allOf": [
        {"if": {"required": ["event"], "properties": {"event": {"const": "outcome"}}},
         "then": _given("outcome", "string"), "else": {"not": _given("outcome", "string")}},
        {"if": {"required": ["event"], "properties": {"event": {"enum": _ABOUT_SOMETHING}}},
         "then": {"anyOf": [_given("rank", "integer"), _given("action", "string")]}},
        {"if": _given("event", "string"),
         "then": {"not": {"anyOf": [_given("helpful", "boolean"), _given("used_rank", "integer")]}}},
    ],
}


class SuggestRequest(BaseModel):
    """POST /v1/suggest. Unknown fields are ignored: the contract may add fields, and old servers must not
    reject newer clients."""

    model_config = ConfigDict(json_schema_extra=_SOMETHING_TO_ANSWER)

    conversation_id: Name | None = None
    customer: CustomerIn = Field(default_factory=CustomerIn)
    agent: AgentIn = Field(default_factory=AgentIn)
    issue: str | None = Field(default=None, max_length=MAX_TURN_CHARS)
    transcript: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)
    facts: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)
    filters: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)
    limit: int = Field(default=5, ge=1, le=50)
    group_by_article: StrictBool = Field(default=False, description=(
        "one answer per article (its best passage, the next best as `more`); the agent desktop sets it"))
    steps_done: list[Name] = Field(default_factory=list, max_length=MAX_FACTS, description=(
        "procedure steps the agent marked done on the desk (next_best_actions ids)"))

    @field_validator("limit", mode="before")
    @classmethod
    def _limit_is_a_number(cls, value: object) -> object:
        return _whole_number(value, "limit")

    @model_validator(mode="after")
    def _needs_something_to_answer(self) -> SuggestRequest:
        has_turn = any(_said(t.text) for t in self.transcript)
        if not has_turn and not (self.issue and _said(self.issue)):
            raise ValueError("transcript or issue: at least one must be given and non-empty")
        return self


class LimitOut(BaseModel):
    """The cap on what may be granted."""

    amount: float
    currency: str


class MoreOut(BaseModel):
    """Another good passage of an answer's article (with `group_by_article`)."""

    passage_id: str
    section: str
    score: float


class LinkOut(BaseModel):
    """Another article a passage names: the desk opens it (GET /v1/articles/{article_id})."""

    article_id: str
    title: str


class SectionOut(BaseModel):
    """A passage of an article, under its heading path."""

    section: str
    text: str


class ArticleOut(BaseModel):
    """GET /v1/articles/{article_id}: the article as the agent reads it."""

    article_id: str
    title: str
    steps: list[str]
    sections: list[SectionOut]


class AnswerOut(BaseModel):
    """One ranked passage."""

    article_id: str
    title: str
    section: str
    passage: str = Field(max_length=1200)
    score: float
    highlights: list[str]
    why: str
    passage_id: str = Field(description="the passage the answer was ranked for: article_id#ordinal")
    more: list[MoreOut] = Field(default_factory=list, description="with group_by_article: the article's next best")
    say: str | None = Field(default=None, description="the sentence of the passage that answers the customer's "
                            "last turn: what the agent can say")
    links: list[LinkOut] = Field(default_factory=list, description="other articles the passage names")


class EmpowermentOut(BaseModel):
    """What this agent may do for this customer, and the rule that says so."""

    action: str
    label: str
    decision: Literal["allowed", "denied", "ask"]
    limit: LimitOut | None
    needs: list[str]
    rule: str
    explanation: str
    source_article: str | None


class NextActionOut(BaseModel):
    """What to do next, and why."""

    action: str
    label: str
    reason: str
    source: str
    status: Literal["done", "current", "todo"] | None = Field(default=None, description=(
        "procedure steps only: done (the reason gives the evidence), current (the first not done) or todo"))
    set_aside: bool = Field(default=False, description=(
        "true on a procedure step a denial made unnecessary: listed where the procedure has it (the first of them "
        "not done is current: where the procedure stopped); the reason says which rule"))


class ProcedureOut(BaseModel):
    """The procedure the call follows, since which turn, and why."""

    article_id: str
    title: str
    since_turn: int = Field(description="index into the transcript of the turn that raised the need")
    reason: str


class FactOut(BaseModel):
    """A fact the decisions read, and where it came from: the desktop (which always wins) or a turn's words."""

    name: str
    label: str = Field(description="what the desk shows for the fact")
    value: FactValue
    source: Literal["desktop", "speech"]
    turn: int | None = Field(default=None, description="speech: index into the transcript of the turn")
    quote: str | None = Field(default=None, description="speech: the words the fact was read from")


class SuggestResponse(BaseModel):
    """The response of POST /v1/suggest."""

    suggestion_id: str
    index_version: str
    took_ms: float
    confidence: float = Field(ge=0, le=1)
    knowledge_gap: bool
    answers: list[AnswerOut]
    empowerment: list[EmpowermentOut]
    next_best_actions: list[NextActionOut]
    procedure: ProcedureOut | None = Field(description="null: no need stated yet, a knowledge gap, or off topic")
    facts: list[FactOut] = Field(description="the facts known: the desktop's, then, while a procedure is "
                                 "followed, those read from speech (those the procedure's rules read first)")
    off_topic: bool = Field(default=False, description=(
        "true when the customer's need is something customer service does not handle (an article marked "
        "outside answers it best, and is the first answer); knowledge_gap is true too"))


class Health(BaseModel):
    """GET /healthz and /readyz."""

    status: str
    index_version: str | None = None
    detail: str | None = None


class ErrorOut(BaseModel):
    """Every non-422 error: a short message, never a stack trace."""

    detail: str


class FeedbackRequest(BaseModel):
    """POST /v1/feedback: what the agent did with one suggestion. Unknown fields are refused (422).

    An `event` about an answer names its `rank`, one about an action names the `action`; `outcome` ends the
    conversation. The original fields stay valid: `helpful` is a thumbs up or down (about `used_rank`, else
    the first answer), `used_rank` a `used` event, `comment` alone a remark on the whole suggestion.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=_SOMETHING_SAID)

    suggestion_id: str = Field(pattern=r"^sg_[0-9A-HJKMNP-TV-Z]{26}$", description="from the suggest response")
    event: Literal["shown", "opened", "copied", "used", "dismissed", "thumbs_up", "thumbs_down", "outcome"] | None = (
        None)
    rank: int | None = Field(default=None, ge=1, le=50, description="1-based rank of the answer the event is about")
    action: Name | None = Field(default=None, description="the empowerment or next-best action it is about")
    outcome: Literal["resolved", "escalated", "transferred", "callback"] | None = Field(
        default=None, description="with event=outcome: how the conversation ended")
    helpful: StrictBool | None = None
    used_rank: int | None = Field(default=None, ge=1, le=50, description="1-based rank of the answer used")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)

    @field_validator("used_rank", "rank", mode="before")
    @classmethod
    def _rank_is_a_number(cls, value: object, info: ValidationInfo) -> object:
        return _whole_number(value, str(info.field_name))

    @model_validator(mode="after")
    def _says_something(self) -> FeedbackRequest:
        if self.event is None and self.helpful is None and self.used_rank is None and not (
                self.comment and _said(self.comment)):
            raise ValueError("event, helpful, used_rank or comment: at least one must be given")
        if (self.event == "outcome") != (self.outcome is not None):
            raise ValueError("outcome: given exactly when event is 'outcome'")
        if self.event not in (None, "outcome") and self.rank is None and self.action is None:
            raise ValueError(f"rank or action: a {self.event!r} event is about an answer (rank) or an action")
        if self.event is not None and (self.helpful is not None or self.used_rank is not None):
            raise ValueError("event: send it alone, or the original helpful / used_rank fields, not both")
        return self


class FeedbackResponse(BaseModel):
    """The response of POST /v1/feedback: sent once the events are stored (they survive a crash)."""

    status: Literal["recorded"]
    suggestion_id: str
    events: int = Field(description="events stored (the original fields may make more than one)")


class ReloadRequest(BaseModel):
    """POST /v1/admin/reload (body optional). Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    expect_version: str | None = Field(default=None, max_length=128,
                                       description="fail with 409 unless this is the version served afterwards")


class ReloadResponse(BaseModel):
    """What the service serves after a reload."""

    index_version: str
    previous_version: str | None
    changed: bool


Period = Annotated[str, StringConstraints(pattern=r"^\d{1,5}[dhw]$")]


class ArticleUseOut(BaseModel):
    """One article's use over the period."""

    article_id: str
    shown: int
    shown_first: int
    opened: int
    used: int
    thumbs_up: int
    thumbs_down: int
    used_rate: float
    resolved_when_used: float | None


class ArticleReportOut(BaseModel):
    """GET /v1/reports/articles."""

    since: str
    articles: list[ArticleUseOut]
    never_shown: list[str]


class ActionCountOut(BaseModel):
    """Decisions for one action and segment."""

    action: str
    segment: str | None
    allowed: int
    denied: int
    ask: int


class RuleCountOut(BaseModel):
    """How often one rule decided."""

    rule: str
    decisions: int


class ActionReportOut(BaseModel):
    """GET /v1/reports/actions."""

    since: str
    actions: list[ActionCountOut]
    rules: list[RuleCountOut]


class GapMemberOut(BaseModel):
    """One failed question (redacted) and its suggestion."""

    suggestion_id: str
    text: str


class GapGroupOut(BaseModel):
    """Failed questions of one meaning."""

    size: int
    representative: str
    examples: list[str]
    best_article: str | None
    best_score: float | None
    members: list[GapMemberOut]


class GapReportOut(BaseModel):
    """GET /v1/reports/gaps: groups largest first."""

    since: str
    groups: list[GapGroupOut]


class ProblemOut(BaseModel):
    """One problem of the served knowledge tree, as `assist check` prints it."""

    path: str
    line: int
    message: str
    severity: Literal["error", "warning"]


class CheckReportOut(BaseModel):
    """GET /v1/reports/check."""

    knowledge_dir: str
    problems: list[ProblemOut]


# --- GET /v1/stream: the messages a desktop sends over the WebSocket ----------------------------------------


class StreamContext(BaseModel):
    """Who is on the call (first message; a later one replaces it and keeps the transcript)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["context"]
    conversation_id: Name | None = None
    customer: CustomerIn = Field(default_factory=CustomerIn)
    agent: AgentIn = Field(default_factory=AgentIn)
    issue: str | None = Field(default=None, max_length=MAX_TURN_CHARS)
    filters: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)
    limit: int = Field(default=5, ge=1, le=50)
    group_by_article: StrictBool = True
    api_key: str | None = Field(default=None, max_length=512, description="a client key, when keys are set")


class StreamTurn(BaseModel):
    """One more utterance."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["turn"]
    speaker: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_TURN_CHARS)


class StreamStep(BaseModel):
    """The agent marked a procedure step done on the desk (or took the mark back)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["step"]
    action: Name
    done: StrictBool = True


class StreamFacts(BaseModel):
    """Facts the desktop learned; merged into those known (null removes one)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["facts"]
    facts: dict[Name, FactValue | None] = Field(max_length=MAX_FACTS)


class StreamReset(BaseModel):
    """A new call on the same socket: transcript and facts cleared."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["reset"]


StreamMessage = Annotated[StreamContext | StreamTurn | StreamStep | StreamFacts | StreamReset,
                          Field(discriminator="type")]
