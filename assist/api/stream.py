"""GET /v1/stream: one WebSocket per call. The desktop sends the call as it happens (context, turns, facts);
assist acknowledges every message and pushes a new suggestion whenever the answers, decisions or actions change.

Each message is checked against its schema and bounded (size, turns, facts); a bad one ends the socket with a
close code and a message saying why. The client key, when keys are configured, comes in the first message
(`context.api_key`): browsers cannot set headers on a WebSocket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from assist.api.mapping import to_response
from assist.api.schemas import (
    MAX_FACTS,
    MAX_TURNS,
    StreamContext,
    StreamFacts,
    StreamMessage,
    StreamReset,
    StreamTurn,
)
from assist.api.security import KeyRing
from assist.call import Call, FactValue, Turn
from assist.deadline import Deadline
from assist.errors import AssistError
from assist.feedback.events import suggestion_record
from assist.feedback.recorder import Recorder
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
BAD_MESSAGE, BAD_KEY, IDLE, TOO_LARGE = 4400, 4401, 4408, 4413
_MESSAGE: TypeAdapter[Any] = TypeAdapter(StreamMessage)


class StreamClosed(Exception):
    """The socket must close with `code`, telling the client `detail`."""

    def __init__(self, code: int, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(detail)


@dataclass
class CallState:
    """What the desktop has told us about the call so far."""

    context: StreamContext = field(default_factory=lambda: StreamContext(type="context"))
    turns: list[Turn] = field(default_factory=list)
    facts: dict[str, FactValue] = field(default_factory=dict)

    def apply(self, message: Any) -> None:
        """Take one message in; StreamClosed when it would break a bound."""
        if isinstance(message, StreamContext):
            self.context = message
        elif isinstance(message, StreamTurn):
            if len(self.turns) >= MAX_TURNS:
                raise StreamClosed(TOO_LARGE, f"transcript: at most {MAX_TURNS} turns a call")
            self.turns.append(Turn(message.speaker, message.text))
        elif isinstance(message, StreamFacts):
            merged = {**self.facts, **{k: v for k, v in message.facts.items() if v is not None}}
            for name in (k for k, v in message.facts.items() if v is None):
                merged.pop(name, None)
            if len(merged) > MAX_FACTS:
                raise StreamClosed(TOO_LARGE, f"facts: at most {MAX_FACTS} a call")
            self.facts = merged
        else:  # reset
            self.turns, self.facts = [], {}

    def call(self) -> Call | None:
        """The call as the service reads it; None until there is a turn or an issue to answer."""
        context = self.context
        if not any(t.text.strip() for t in self.turns) and not (context.issue and context.issue.strip()):
            return None
        return Call(transcript=tuple(self.turns), issue=context.issue, segment=context.customer.segment,
                    role=context.agent.role, attributes=dict(context.customer.attributes), facts=dict(self.facts),
                    filters=dict(context.filters))


def add_stream_route(app: FastAPI) -> None:
    """Register GET /v1/stream."""

    @app.websocket("/v1/stream")
    async def stream(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await _converse(websocket)
        except WebSocketDisconnect:
            return
        except StreamClosed as closed:
            await websocket.send_json({"type": "error", "detail": closed.detail})
            await websocket.close(code=closed.code, reason=closed.detail[:120])


async def _converse(websocket: WebSocket) -> None:
    settings: Settings = websocket.app.state.settings
    service: KnowledgeService = websocket.app.state.service
    keys: KeyRing = websocket.app.state.client_keys
    state, seq, shown = CallState(), 0, None
    authorized = not keys.required
    while True:
        message = await _receive(websocket, settings.stream_idle_seconds)
        if not authorized:
            if not isinstance(message, StreamContext) or not keys.accepts(message.api_key):
                raise StreamClosed(BAD_KEY, "a valid API key is required: send it as api_key in the first "
                                            "context message")
            authorized = True
        state.apply(message)
        if isinstance(message, StreamReset):
            shown = None  # a new call: its first suggestion is news, even if it reads like the last call's
        seq += 1
        await websocket.send_json({"type": "ack", "seq": seq})
        call = state.call()
        if call is None:
            continue
        try:
            suggestion, body = await run_in_threadpool(_suggest, service, settings, state, call)
        except AssistError as exc:  # not ready, or overloaded: say so and keep the call open
            await websocket.send_json({"type": "error", "seq": seq, "detail": str(exc)})
            continue
        changed = {k: body[k] for k in ("answers", "empowerment", "next_best_actions", "knowledge_gap")}
        if changed != shown:  # only what the desktop is shown is pushed, counted and recorded
            shown = changed
            _record(websocket.app, state, call, suggestion)
            await websocket.send_json({"type": "suggestion", "seq": seq, "suggestion": body})


async def _receive(websocket: WebSocket, idle_seconds: float) -> Any:
    """The next message, parsed and checked; StreamClosed for one that is idle too long, too large or bad."""
    try:
        raw = await asyncio.wait_for(websocket.receive(), timeout=idle_seconds)
    except TimeoutError as exc:
        raise StreamClosed(IDLE, f"no message for {idle_seconds:g} s; closed") from exc
    if raw["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(raw.get("code", 1000))
    text = raw.get("text")
    if text is None:
        raise StreamClosed(BAD_MESSAGE, "messages are JSON text, not binary")
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        raise StreamClosed(TOO_LARGE, f"a message is at most {MAX_MESSAGE_BYTES} bytes")
    try:
        return _MESSAGE.validate_python(json.loads(text))
    except json.JSONDecodeError as exc:
        raise StreamClosed(BAD_MESSAGE, f"not valid JSON (at character {exc.pos})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise StreamClosed(BAD_MESSAGE, f"{where}: {first['msg']}" if where else first["msg"]) from exc


def _suggest(service: KnowledgeService, settings: Settings, state: CallState, call: Call
             ) -> tuple[Suggestion, dict[str, Any]]:
    """One suggestion for the call as it stands, and its JSON as /v1/suggest sends it."""
    context = state.context
    deadline = Deadline(settings.request_deadline_seconds)
    suggestion = service.suggest(call, context.limit, deadline=deadline, by_article=context.group_by_article)
    return suggestion, to_response(suggestion).model_dump(mode="json")


def _record(app: FastAPI, state: CallState, call: Call, suggestion: Suggestion) -> None:
    """Count and record a pushed suggestion like an HTTP one."""
    recorder: Recorder | None = app.state.recorder
    if recorder is not None:
        recorder.submit(suggestion_record(suggestion, call, state.context.conversation_id, state.context.agent.id,
                                          dt.datetime.now(dt.UTC)))
    app.state.metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
