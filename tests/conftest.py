"""Shared fixtures: the real model (loaded once) and a real index of the small fixture knowledge base."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex, load_index
from assist.knowledge.articles import load_catalog

ROOT = Path(__file__).resolve().parents[1]  # the repository
KNOWLEDGE = ROOT / "knowledge"  # the bundled retail knowledge base
DATA = ROOT / "tests" / "data"
FIXTURE_KB = DATA / "kb"
# What every log record carries (timestamps, process and thread ids): numbers that may contain any digits by chance.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def logged_text(records: list[logging.LogRecord]) -> str:
    """Everything the records say: each message and its extra fields (what a log shipper stores)."""
    return " ".join(f"{r.getMessage()} {[v for k, v in r.__dict__.items() if k not in _RECORD_FIELDS]}"
                    for r in records)


@pytest.fixture(scope="session", autouse=True)
def _event_stores_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Apps and servers a test starts keep their default SQLite event store out of the checkout."""
    previous = os.environ.get("ASSIST_DATA_DIR")
    os.environ["ASSIST_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    yield
    if previous is None:
        os.environ.pop("ASSIST_DATA_DIR", None)
    else:
        os.environ["ASSIST_DATA_DIR"] = previous


@pytest.fixture(scope="session", autouse=True)
def _the_test_client_host_is_trusted() -> Iterator[None]:
    """Starlette's TestClient sends `Host: testserver`, a name assist answers only when ASSIST_TRUSTED_HOSTS says."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSIST_TRUSTED_HOSTS", "testserver")
        yield


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(threads=1)


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("indexes")
    build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    return index_dir


@pytest.fixture
def index_dir(built_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the built fixture index, free to damage."""
    target = tmp_path / "indexes"
    shutil.copytree(built_index_dir, target)
    return target


@pytest.fixture(scope="session")
def fixture_index(built_index_dir: Path, embedder: Embedder) -> KnowledgeIndex:
    return load_index(built_index_dir, embedder)


@pytest.fixture(scope="session")
def ann_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KnowledgeIndex:
    """The fixture knowledge base with an IVF vector index (the size threshold lowered to one passage)."""
    index_dir = tmp_path_factory.mktemp("ann-indexes")
    build_index(load_catalog(FIXTURE_KB), embedder, index_dir, ann_from=1)
    return load_index(index_dir, embedder)
