"""Shared fixtures: the real model (loaded once) and a real index of the small fixture knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assist.articles import load_catalog
from assist.embedder import Embedder
from assist.index import KnowledgeIndex, build_index, load_index

DATA = Path(__file__).parent / "data"
FIXTURE_KB = DATA / "kb"


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
