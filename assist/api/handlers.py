"""Domain errors and surprises become short JSON answers with a status code: here, and nowhere else."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assist.errors import (
    AssistError,
    DeadlineExceededError,
    FeedbackNotStoredError,
    FeedbackRejectedError,
    IndexNotFoundError,
    UnknownArticleError,
    UnknownSuggestionError,
)

log = logging.getLogger(__name__)


def add_error_handlers(app: FastAPI) -> None:
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
        log.error("feedback not stored", extra={"error": str(exc)})
        return JSONResponse({"detail": f"feedback not stored: {exc}"}, status_code=503)

    @app.exception_handler(UnknownSuggestionError)
    async def _unknown(request: Request, exc: UnknownSuggestionError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(UnknownArticleError)
    async def _no_article(request: Request, exc: UnknownArticleError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(FeedbackRejectedError)
    async def _rejected(request: Request, exc: FeedbackRejectedError) -> JSONResponse:
        detail = [{"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)

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
