"""The FastAPI app: routes translate between HTTP and the service; domain errors become status codes here."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from assist.call import Call, Turn
from assist.errors import AssistError, IndexNotFoundError
from assist.schemas import (
    AnswerOut,
    EmpowermentOut,
    Health,
    LimitOut,
    NextActionOut,
    SuggestRequest,
    SuggestResponse,
)
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings

log = logging.getLogger(__name__)


def _service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.service
    return service


ServiceDep = Annotated[KnowledgeService, Depends(_service)]


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


def create_app(settings: Settings, service: KnowledgeService) -> FastAPI:
    """Build the app around an already constructed service."""
    app = FastAPI(title="assist", version="1", summary="Agent-assist knowledge service")
    app.state.service = service
    app.state.settings = settings

    @app.exception_handler(IndexNotFoundError)
    async def _not_ready(request: Request, exc: IndexNotFoundError) -> JSONResponse:
        return JSONResponse({"detail": "no index is loaded yet"}, status_code=503)

    @app.exception_handler(AssistError)
    async def _domain_error(request: Request, exc: AssistError) -> JSONResponse:
        log.error("request failed", extra={"error": str(exc), "path": request.url.path})
        return JSONResponse({"detail": "internal error"}, status_code=500)

    @app.post("/v1/suggest", response_model=SuggestResponse)
    def suggest(body: SuggestRequest, service: ServiceDep) -> SuggestResponse:
        """Ranked answers, empowerment and next-best actions for this moment of the call."""
        return to_response(service.suggest(to_call(body), body.limit))

    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        """The process is up."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    def readyz(service: ServiceDep) -> Health:
        """Ready once a verified index version is loaded."""
        snapshot = service.snapshot
        if snapshot is None:
            raise HTTPException(503, detail="no index is loaded yet")
        return Health(status="ready", index_version=snapshot.index.version)

    return app
