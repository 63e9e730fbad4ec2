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
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from assist.api.budget import Lease, MessageBucket, OverBudget
from assist.api.conversation import BAD_KEY, BAD_MESSAGE, BUSY, IDLE, TOO_LARGE, TOO_MANY, Conversation, StreamClosed
from assist.api.origin import origin_allowed
from assist.api.schemas.stream import StreamContext, StreamMessage
from assist.api.security import KeyRing
from assist.digest import sha256
from assist.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
_MESSAGE: TypeAdapter[Any] = TypeAdapter(StreamMessage)
router = APIRouter()


@router.websocket("/v1/stream")
async def stream(websocket: WebSocket) -> None:
    """One call's socket: refused for a foreign origin or over budget, closed with a code saying why."""
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
