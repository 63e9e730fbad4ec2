"""GET /v1/stream: one WebSocket per call. The desktop sends the call as it happens (context, turns, facts, steps
the agent marked done); assist acknowledges every message and pushes a new suggestion whenever the answers,
procedure, facts, decisions or actions change. The socket holds the call's guidance state: each suggestion goes
on from the last (the procedure stays until the customer raises a new need); a reset starts afresh.

Each message is checked against its schema and bounded (size, turns, facts); a bad one ends the socket with a
close code and a message saying why. The client key, when keys are configured, comes in the first message
(`context.api_key`): browsers cannot set headers on a WebSocket.

A socket costs the process little, and never HTTP's connections or threads (assist.api.budget):

- a page on another site cannot open it: an Origin other than the page's own (Host) or one listed in
  ASSIST_CORS_ORIGINS is refused with HTTP 403 before the handshake; clients that send no Origin are not browsers;
- beyond ASSIST_STREAM_MAX sockets in the process, ASSIST_STREAM_MAX_PER_CLIENT from one address (until the
  socket presents a key) or ASSIST_STREAM_MAX_PER_KEY under one key, a socket is closed at once with 1013
  ("try again later");
- the first message must come within ASSIST_STREAM_FIRST_MESSAGE_SECONDS (4408; 4401 when a key is required);
- messages are coalesced: every one is applied and acknowledged at once, but a socket has one suggestion in
  flight at a time, and when it is done the latest state (not each message in between) gets the next one;
- a socket may send ASSIST_STREAM_MESSAGE_BURST messages at once (a call replayed after a reconnect), then
  ASSIST_STREAM_MESSAGES_PER_SECOND; one that keeps sending faster is closed with 4429 (reset counts too).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from assist.api.budget import Lease, MessageBucket, OverBudget, StreamBudget
from assist.api.mapping import to_response
from assist.api.origin import origin_allowed
from assist.api.schemas import (
    MAX_FACTS,
    MAX_TURNS,
    StreamContext,
    StreamFacts,
    StreamMessage,
    StreamReset,
    StreamStep,
    StreamTurn,
)
from assist.api.security import KeyRing
from assist.call import Call, FactValue, Turn
from assist.deadline import Deadline
from assist.digest import sha256
from assist.errors import AssistError
from assist.feedback.events import suggestion_record
from assist.feedback.recorder import Recorder
from assist.policy.guidance import CallState
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
BAD_MESSAGE, BAD_KEY, IDLE, TOO_LARGE, TOO_MANY = 4400, 4401, 4408, 4413, 4429
BUSY = 1013  # RFC 6455 registry: "try again later"
_MESSAGE: TypeAdapter[Any] = TypeAdapter(StreamMessage)


class StreamClosed(Exception):
    """The socket must close with `code`, telling the client `detail`."""

    def __init__(self, code: int, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(detail)


@dataclass
class DeskState:
    """What the desktop has told us about the call so far."""

    context: StreamContext = field(default_factory=lambda: StreamContext(type="context"))
    turns: list[Turn] = field(default_factory=list)
    facts: dict[str, FactValue] = field(default_factory=dict)
    marked: set[str] = field(default_factory=set)

    def apply(self, message: Any) -> None:
        """Take one message in; StreamClosed when it would break a bound."""
        if isinstance(message, StreamContext):
            self.context = message
        elif isinstance(message, StreamTurn):
            if len(self.turns) >= MAX_TURNS:
                raise StreamClosed(TOO_LARGE, f"transcript: at most {MAX_TURNS} turns a call")
            self.turns.append(Turn(message.speaker, message.text))
        elif isinstance(message, StreamStep):
            if message.done and len(self.marked) >= MAX_FACTS:
                raise StreamClosed(TOO_LARGE, f"steps: at most {MAX_FACTS} marked done a call")
            (self.marked.add if message.done else self.marked.discard)(message.action)
        elif isinstance(message, StreamFacts):
            merged = {**self.facts, **{k: v for k, v in message.facts.items() if v is not None}}
            for name in (k for k, v in message.facts.items() if v is None):
                merged.pop(name, None)
            if len(merged) > MAX_FACTS:
                raise StreamClosed(TOO_LARGE, f"facts: at most {MAX_FACTS} a call")
            self.facts = merged
        else:  # reset
            self.turns, self.facts, self.marked = [], {}, set()

    def call(self) -> Call | None:
        """The call as the service reads it; None until there is a turn or an issue to answer."""
        context = self.context
        if not any(t.text.strip() for t in self.turns) and not (context.issue and context.issue.strip()):
            return None
        return Call(transcript=tuple(self.turns), issue=context.issue, segment=context.customer.segment,
                    role=context.agent.role, attributes=dict(context.customer.attributes), facts=dict(self.facts),
                    filters=dict(context.filters), marked=frozenset(self.marked))


def add_stream_route(app: FastAPI) -> None:
    """Register GET /v1/stream."""

    @app.websocket("/v1/stream")
    async def stream(websocket: WebSocket) -> None:
        settings: Settings = websocket.app.state.settings
        if not origin_allowed(websocket.headers.get("origin"), websocket.headers.get("host"), settings.cors_origins):
            log.warning("stream refused: foreign origin", extra={"origin": websocket.headers.get("origin")})
            detail = ("this origin may not open the stream: serve the page from this server or list its origin in "
                      "ASSIST_CORS_ORIGINS")
            await websocket.send_denial_response(JSONResponse({"detail": detail}, status_code=403))
            return
        await websocket.accept()
        lease: Lease | None = None
        try:
            lease = websocket.app.state.stream_budget.admit(_client(websocket))
            await _converse(websocket, settings, lease)
        except WebSocketDisconnect:
            return
        except OverBudget as exc:
            log.warning("stream refused: over budget", extra={"client": _client(websocket), "limit": str(exc)})
            await _close(websocket, StreamClosed(BUSY, str(exc)))
        except StreamClosed as closed:
            await _close(websocket, closed)
        finally:
            if lease is not None:
                lease.release()


async def _converse(websocket: WebSocket, settings: Settings, lease: Lease) -> None:
    keys: KeyRing = websocket.app.state.client_keys
    first_seconds = min(settings.stream_first_message_seconds, settings.stream_idle_seconds)
    message = await _receive(websocket, first_seconds, BAD_KEY if keys.required else IDLE)
    if keys.required:
        if not isinstance(message, StreamContext) or not keys.accepts(message.api_key):
            raise StreamClosed(BAD_KEY, "a valid API key is required: send it as api_key in the first "
                                        "context message")
        lease.present(sha256(message.api_key or ""))
    bucket = MessageBucket(settings.stream_messages_per_second, settings.stream_message_burst)
    conversation = Conversation(websocket, settings)
    answering = asyncio.create_task(conversation.answer())
    try:
        while True:
            if not bucket.take():
                raise StreamClosed(TOO_MANY, f"more than {settings.stream_message_burst} messages at once, or "
                                             f"{settings.stream_messages_per_second:g} a second; closed")
            await conversation.take(message)
            if answering.done():
                answering.result()  # a failure there is this socket's failure
            message = await _receive(websocket, settings.stream_idle_seconds, IDLE)
    finally:
        answering.cancel()  # it awaits only asyncio futures: cancelled, it sends nothing more


async def _close(websocket: WebSocket, closed: StreamClosed) -> None:
    await websocket.send_json({"type": "error", "detail": closed.detail})
    await websocket.close(code=closed.code, reason=closed.detail[:120])


class Conversation:
    """One socket's call: messages are taken in (applied and acknowledged) as they come, while `answer` pushes
    suggestions for the latest state, one at a time."""

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.websocket = websocket
        self.settings = settings
        self.state = DeskState()
        self.guided: CallState | None = None  # where the call's last suggestion left the guidance
        self.seq = 0
        self.generation = 0  # one more at each reset: a suggestion computed before it is the last call's
        self.shown: dict[str, Any] | None = None
        self.changed = asyncio.Event()

    async def take(self, message: Any) -> None:
        """Apply one message and acknowledge it; `answer` sees that the call changed."""
        self.state.apply(message)
        if isinstance(message, StreamReset):
            self.generation += 1
            self.shown = None  # a new call: its first suggestion is news, even if it reads like the last call's
            self.guided = None
        self.seq += 1
        await self.websocket.send_json({"type": "ack", "seq": self.seq})
        self.changed.set()  # after the ack: a suggestion never overtakes the ack of its message

    async def answer(self) -> None:
        """For ever: once the call changed, one suggestion for it as it stands; what arrives meanwhile is
        answered by the next round, all at once."""
        while True:
            await self.changed.wait()
            self.changed.clear()
            call = self.state.call()
            reply = None if call is None else await self._suggest(call)
            if reply is not None:
                try:
                    await self.websocket.send_json(reply)
                except WebSocketDisconnect:
                    return  # the client left; the receiving side sees it too

    async def _suggest(self, call: Call) -> dict[str, Any] | None:
        """The message for the call as it stands: its suggestion when that differs from the last one pushed, an
        error when none can be made, else None."""
        app, context, seq, generation = self.websocket.app, self.state.context, self.seq, self.generation
        budget: StreamBudget = app.state.stream_budget
        try:
            suggestion, body = await asyncio.get_running_loop().run_in_executor(
                budget.threads, _suggest, app.state.service, self.settings, context, call, self.guided)
        except AssistError as exc:  # not ready, or overloaded: say so and keep the call open
            return {"type": "error", "seq": seq, "detail": str(exc)}
        if generation != self.generation:  # the last call's
            return None
        self.guided = suggestion.state
        changed = {k: body[k] for k in ("answers", "empowerment", "next_best_actions", "knowledge_gap", "procedure",
                                        "facts")}
        if changed == self.shown:  # nothing new
            return None
        self.shown = changed  # only what the desktop is shown is pushed, counted and recorded
        _record(app, context, call, suggestion)
        return {"type": "suggestion", "seq": seq, "suggestion": body}


def _client(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "unknown"


async def _receive(websocket: WebSocket, seconds: float, silent: int) -> Any:
    """The next message, parsed and checked; StreamClosed for none within `seconds` (code `silent`), or one too
    large or bad."""
    try:
        raw = await asyncio.wait_for(websocket.receive(), timeout=seconds)
    except TimeoutError as exc:
        raise StreamClosed(silent, f"no message for {seconds:g} s; closed") from exc
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


def _suggest(service: KnowledgeService, settings: Settings, context: StreamContext, call: Call,
             previous: CallState | None) -> tuple[Suggestion, dict[str, Any]]:
    """One suggestion for the call as it stands, guided on from `previous`, and its JSON as /v1/suggest sends
    it."""
    deadline = Deadline(settings.request_deadline_seconds)
    suggestion = service.suggest(call, context.limit, deadline=deadline, by_article=context.group_by_article,
                                 previous=previous)
    return suggestion, to_response(suggestion).model_dump(mode="json")


def _record(app: FastAPI, context: StreamContext, call: Call, suggestion: Suggestion) -> None:
    """Count and record a pushed suggestion like an HTTP one."""
    recorder: Recorder | None = app.state.recorder
    if recorder is not None:
        recorder.submit(suggestion_record(suggestion, call, context.conversation_id, context.agent.id,
                                          dt.datetime.now(dt.UTC)))
    app.state.metrics.suggestions.labels(str(suggestion.knowledge_gap).lower()).inc()
