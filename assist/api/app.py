"""The FastAPI app: routes translate between HTTP and the service; domain errors become status codes here."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assist.api.docs import add_docs
from assist.api.metrics import CONTENT_TYPE, Metrics
from assist.api.middleware import BodyLimit, Observe
from assist.api.schemas import (
    AnswerOut,
    EmpowermentOut,
    ErrorOut,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    LimitOut,
    NextActionOut,
    ReloadRequest,
    ReloadResponse,
    SuggestRequest,
    SuggestResponse,
)
from assist.api.security import KeyRing
from assist.call import Call, Turn
from assist.deadline import Deadline
from assist.errors import AssistError, DeadlineExceededError, FeedbackNotStoredError, IndexNotFoundError
from assist.index import storage
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings
from assist.watcher import Watcher

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer <key>`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a body that is not JSON, or a bad Content-Length"},
    401: {"model": ErrorOut, "description": "missing or wrong API key"},
    413: {"model": ErrorOut, "description": "request body too large"},
}


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.service
    return service


ServiceDep = Annotated[KnowledgeService, Depends(_service)]


def _unauthorized() -> HTTPException:
    return HTTPException(401, detail="a valid API key is required", headers={"WWW-Authenticate": "Bearer"})


def _client(request: Request, credentials: Credentials) -> None:
    """Client routes need a key only when client keys are configured."""
    keys: KeyRing = request.app.state.client_keys
    if keys.required and not keys.accepts(credentials.credentials if credentials else None):
        raise _unauthorized()


def _admin(request: Request, credentials: Credentials) -> None:
    """Admin routes always need an admin key; with none configured they are closed."""
    keys: KeyRing = request.app.state.admin_keys
    if not keys.accepts(credentials.credentials if credentials else None):
        raise _unauthorized()


def _metrics_reader(request: Request, credentials: Credentials) -> None:
    """In production /metrics needs an admin key, unless ASSIST_PUBLIC_METRICS says it is public."""
    settings: Settings = request.app.state.settings
    if settings.profile == "production" and not settings.public_metrics:
        _admin(request, credentials)


def to_call(body: SuggestRequest) -> Call:
    """The domain view of a suggest request."""
    return Call(
        transcript=tuple(Turn(t.speaker, t.text) for t in body.transcript),
        issue=body.issue,
        segment=body.customer.segment,
        role=body.agent.role,
        attributes=dict(body.customer.attributes),
        facts=dict(body.facts),
        filters=dict(body.filters),
    )


def to_response(suggestion: Suggestion) -> SuggestResponse:
    """The HTTP view of a suggestion."""
    return SuggestResponse(
        suggestion_id=suggestion.suggestion_id,
        index_version=suggestion.index_version,
        took_ms=suggestion.took_ms,
        confidence=suggestion.confidence,
        knowledge_gap=suggestion.knowledge_gap,
        answers=[
            AnswerOut(article_id=a.article.id, title=a.article.title, section=a.passage.section,
                      passage=a.passage.text, score=a.score, highlights=list(a.highlights), why=a.why)
            for a in suggestion.answers
        ],
        empowerment=[
            EmpowermentOut(action=d.action, label=d.label, decision=d.decision,  # type: ignore[arg-type]
                           limit=LimitOut(amount=d.limit.amount, currency=d.limit.currency) if d.limit else None,
                           needs=list(d.needs), rule=d.rule, explanation=d.explanation,
                           source_article=d.source_article)
            for d in suggestion.empowerment
        ],
        next_best_actions=[
            NextActionOut(action=n.action, label=n.label, reason=n.reason, source=n.source)
            for n in suggestion.next_best_actions
        ],
    )


def _log_suggestion(body: SuggestRequest, suggestion: Suggestion) -> None:
    top = suggestion.answers[0].article.id if suggestion.answers else None
    log.info("suggestion", extra={
        "suggestion_id": suggestion.suggestion_id, "index_version": suggestion.index_version,
        "conversation_id": body.conversation_id, "took_ms": suggestion.took_ms, "top_article": top,
        "answers": len(suggestion.answers), "confidence": suggestion.confidence,
        "knowledge_gap": suggestion.knowledge_gap,
    })


def create_app(settings: Settings, service: KnowledgeService, watcher: Watcher | None = None) -> FastAPI:
    """Build the app around an already constructed service; `watcher` runs for the app's lifetime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()

    # Offline product: docs are served from local files, and in production only when ASSIST_PUBLIC_DOCS is set.
    docs = settings.profile != "production" or settings.public_docs
    app = FastAPI(title="assist", version="1", summary="Agent-assist knowledge service", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json" if docs else None)
    if docs:
        add_docs(app)
    app.state.service = service
    app.state.watcher = watcher
    app.state.settings = settings
    app.state.metrics = metrics = Metrics(service)
    app.state.client_keys = KeyRing(settings.key_hashes())
    app.state.admin_keys = KeyRing(settings.admin_key_hashes())
    _errors(app)
    _routes(app, metrics)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(Observe, metrics=metrics, routes=app.routes)
    return app


def _errors(app: FastAPI) -> None:
    """Domain errors and surprises become short JSON messages; details go to the log only."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The caller's input is not echoed back: it may be a transcript full of personal data.
        broken = next((e for e in exc.errors() if e["type"] == "json_invalid"), None)
        if broken is not None:
            position = broken["loc"][-1]
            return JSONResponse({"detail": f"request body is not valid JSON (at character {position})"},
                                status_code=400)
        detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(FeedbackNotStoredError)
    async def _not_stored(request: Request, exc: FeedbackNotStoredError) -> JSONResponse:
        log.error("feedback not stored", extra={"path": str(exc.path), "error": exc.reason})
        return JSONResponse({"detail": f"feedback not stored: {exc.reason}"}, status_code=503)

    @app.exception_handler(IndexNotFoundError)
    async def _not_ready(request: Request, exc: IndexNotFoundError) -> JSONResponse:
        return JSONResponse({"detail": "no index is loaded yet"}, status_code=503)

    @app.exception_handler(DeadlineExceededError)
    async def _too_late(request: Request, exc: DeadlineExceededError) -> JSONResponse:
        log.warning("request deadline exceeded", extra={"error": str(exc), "path": request.url.path})
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(AssistError)
    async def _domain_error(request: Request, exc: AssistError) -> JSONResponse:
        log.error("request failed", extra={"error": str(exc), "path": request.url.path})
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", extra={"path": request.url.path})
        return JSONResponse({"detail": "internal error"}, status_code=500)


def _routes(app: FastAPI, metrics: Metrics) -> None:
    _client_routes(app, metrics)
    _admin_routes(app)
    _probe_routes(app, metrics)


def _client_routes(app: FastAPI, metrics: Metrics) -> None:
    client = [Depends(_client)]

    @app.post("/v1/suggest", response_model=SuggestResponse, dependencies=client,
              responses={**_ERRORS, 503: {"model": ErrorOut,
                                          "description": "no index loaded, or the request deadline passed"}})
    def suggest(body: SuggestRequest, service: ServiceDep, request: Request) -> SuggestResponse:
        """Ranked answers, empowerment and next-best actions for this moment of the call."""
        settings: Settings = request.app.state.settings
        deadline = Deadline(settings.request_deadline_seconds, started=request.state.started)
        suggestion = service.suggest(to_call(body), body.limit, deadline=deadline)
        metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
        _log_suggestion(body, suggestion)
        return to_response(suggestion)

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=client,
              responses={**_ERRORS, 503: {"model": ErrorOut, "description": "the feedback file could not be written"}})
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
    @app.post("/v1/admin/reload", response_model=ReloadResponse, dependencies=[Depends(_admin)],
              responses={**_ERRORS, 409: {"model": ErrorOut, "description": "the new version was refused"}})
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
        if refused is not None and refused.version == storage.current_version(service.index_dir):
            detail = f"CURRENT names {refused.version}, which failed verification; serving {version}"
        return JSONResponse(Health(status="ready", index_version=version, detail=detail).model_dump())

    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(_metrics_reader)])
    def prometheus() -> Response:
        """Prometheus exposition."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)
