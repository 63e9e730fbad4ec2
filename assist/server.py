"""Process wiring for `assist serve`: logging, the embedder, the service and its app."""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
from fastapi import FastAPI
from pythonjsonlogger.json import JsonFormatter

from assist.api import create_app
from assist.embedder import Embedder
from assist.errors import AssistError
from assist.service import KnowledgeService
from assist.settings import Settings

log = logging.getLogger(__name__)


def configure_logging(level: str) -> None:
    """Structured JSON logs on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def create_server_app(settings: Settings, index_dir: Path) -> FastAPI:
    """Load the model once, load the live index if there is one, and build the app."""
    # Sync routes run in a thread pool; one thread per request avoids oversubscribing OpenMP pools.
    faiss.omp_set_num_threads(1)
    service = KnowledgeService(index_dir, Embedder(threads=settings.torch_threads))
    try:
        service.load()
    except AssistError as exc:
        log.error("no index loaded at start-up", extra={"error": str(exc)})
    return create_app(settings, service)
