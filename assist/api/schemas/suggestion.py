"""What POST /v1/suggest answers (and the stream pushes), read straight from the domain's `Suggestion`; and an
article as GET /v1/articles/{article_id} sends it."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasPath, BaseModel, Field

from assist.api.schemas.fields import FROM_DOMAIN, FactValue


class LimitOut(BaseModel):
    """The cap on what may be granted."""

    model_config = FROM_DOMAIN

    amount: float
    currency: str


class MoreOut(BaseModel):
    """Another good passage of an answer's article (with `group_by_article`)."""

    model_config = FROM_DOMAIN

    passage_id: str = Field(validation_alias=AliasPath("passage", "key"))
    section: str = Field(validation_alias=AliasPath("passage", "section"))
    score: float


class LinkOut(BaseModel):
    """Another article a passage names: the desk opens it (GET /v1/articles/{article_id})."""

    model_config = FROM_DOMAIN

    article_id: str = Field(validation_alias="id")
    title: str


class SectionOut(BaseModel):
    """A passage of an article, under its heading path."""

    model_config = FROM_DOMAIN

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

    model_config = FROM_DOMAIN

    article_id: str = Field(validation_alias=AliasPath("article", "id"))
    title: str = Field(validation_alias=AliasPath("article", "title"))
    section: str = Field(validation_alias=AliasPath("passage", "section"))
    passage: str = Field(max_length=1200, validation_alias=AliasPath("passage", "text"))
    score: float
    highlights: list[str]
    why: str
    passage_id: str = Field(validation_alias=AliasPath("passage", "key"),
                            description="the passage the answer was ranked for: article_id#ordinal")
    more: list[MoreOut] = Field(default_factory=list, description="with group_by_article: the article's next best")
    say: str | None = Field(default=None, description="the sentence of the passage that answers the customer's "
                            "last turn: what the agent can say")
    links: list[LinkOut] = Field(default_factory=list, description="other articles the passage names")


class EmpowermentOut(BaseModel):
    """What this agent may do for this customer, and the rule that says so."""

    model_config = FROM_DOMAIN

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

    model_config = FROM_DOMAIN

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

    model_config = FROM_DOMAIN

    article_id: str = Field(validation_alias=AliasPath("article", "id"))
    title: str = Field(validation_alias=AliasPath("article", "title"))
    since_turn: int = Field(description="index into the transcript of the turn that raised the need")
    reason: str


class FactOut(BaseModel):
    """A fact the decisions read, and where it came from: the desktop (which always wins) or a turn's words."""

    model_config = FROM_DOMAIN

    name: str
    label: str = Field(description="what the desk shows for the fact")
    value: FactValue
    source: Literal["desktop", "speech"]
    turn: int | None = Field(default=None, description="speech: index into the transcript of the turn")
    quote: str | None = Field(default=None, description="speech: the words the fact was read from")


class SuggestResponse(BaseModel):
    """The response of POST /v1/suggest."""

    model_config = FROM_DOMAIN

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
