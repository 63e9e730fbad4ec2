"""The FastAPI app: the service, keys, docs, error handlers, routes and middleware, put together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from assist.api.budget import StreamBudget
from assist.api.calls import CallMemory
from assist.api.docs import ASSETS, DOCS, add_docs
from assist.api.handlers import add_error_handlers
from assist.api.metrics import Metrics
from assist.api.middleware import BodyLimit, Observe, SecurityHeaders
from assist.api.origin import trusted_hosts
from assist.api.pages import add_pages
from assist.api.publish import Publisher
from assist.api.routes import router
from assist.api.security import KeyRing
from assist.feedback.recorder import Recorder
from assist.service import KnowledgeService
from assist.settings import Settings
from assist.watcher import Watcher


def create_app(settings: Settings, service: KnowledgeService, watcher: Watcher | None = None,
               recorder: Recorder | None = None) -> FastAPI:
    """Build the app around an already constructed service; `watcher` runs for the app's lifetime, and
    `recorder` (the event store) keeps suggestions and feedback, closed when the app stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()
            if recorder is not None:
                recorder.close()

    # Offline product: docs are served from local files, and in production only when ASSIST_PUBLIC_DOCS is set.
    docs = settings.profile != "production" or settings.public_docs
    app = FastAPI(title="assist", version="1", summary="Agent-assist knowledge service", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json" if docs else None)
    if docs:
        add_docs(app)
    app.state.service = service
    app.state.watcher = watcher
    app.state.settings = settings
    app.state.recorder = recorder
    app.state.calls = CallMemory(settings.call_memory, settings.call_memory_seconds)
    app.state.metrics = metrics = Metrics(service, recorder)
    app.state.publisher = Publisher(metrics, recorder)
    app.state.client_keys = KeyRing(settings.key_hashes())
    app.state.admin_keys = KeyRing(settings.admin_key_hashes())
    app.state.stream_budget = StreamBudget.of(settings)
    add_error_handlers(app)
    app.include_router(router)
    add_pages(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, unpoliced=(DOCS, ASSETS))
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    if "*" not in settings.trusted_hosts:  # DNS rebinding: a page under another name gets 400, stream included
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts(settings), www_redirect=False)
    app.add_middleware(Observe, metrics=metrics, routes=app.routes)
    return app
