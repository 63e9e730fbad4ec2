"""POST /v1/suggest: answers, empowerment and next-best actions for this moment of the call."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request

from assist.api.access import CallsDep, PublisherDep, ServiceDep, SettingsDep, client
from assist.api.schemas.admin import ERRORS, ErrorOut
from assist.api.schemas.call import SuggestRequest, to_call
from assist.api.schemas.suggestion import SuggestResponse
from assist.deadline import Deadline
from assist.service import Suggestion

log = logging.getLogger(__package__)  # the routes' one logger: log shippers select its lines by this name
router = APIRouter(dependencies=[Depends(client)])


@router.post("/v1/suggest", response_model=SuggestResponse,
             responses={**ERRORS, 503: {"model": ErrorOut,
                                        "description": "no index loaded, or the request deadline passed"}})
def suggest(body: SuggestRequest, service: ServiceDep, request: Request, settings: SettingsDep, calls: CallsDep,
            publisher: PublisherDep) -> SuggestResponse:
    """Ranked answers, empowerment and next-best actions for this moment of the call."""
    deadline = Deadline(settings.request_deadline_seconds, started=request.state.started)
    call = to_call(body)
    suggestion = service.suggest(call, body.limit, deadline=deadline, by_article=body.group_by_article,
                                 previous=calls.recall(body.conversation_id))
    calls.keep(body.conversation_id, suggestion.state)
    publisher.publish(suggestion, call, body)
    _log(suggestion, publisher.pseudonym(body.conversation_id))
    return SuggestResponse.model_validate(suggestion)


def _log(suggestion: Suggestion, conversation: str | None) -> None:
    """One line per suggestion; the conversation as the event store holds it (a pseudonym), never as sent."""
    top = suggestion.answers[0].article.id if suggestion.answers else None
    log.info("suggestion", extra={
        "suggestion_id": suggestion.suggestion_id, "index_version": suggestion.index_version,
        "conversation": conversation, "took_ms": suggestion.took_ms, "top_article": top,
        "answers": len(suggestion.answers), "confidence": suggestion.confidence,
        "knowledge_gap": suggestion.knowledge_gap,
    })
