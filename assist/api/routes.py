"""The routes: suggest and feedback for clients, reload for admins, health, readiness and metrics."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from assist.api.access import RecorderDep, ServiceDep, admin, client, metrics_reader
from assist.api.calls import CallMemory
from assist.api.mapping import to_call, to_events, to_response
from assist.api.metrics import CONTENT_TYPE, Metrics
from assist.api.schemas import (
    ActionCountOut,
    ActionReportOut,
    ArticleOut,
    ArticleReportOut,
    ArticleUseOut,
    CheckReportOut,
    ErrorOut,
    FeedbackRequest,
    FeedbackResponse,
    GapGroupOut,
    GapMemberOut,
    GapReportOut,
    Health,
    Period,
    ProblemOut,
    ReloadRequest,
    ReloadResponse,
    RuleCountOut,
    SectionOut,
    SuggestRequest,
    SuggestResponse,
)
from assist.call import Call
from assist.deadline import Deadline
from assist.errors import AssistError
from assist.feedback.events import suggestion_record
from assist.feedback.gaps import gap_questions, group_gaps
from assist.feedback.recorder import Recorder
from assist.feedback.reports import action_report, article_report, period_start
from assist.index import versions
from assist.policy.files.check import check_tree
from assist.service import Suggestion
from assist.settings import Settings

log = logging.getLogger(__name__)
Since = Annotated[Period, Query(description="the period, ending now: 7d, 24h, 2w")]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a body that is not JSON, or a bad Content-Length"},
    401: {"model": ErrorOut, "description": "missing or wrong API key"},
    413: {"model": ErrorOut, "description": "request body too large"},
}



def add_routes(app: FastAPI, metrics: Metrics) -> None:
    _client_routes(app, metrics)
    _admin_routes(app)
    _report_routes(app)
    _probe_routes(app, metrics)


def _client_routes(app: FastAPI, metrics: Metrics) -> None:
    clients = [Depends(client)]

    @app.post("/v1/suggest", response_model=SuggestResponse, dependencies=clients,
              responses={**ERRORS, 503: {"model": ErrorOut,
                                          "description": "no index loaded, or the request deadline passed"}})
    def suggest(body: SuggestRequest, service: ServiceDep, request: Request) -> SuggestResponse:
        """Ranked answers, empowerment and next-best actions for this moment of the call."""
        settings: Settings = request.app.state.settings
        deadline = Deadline(settings.request_deadline_seconds, started=request.state.started)
        call = to_call(body)
        calls: CallMemory = request.app.state.calls
        suggestion = service.suggest(call, body.limit, deadline=deadline, by_article=body.group_by_article,
                                     previous=calls.recall(body.conversation_id))
        calls.keep(body.conversation_id, suggestion.state)
        metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
        recorder: Recorder | None = request.app.state.recorder
        if recorder is not None:
            record = suggestion_record(suggestion, call, body.conversation_id, body.agent.id, dt.datetime.now(dt.UTC))
            recorder.submit(record)
        _log_suggestion(suggestion, recorder.store.pseudonym(body.conversation_id) if recorder else None)
        return to_response(suggestion)

    @app.get("/v1/articles/{article_id}", response_model=ArticleOut, dependencies=clients,
             responses={**ERRORS, 404: {"model": ErrorOut, "description": "no such article for this caller"}})
    def article(article_id: Annotated[str, Path(max_length=128)], service: ServiceDep,
                segment: Annotated[str | None, Query(max_length=64)] = None,
                role: Annotated[str | None, Query(max_length=64)] = None) -> ArticleOut:
        """An article as the agent reads it, for the links in answers; visibility as for suggest."""
        found, passages = service.article(article_id, Call(segment=segment, role=role))
        return ArticleOut(article_id=found.id, title=found.title, steps=list(found.steps),
                          sections=[SectionOut(section=p.section, text=p.text) for p in passages])

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=clients,
              responses={**ERRORS, 404: {"model": ErrorOut, "description": "the suggestion was never recorded"},
                         503: {"model": ErrorOut, "description": "the event store could not keep the event"}})
    def feedback(body: FeedbackRequest, recorder: RecorderDep) -> FeedbackResponse:
        """Store what the agent did with a suggestion; answered once stored (it survives a crash)."""
        events = to_events(body, dt.datetime.now(dt.UTC))
        for event in events:
            recorder.add(event)
            metrics.feedback.labels(str(event.kind)).inc()
        log.info("feedback", extra={"suggestion_id": body.suggestion_id, "events": [str(e.kind) for e in events]})
        return FeedbackResponse(status="recorded", suggestion_id=body.suggestion_id, events=len(events))


def _admin_routes(app: FastAPI) -> None:
    @app.post("/v1/admin/reload", response_model=ReloadResponse, dependencies=[Depends(admin)],
              responses={**ERRORS, 409: {"model": ErrorOut, "description": "the new version was refused"}})
    def reload(service: ServiceDep, body: Annotated[ReloadRequest | None, Body()] = None) -> ReloadResponse:
        """Load the version CURRENT names now; if it fails verification the old one keeps serving (409)."""
        try:
            outcome = service.reload()
        except AssistError as exc:
            raise HTTPException(409, detail=f"reload refused, still serving {service.version}: {exc}") from exc
        if body is not None and body.expect_version not in (None, outcome.version):
            raise HTTPException(409, detail=f"serving {outcome.version}, not {body.expect_version}")
        return ReloadResponse(index_version=outcome.version, previous_version=outcome.previous,
                              changed=outcome.changed)


def _report_routes(app: FastAPI) -> None:
    admins = [Depends(admin)]

    @app.get("/v1/reports/articles", response_model=ArticleReportOut, dependencies=admins, responses=ERRORS)
    def articles_report(recorder: RecorderDep, service: ServiceDep,
                        since: Since = "7d") -> ArticleReportOut:
        """Per article: shown, opened, used, thumbs, used rate, resolved when used; and the served articles
        never shown."""
        snapshot = service.snapshot
        served = list(snapshot.index.articles) if snapshot else []
        report = article_report(recorder.store, period_start(since), served)
        return ArticleReportOut(since=since, articles=[ArticleUseOut(**asdict(a)) for a in report.articles],
                                never_shown=list(report.never_shown))

    @app.get("/v1/reports/actions", response_model=ActionReportOut, dependencies=admins, responses=ERRORS)
    def actions_report(recorder: RecorderDep, since: Since = "7d") -> ActionReportOut:
        """Per policy action and segment: allowed / denied / ask; and the rules that decided most."""
        report = action_report(recorder.store, period_start(since))
        return ActionReportOut(since=since, actions=[ActionCountOut(**asdict(a)) for a in report.actions],
                               rules=[RuleCountOut(rule=r, decisions=n) for r, n in report.rules])

    @app.get("/v1/reports/gaps", response_model=GapReportOut, dependencies=admins, responses=ERRORS)
    def gaps_report(recorder: RecorderDep, service: ServiceDep,
                    since: Since = "7d") -> GapReportOut:
        """The questions nothing answered well, grouped by meaning, largest group first."""
        groups = group_gaps(gap_questions(recorder.store, period_start(since)), service.embedder,
                            service.best_article)
        return GapReportOut(since=since, groups=[GapGroupOut(
            size=g.size, representative=g.representative, examples=list(g.examples), best_article=g.best_article,
            best_score=g.best_score, members=[GapMemberOut(**asdict(m)) for m in g.members]) for g in groups])


    @app.get("/v1/reports/check", response_model=CheckReportOut, dependencies=admins, responses=ERRORS)
    def check_report(request: Request) -> CheckReportOut:
        """What `assist check` says of the served knowledge tree: errors first, then warnings."""
        settings: Settings = request.app.state.settings
        _, problems = check_tree(settings.knowledge_dir, settings.max_article_bytes)
        problems.sort(key=lambda p: p.severity != "error")
        return CheckReportOut(knowledge_dir=str(settings.knowledge_dir), problems=[
            ProblemOut(path=str(p.path), line=p.line, message=p.message, severity=p.severity)  # type: ignore[arg-type]
            for p in problems])


def _probe_routes(app: FastAPI, metrics: Metrics) -> None:
    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    def readyz(service: ServiceDep, request: Request) -> Response:
        """Ready once a verified index version is loaded and the event store (when on) can keep events; says
        so when CURRENT names a refused version."""
        version, refused = service.version, service.refused
        recorder: Recorder | None = request.app.state.recorder
        unready = "no index is loaded yet" if version is None else recorder.store.problem() if recorder else None
        if unready is not None:
            return JSONResponse(Health(status="unavailable", detail=unready).model_dump(), status_code=503)
        detail = None
        if refused is not None and refused.version == versions.current_version(service.index_dir):
            detail = f"CURRENT names {refused.version}, which failed verification; serving {version}"
        return JSONResponse(Health(status="ready", index_version=version, detail=detail).model_dump())

    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_reader)])
    def prometheus() -> Response:
        """Prometheus exposition."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)


def _log_suggestion(suggestion: Suggestion, conversation: str | None) -> None:
    """One line per suggestion; the conversation as the event store holds it (a pseudonym), never as sent."""
    top = suggestion.answers[0].article.id if suggestion.answers else None
    log.info("suggestion", extra={
        "suggestion_id": suggestion.suggestion_id, "index_version": suggestion.index_version,
        "conversation": conversation, "took_ms": suggestion.took_ms, "top_article": top,
        "answers": len(suggestion.answers), "confidence": suggestion.confidence,
        "knowledge_gap": suggestion.knowledge_gap,
    })
