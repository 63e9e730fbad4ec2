"""GET /v1/reports/*: what editors read, filled from the reports' own objects."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

FROM_REPORT = ConfigDict(from_attributes=True)
Period = Annotated[str, StringConstraints(pattern=r"^\d{1,5}[dhw]$")]


class ArticleUseOut(BaseModel):
    """One article's use over the period."""

    model_config = FROM_REPORT

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

    model_config = FROM_REPORT

    since: str
    articles: list[ArticleUseOut]
    never_shown: list[str]


class ActionCountOut(BaseModel):
    """Decisions for one action and segment."""

    model_config = FROM_REPORT

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

    model_config = FROM_REPORT

    suggestion_id: str
    text: str


class GapGroupOut(BaseModel):
    """Failed questions of one meaning."""

    model_config = FROM_REPORT

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
