"""Who may call what (API keys from the Authorization header), and what a route works on: the dependency
aliases every router reads the app's parts through."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assist.api.calls import CallMemory
from assist.api.metrics import Metrics
from assist.api.publish import Publisher
from assist.api.security import KeyRing
from assist.feedback.recorder import Recorder
from assist.service import KnowledgeService
from assist.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer <key>`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _service(request: Request) -> KnowledgeService:
    """The service the app was built around."""
    service: KnowledgeService = request.app.state.service
    return service


def _settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def _metrics(request: Request) -> Metrics:
    """The app's metrics."""
    metrics: Metrics = request.app.state.metrics
    return metrics


def _calls(request: Request) -> CallMemory:
    """The calls REST follows, by conversation id."""
    calls: CallMemory = request.app.state.calls
    return calls


def _publisher(request: Request) -> Publisher:
    """Where suggestions are counted and recorded."""
    publisher: Publisher = request.app.state.publisher
    return publisher


def _store_recorder(request: Request) -> Recorder | None:
    """The event store's recorder, or None when the app runs without one."""
    recorder: Recorder | None = request.app.state.recorder
    return recorder


def _recorder(recorder: Annotated[Recorder | None, Depends(_store_recorder)]) -> Recorder:
    """The event store's recorder; 503 when the app runs without one."""
    if recorder is None:
        raise HTTPException(503, detail="the event store is off (ASSIST_RECORD_SUGGESTIONS=false)")
    return recorder


ServiceDep = Annotated[KnowledgeService, Depends(_service)]
SettingsDep = Annotated[Settings, Depends(_settings)]
MetricsDep = Annotated[Metrics, Depends(_metrics)]
CallsDep = Annotated[CallMemory, Depends(_calls)]
PublisherDep = Annotated[Publisher, Depends(_publisher)]
MaybeRecorderDep = Annotated[Recorder | None, Depends(_store_recorder)]
RecorderDep = Annotated[Recorder, Depends(_recorder)]


def _unauthorized() -> HTTPException:
    return HTTPException(401, detail="a valid API key is required", headers={"WWW-Authenticate": "Bearer"})


def client(request: Request, credentials: Credentials) -> None:
    """Client routes need a key only when client keys are configured."""
    keys: KeyRing = request.app.state.client_keys
    if keys.required and not keys.accepts(credentials.credentials if credentials else None):
        raise _unauthorized()


def admin(request: Request, credentials: Credentials) -> None:
    """Admin routes always need an admin key; with none configured they are closed."""
    keys: KeyRing = request.app.state.admin_keys
    if not keys.accepts(credentials.credentials if credentials else None):
        raise _unauthorized()


def metrics_reader(request: Request, settings: SettingsDep, credentials: Credentials) -> None:
    """In production /metrics needs an admin key, unless ASSIST_PUBLIC_METRICS says it is public."""
    if settings.profile == "production" and not settings.public_metrics:
        admin(request, credentials)
