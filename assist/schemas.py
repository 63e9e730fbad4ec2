"""Request and response models of the HTTP API (../shared/API.md); every field bounded."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

MAX_TURNS = 200
MAX_TURN_CHARS = 5000
MAX_FACTS = 64

Name = Annotated[str, StringConstraints(max_length=200)]
FactValue = Annotated[str, StringConstraints(max_length=1000)] | bool | int | float


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


class SuggestRequest(BaseModel):
    """POST /v1/suggest."""

    conversation_id: Name | None = None
    customer: CustomerIn = Field(default_factory=CustomerIn)
    agent: AgentIn = Field(default_factory=AgentIn)
    issue: str | None = Field(default=None, max_length=MAX_TURN_CHARS)
    transcript: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)
    facts: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)
    filters: dict[Name, FactValue] = Field(default_factory=dict, max_length=MAX_FACTS)
    limit: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _needs_something_to_answer(self) -> SuggestRequest:
        has_turn = any(t.text.strip() for t in self.transcript)
        if not has_turn and not (self.issue and self.issue.strip()):
            raise ValueError("transcript or issue: at least one must be given and non-empty")
        return self


class LimitOut(BaseModel):
    """The cap on what may be granted."""

    amount: float
    currency: str


class AnswerOut(BaseModel):
    """One ranked passage."""

    article_id: str
    title: str
    section: str
    passage: str = Field(max_length=1200)
    score: float
    highlights: list[str]
    why: str


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


class Health(BaseModel):
    """GET /healthz and /readyz."""

    status: str
    index_version: str | None = None
    detail: str | None = None

