"""POST /v1/admin/reload: serve the version CURRENT names now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException

from assist.api.access import ServiceDep, admin
from assist.api.schemas.admin import ERRORS, ErrorOut, ReloadRequest, ReloadResponse
from assist.errors import AssistError

router = APIRouter(dependencies=[Depends(admin)])


@router.post("/v1/admin/reload", response_model=ReloadResponse,
             responses={**ERRORS, 409: {"model": ErrorOut, "description": "the new version was refused"}})
def reload(service: ServiceDep, body: Annotated[ReloadRequest | None, Body()] = None) -> ReloadResponse:
    """Load the version CURRENT names now; if it fails verification the old one keeps serving (409)."""
    try:
        outcome = service.reload()
    except AssistError as exc:
        raise HTTPException(409, detail=f"reload refused, still serving {service.version}: {exc}") from exc
    if body is not None and body.expect_version not in (None, outcome.version):
        raise HTTPException(409, detail=f"serving {outcome.version}, not {body.expect_version}")
    return ReloadResponse(index_version=outcome.version, previous_version=outcome.previous, changed=outcome.changed,
                          ranker_version=outcome.ranker)
