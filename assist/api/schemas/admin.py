"""Probes, errors and the admin's reload."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    """GET /healthz and /readyz."""

    status: str
    index_version: str | None = None
    ranker_version: str | None = None  # the learned ranker served (`assist learn`); absent: the hand weights
    detail: str | None = None


class ErrorOut(BaseModel):
    """Every non-422 error: a short message, never a stack trace."""

    detail: str


class ReloadRequest(BaseModel):
    """POST /v1/admin/reload (body optional). Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    expect_version: str | None = Field(default=None, max_length=128,
                                       description="fail with 409 unless this is the version served afterwards")


class ReloadResponse(BaseModel):
    """What the service serves after a reload."""

    index_version: str
    previous_version: str | None
    changed: bool
    ranker_version: str | None = None  # the learned ranker served now; absent: the hand weights


# The errors every route may answer besides its own (a route adds those).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "a body that is not JSON, or a bad Content-Length"},
    401: {"model": ErrorOut, "description": "missing or wrong API key"},
    413: {"model": ErrorOut, "description": "request body too large"},
}
