"""Process wiring for `assist serve`: logging, the embedder, the service and its app, and the HTTP server's
connection limits."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import faiss
import h11
import uvicorn
from fastapi import FastAPI
from pythonjsonlogger.json import JsonFormatter
from uvicorn.protocols.http.h11_impl import H11Protocol

from assist.api.app import create_app
from assist.index.embedder import Embedder
from assist.retrieval.query import Window
from assist.retrieval.tuning import Tuning
from assist.service import KnowledgeService, Limits
from assist.settings import Settings
from assist.watcher import Watcher

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """Structured JSON logs on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def create_server_app(settings: Settings, index_dir: Path) -> FastAPI:
    """Load the model once, serve the newest valid index version, watch for new ones, and build the app."""
    # Sync routes run in a thread pool; one thread per request avoids oversubscribing OpenMP pools.
    faiss.omp_set_num_threads(1)
    window = Window(turns=settings.read_turns, turn_chars=settings.read_turn_chars, chars=settings.read_chars)
    limits = Limits(cue_seconds=settings.cue_seconds, cue_chars=settings.cue_chars)
    service = KnowledgeService(index_dir, Embedder(threads=settings.torch_threads), Tuning(window=window), limits)
    if service.start() is None:
        log.error("no index loaded at start-up; /readyz is 503 until one is published", extra={
            "index_dir": str(index_dir)})
    watcher = Watcher(service, settings.watch_seconds) if settings.watch_seconds > 0 else None
    return create_app(settings, service, watcher)


# uvicorn's default; named here so the header limit is a decision, not an accident.
MAX_HEADER_BYTES = 16 * 1024


def server_config(app: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """uvicorn's configuration with every connection limit set explicitly: idle keep-alive, the time a client
    has to send a request, how many connections at once (beyond that 503), and the header size."""
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False,
        http=read_deadline_protocol(settings.request_read_seconds),
        timeout_keep_alive=settings.keepalive_seconds,
        limit_concurrency=settings.max_connections,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )


def read_deadline_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request (headers and body) is not all received
    within `seconds` of its first byte; uvicorn alone never times out a client trickling a request."""

    class ReadDeadline(H11Protocol):
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self.conn.their_state is h11.IDLE:
                self._arm()
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_websocket_upgrade(self, event: h11.Request) -> None:
            self._disarm()
            super().handle_websocket_upgrade(event)

        def _arm(self) -> None:
            if self._timer is None:
                self._timer = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _expire(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                log.warning("request not received in time; connection closed", extra={
                    "client": self.client, "read_seconds": seconds})
                self.transport.close()

    return ReadDeadline


def run(app: FastAPI, settings: Settings, host: str, port: int) -> None:
    """Serve `app` until interrupted."""
    uvicorn.Server(server_config(app, settings, host, port)).run()


