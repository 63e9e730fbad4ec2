"""Process wiring for `assist serve`: logging, the embedder, the service and its app."""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
from fastapi import FastAPI
from pythonjsonlogger.json import JsonFormatter

from assist.api import create_app
from assist.embedder import Embedder
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
    # Sync routes run in a thread pool; one thread per request avoids oversubscribing OpenMP pools.
    faiss.omp_set_num_threads(1)
    service = KnowledgeService(index_dir, Embedder(threads=settings.torch_threads))
    if service.start() is None:
        log.error("no index loaded at start-up; /readyz is 503 until one is published", extra={
            "index_dir": str(index_dir)})
    watcher = Watcher(service, settings.watch_seconds) if settings.watch_seconds > 0 else None
    return create_app(settings, service, watcher)
