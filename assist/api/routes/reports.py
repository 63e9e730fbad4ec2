"""GET /v1/reports/*: what editors read about articles, decisions, gaps and the knowledge tree (admin key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from assist.api.access import RecorderDep, ServiceDep, SettingsDep, admin
from assist.api.schemas.admin import ERRORS
from assist.api.schemas.reports import (
    ActionReportOut,
    ArticleReportOut,
    CheckReportOut,
    GapGroupOut,
    GapReportOut,
    Period,
    ProblemOut,
    RuleCountOut,
)
from assist.feedback.gaps import gap_questions
from assist.feedback.grouping import group_gaps
from assist.feedback.reports import action_report, article_report, period_start
from assist.index.update import is_stale
from assist.policy.files.check import check_tree

Since = Annotated[Period, Query(description="the period, ending now: 7d, 24h, 2w")]
router = APIRouter(dependencies=[Depends(admin)], responses=ERRORS)


@router.get("/v1/reports/articles", response_model=ArticleReportOut)
def articles_report(recorder: RecorderDep, service: ServiceDep, since: Since = "7d") -> ArticleReportOut:
    """Per article: shown, opened, used, thumbs, used rate, resolved when used; and the served articles
    never shown."""
    snapshot = service.snapshot
    served = list(snapshot.index.articles) if snapshot else []
    report = article_report(recorder.store, period_start(since), served)
    return ArticleReportOut(since=since, articles=list(report.articles), never_shown=list(report.never_shown))


@router.get("/v1/reports/actions", response_model=ActionReportOut)
def actions_report(recorder: RecorderDep, since: Since = "7d") -> ActionReportOut:
    """Per policy action and segment: allowed / denied / ask; and the rules that decided most."""
    report = action_report(recorder.store, period_start(since))
    return ActionReportOut(since=since, actions=list(report.actions),
                           rules=[RuleCountOut(rule=r, decisions=n) for r, n in report.rules])


@router.get("/v1/reports/gaps", response_model=GapReportOut)
def gaps_report(recorder: RecorderDep, service: ServiceDep, since: Since = "7d") -> GapReportOut:
    """The needs nothing answered well, grouped by meaning and labelled by their words, largest group first;
    each with why it is listed."""
    groups = group_gaps(gap_questions(recorder.store, period_start(since)), service.embedder, service.best_article)
    return GapReportOut(since=since, groups=[GapGroupOut.model_validate(g) for g in groups])


@router.get("/v1/reports/check", response_model=CheckReportOut)
def check_report(settings: SettingsDep, service: ServiceDep) -> CheckReportOut:
    """What `assist check` says of the served knowledge tree (errors first, then warnings; an error refuses a
    publish), the version live now, and whether the tree has changed since it was built."""
    catalog, problems = check_tree(settings.knowledge_dir, settings.max_article_bytes)
    problems.sort(key=lambda p: p.severity != "error")
    refused = service.refused
    return CheckReportOut(
        knowledge_dir=str(settings.knowledge_dir), live_version=service.version,
        ranker_version=service.ranker,
        refused_version=refused.version if refused else None, refused_because=refused.error if refused else None,
        unpublished=is_stale(catalog, service.index_dir, settings.passage_target), problems=[
        ProblemOut(path=str(p.path), line=p.line, message=p.message, severity=p.severity)  # type: ignore[arg-type]
        for p in problems])
