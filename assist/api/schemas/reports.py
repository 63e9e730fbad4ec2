"""GET /v1/reports/*: what editors read. A report's rows are its own dataclasses (`ArticleUse`, `ActionCount`):
a column is declared once, where it is counted, and their docstrings describe them in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from assist.api.schemas.fields import FROM_DOMAIN
from assist.feedback.gaps import GapReason
from assist.feedback.grouping import ReasonCount
from assist.feedback.reports import ActionCount, ArticleUse

Period = Annotated[str, StringConstraints(pattern=r"^\d{1,5}[dhw]$")]


class ArticleReportOut(BaseModel):
    """GET /v1/reports/articles."""

    since: str
    articles: list[ArticleUse]
    never_shown: list[str]


class RuleCountOut(BaseModel):
    """How often one rule decided."""

    rule: str
    decisions: int


class ActionReportOut(BaseModel):
    """GET /v1/reports/actions."""

    since: str
    actions: list[ActionCount]
    rules: list[RuleCountOut]


class GapMemberOut(BaseModel):
    """One unmet need (redacted), its suggestion, and why it is listed."""

    model_config = FROM_DOMAIN

    suggestion_id: str
    text: str
    reasons: list[GapReason]


class GapGroupOut(BaseModel):
    """Unmet needs of one meaning: `label` its most characteristic words, `reasons` how many are listed why."""

    model_config = FROM_DOMAIN

    size: int
    representative: str
    examples: list[str]
    best_article: str | None
    best_score: float | None
    members: list[GapMemberOut]
    label: list[str]
    reasons: list[ReasonCount]


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
    """GET /v1/reports/check: the problems (an error refuses a publish), the version live now, the version last
    refused (it failed verification; the live one kept serving) and why, and whether the tree has changed since
    the live version was built (a publish would change what agents see)."""

    knowledge_dir: str
    problems: list[ProblemOut]
    live_version: str | None = None
    ranker_version: str | None = None  # the learned ranker served (`assist learn`); None: the hand weights
    refused_version: str | None = None
    refused_because: str | None = None
    unpublished: bool = False
