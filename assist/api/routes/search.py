"""POST /v1/search: the agent's own search of the knowledge base, beside what suggest offers unasked."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from assist.api.access import ServiceDep, SettingsDep, client
from assist.api.schemas.admin import ERRORS, ErrorOut
from assist.api.schemas.search import SearchRequest, SearchResponse
from assist.api.schemas.suggestion import AnswerOut
from assist.deadline import Deadline

router = APIRouter(dependencies=[Depends(client)])


@router.post("/v1/search", response_model=SearchResponse,
             responses={**ERRORS, 503: {"model": ErrorOut,
                                        "description": "no index loaded, or the request deadline passed"}})
def search(body: SearchRequest, service: ServiceDep, request: Request, settings: SettingsDep) -> SearchResponse:
    """The passages that best match what the agent typed, among those the caller may see."""
    deadline = Deadline(settings.request_deadline_seconds, started=request.state.started)
    answers = service.search(body.query, body.caller(), body.limit, deadline=deadline)
    return SearchResponse(answers=[AnswerOut.model_validate(a) for a in answers])
