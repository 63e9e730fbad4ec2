"""Publishing a suggestion, whichever transport made it: counted, and recorded in the event store."""

from __future__ import annotations

import datetime as dt

from assist.api.metrics import Metrics
from assist.api.schemas.call import SuggestRequest
from assist.call import Call
from assist.feedback.events import suggestion_record
from assist.feedback.recorder import Recorder
from assist.service import Suggestion


class Publisher:
    """Counts every suggestion shown and records it when the event store is on."""

    def __init__(self, metrics: Metrics, recorder: Recorder | None) -> None:
        self.metrics = metrics
        self.recorder = recorder

    def publish(self, suggestion: Suggestion, call: Call, request: SuggestRequest) -> None:
        """Count the suggestion and queue its record (never waited for)."""
        self.metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
        if self.recorder is not None:
            self.recorder.submit(suggestion_record(suggestion, call, request.conversation_id, request.agent.id,
                                                   dt.datetime.now(dt.UTC)))

    def pseudonym(self, conversation_id: str | None) -> str | None:
        """The conversation as the event store holds it; None without a store (nothing may name it then)."""
        return self.recorder.store.pseudonym(conversation_id) if self.recorder else None
