"""POST /v1/feedback: what the agent did with a suggestion, stored durably."""

from __future__ import annotations

import datetime as dt
import logging

from fastapi import APIRouter, Depends

from assist.api.access import MetricsDep, RecorderDep, client
from assist.api.schemas.admin import ERRORS, ErrorOut
from assist.api.schemas.feedback import FeedbackRequest, FeedbackResponse

log = logging.getLogger(__package__)  # the routes' one logger: log shippers select its lines by this name
router = APIRouter(dependencies=[Depends(client)])


@router.post("/v1/feedback", response_model=FeedbackResponse,
             responses={**ERRORS, 404: {"model": ErrorOut, "description": "the suggestion was never recorded"},
                        503: {"model": ErrorOut, "description": "the event store could not keep the event"}})
def feedback(body: FeedbackRequest, recorder: RecorderDep, metrics: MetricsDep) -> FeedbackResponse:
    """Store what the agent did with a suggestion; answered once stored (it survives a crash)."""
    events = body.events(dt.datetime.now(dt.UTC))
    for event in events:
        recorder.add(event)
        metrics.feedback.labels(str(event.kind)).inc()
    log.info("feedback", extra={"suggestion_id": body.suggestion_id, "events": [str(e.kind) for e in events]})
    return FeedbackResponse(status="recorded", suggestion_id=body.suggestion_id, events=len(events))
