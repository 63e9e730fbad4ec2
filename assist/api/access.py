"""Who may call what: API keys from the Authorization header, and the service a route works on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


ServiceDep = Annotated[KnowledgeService, Depends(_service)]


def _recorder(request: Request) -> Recorder:
    """The event store's recorder; 503 when the app runs without one."""
    recorder: Recorder | None = request.app.state.recorder
    if recorder is None:
        raise HTTPException(503, detail="the event store is off (ASSIST_RECORD_SUGGESTIONS=false)")
    return recorder


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


def metrics_reader(request: Request, credentials: Credentials) -> None:
    """In production /metrics needs an admin key, unless ASSIST_PUBLIC_METRICS says it is public."""
    settings: Settings = request.app.state.settings
    if settings.profile == "production" and not settings.public_metrics:
        admin(request, credentials)
