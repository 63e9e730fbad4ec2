"""Process wiring for `assist serve`: logging, the embedder, the service and its app, and the HTTP server's
connection limits (which count HTTP only: /v1/stream has a budget of its own, assist.api.budget)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import h11
import uvicorn
from fastapi import FastAPI
from pythonjsonlogger.json import JsonFormatter
from threadpoolctl import threadpool_limits
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from assist.api.app import create_app
from assist.feedback.recorder import Recorder
from assist.feedback.redactor import Redactor
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder
from assist.policy.cues import Limits
from assist.retrieval.query import Window
from assist.retrieval.tuning import Tuning
from assist.service import KnowledgeService
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
    # Sync routes run in a thread pool: each request on one thread. FAISS's OpenMP pool and numpy's BLAS
    # would otherwise each start a thread per core for every search and matrix product, and fight the
    # encoder and each other (measured: 21 → 16 ms a request on 100k passages, one agent at a time).
    threadpool_limits(limits=1)
    window = Window(turns=settings.read_turns, turn_chars=settings.read_turn_chars, chars=settings.read_chars)
    limits = Limits(cue_seconds=settings.cue_seconds, cue_chars=settings.cue_chars)
    embedder = Embedder(threads=settings.torch_threads, backend=settings.encoder, cache_dir=settings.model_cache,
                        model_dir=settings.model_dir)
    service = KnowledgeService(index_dir, embedder, Tuning(window=window), limits)
    if service.start() is None:
        log.error("no index loaded at start-up; /readyz is 503 until one is published", extra={
            "index_dir": str(index_dir)})
    watcher = Watcher(service, settings.watch_seconds) if settings.watch_seconds > 0 else None
    return create_app(settings, service, watcher, open_recorder(settings))


def open_recorder(settings: Settings) -> Recorder | None:
    """The event store, migrated to the current schema, behind its recorder (None when recording is off)."""
    if not settings.record_suggestions:
        return None
    store = EventStore(settings.store_url, settings.store_id_key, Redactor(separate=True))
    store.upgrade()
    log.info("event store ready", extra={"dialect": store.dialect})
    return Recorder(store, settings.record_queue)


# uvicorn's default; named here so the header limit is a decision, not an accident.
MAX_HEADER_BYTES = 16 * 1024
FACTORY = "assist.api.server:app_from_environment"
# A worker loads the model and the index before it answers the supervisor's health check (uvicorn waits 5 s).
WORKER_START_SECONDS = 120


def app_from_environment() -> FastAPI:
    """The app of one worker process (`workers` > 1): settings from the environment the parent prepared."""
    settings = Settings.load()
    configure_logging(settings.log_level)
    return create_server_app(settings, settings.index_dir)


def server_config(app: FastAPI | str, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """uvicorn's configuration with every connection limit set explicitly: idle keep-alive, the time a client
    has to send a request, how many HTTP connections at once (beyond that 503), and the header size."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, http=ReadDeadline,
        timeout_keep_alive=settings.keepalive_seconds, limit_concurrency=settings.max_connections,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES, workers=settings.workers, factory=isinstance(app, str),
        timeout_worker_healthcheck=WORKER_START_SECONDS,
    )
    config.request_read_seconds = settings.request_read_seconds  # type: ignore[attr-defined]  # see ReadDeadline
    return config


class ReadDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request (headers and body) is not all received
    within `request_read_seconds` of its first byte; uvicorn alone never times out a client trickling a request.

    It also counts only HTTP connections and requests against `limit_concurrency` (see HttpOnly).

    A module-level class reading its limit from the config, so worker processes (spawned, pickled config) get it.
    """

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        connections, tasks = _HTTP.setdefault(self.server_state, (set(), set()))
        self.connections = HttpOnly(self.server_state.connections, connections)  # type: ignore[assignment]
        self.tasks = HttpOnly(self.server_state.tasks, tasks)  # type: ignore[assignment]
        self._seconds: float = getattr(config, "request_read_seconds", 10.0)
        self._timer: asyncio.TimerHandle | None = None

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
            self._timer = self.loop.call_later(self._seconds, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            log.warning("request not received in time; connection closed", extra={
                "client": self.client, "read_seconds": self._seconds})
            self.transport.close()


T = TypeVar("T")


class HttpOnly(Generic[T]):
    """One of uvicorn's shared sets (its connections or tasks) as the HTTP protocol sees it: what it adds and
    discards goes to the shared set too (shutdown walks that one), but its length counts HTTP's own members only.

    uvicorn checks `limit_concurrency` against the length of both sets, and an open WebSocket sits in both
    (uvicorn.protocols.websockets add themselves once upgraded): a few hundred idle streams made every HTTP
    request, the health probes too, answer 503.
    """

    def __init__(self, shared: set[T], own: set[T]) -> None:
        self._shared = shared
        self._own = own

    def add(self, item: T) -> None:
        self._shared.add(item)
        self._own.add(item)

    def discard(self, item: T) -> None:
        self._shared.discard(item)
        self._own.discard(item)

    def __len__(self) -> int:
        return len(self._own)


# One server's HTTP connections and HTTP request tasks, shared by all its protocol instances.
_HTTP: WeakKeyDictionary[ServerState, tuple[set[Any], set[Any]]] = WeakKeyDictionary()


def serve_forever(settings: Settings, index_dir: Path, host: str, port: int) -> None:
    """Serve until interrupted: in this process, or in `settings.workers` spawned processes sharing one socket
    (each loads the model and the index; they follow CURRENT on their own)."""
    if settings.workers == 1:
        uvicorn.Server(server_config(create_server_app(settings, index_dir), settings, host, port)).run()
        return
    os.environ["ASSIST_INDEX_DIR"] = str(index_dir)  # what the workers' settings read
    os.environ["ASSIST_KNOWLEDGE_DIR"] = str(settings.knowledge_dir)
    if settings.record_suggestions:  # migrate once here, not in every worker at the same moment
        store = EventStore(settings.store_url, settings.store_id_key)
        store.upgrade()
        store.close()
    config = server_config(FACTORY, settings, host, port)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
