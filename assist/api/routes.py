"""The routes: suggest and feedback for clients, reload for admins, health, readiness and metrics."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from assist.api.access import ServiceDep, admin, client, metrics_reader
from assist.api.mapping import to_call, to_response
from assist.api.metrics import CONTENT_TYPE, Metrics
from assist.api.schemas import (
    ErrorOut,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    ReloadRequest,
    ReloadResponse,
    SuggestRequest,
    SuggestResponse,
)
from assist.deadline import Deadline
from assist.errors import AssistError
from assist.index import storage, versions
from assist.service import Suggestion
from assist.settings import Settings

log = logging.getLogger(__name__)
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a body that is not JSON, or a bad Content-Length"},
    401: {"model": ErrorOut, "description": "missing or wrong API key"},
    413: {"model": ErrorOut, "description": "request body too large"},
}



def add_routes(app: FastAPI, metrics: Metrics) -> None:
    _client_routes(app, metrics)
    _admin_routes(app)
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
        suggestion = service.suggest(to_call(body), body.limit, deadline=deadline, by_article=body.group_by_article)
        metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
        _log_suggestion(body, suggestion)
        return to_response(suggestion)

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=clients,
              responses={**ERRORS, 503: {"model": ErrorOut, "description": "the feedback file could not be written"}})
    def feedback(body: FeedbackRequest, request: Request) -> FeedbackResponse:
        """Record whether a suggestion helped; appended to a file if set, then counted in metrics and logged."""
        record = body.model_dump()
        path = request.app.state.settings.feedback_file
        if path is not None:  # stored first: what is counted and logged is what was kept
            storage.append_line(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))
        metrics.feedback.labels(str(body.helpful).lower() if body.helpful is not None else "unknown").inc()
        log.info("feedback", extra=record)
        return FeedbackResponse(status="recorded", suggestion_id=body.suggestion_id)


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


def _probe_routes(app: FastAPI, metrics: Metrics) -> None:
    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    def readyz(service: ServiceDep) -> Response:
        """Ready once a verified index version is loaded; says so when CURRENT names a refused version."""
        version, refused = service.version, service.refused
        if version is None:
            return JSONResponse(Health(status="unavailable", detail="no index is loaded yet").model_dump(),
                                status_code=503)
        detail = None
        if refused is not None and refused.version == versions.current_version(service.index_dir):
            detail = f"CURRENT names {refused.version}, which failed verification; serving {version}"
        return JSONResponse(Health(status="ready", index_version=version, detail=detail).model_dump())

    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_reader)])
    def prometheus() -> Response:
        """Prometheus exposition."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)


def _log_suggestion(body: SuggestRequest, suggestion: Suggestion) -> None:
    top = suggestion.answers[0].article.id if suggestion.answers else None
    log.info("suggestion", extra={
        "suggestion_id": suggestion.suggestion_id, "index_version": suggestion.index_version,
        "conversation_id": body.conversation_id, "took_ms": suggestion.took_ms, "top_article": top,
        "answers": len(suggestion.answers), "confidence": suggestion.confidence,
        "knowledge_gap": suggestion.knowledge_gap,
    })
