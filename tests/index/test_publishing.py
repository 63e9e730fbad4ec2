"""Publishing: version names, the files and manifest keys a version holds, and rollback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assist.errors import IndexMismatchError, IndexNotFoundError
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.files import VECTORS
from assist.index.loaded import KnowledgeIndex
from assist.index.manifest import MANIFEST
from assist.index.publishing import new_version_name, rollback
from assist.knowledge.articles import load_catalog
from tests.conftest import FIXTURE_KB


def test_new_version_name_sorts_after_existing_ones_even_when_the_clock_steps_back() -> None:
    now = dt.datetime(2026, 11, 26, 6, 12, 3, tzinfo=dt.UTC)
    assert new_version_name(now) == "2026-11-26T06:12:03Z-0000"
    assert new_version_name(now, ["2026-11-26T06:12:03Z-0000"]) == "2026-11-26T06:12:03Z-0001"
    assert new_version_name(now, ["2026-11-26T06:12:09Z-00a0"]) == "2026-11-26T06:12:09Z-00a1"
    assert new_version_name(now, ["2026-11-26T06:11:59Z-0007"]) == "2026-11-26T06:12:03Z-0000"


def test_rollback_makes_an_older_version_live(tmp_path: Path, embedder: Embedder) -> None:
    catalog = load_catalog(FIXTURE_KB)
    first = build_index(catalog, embedder, tmp_path)
    build_index(catalog, embedder, tmp_path)
    rollback(tmp_path, first)
    assert versions.current_version(tmp_path) == first


def test_rollback_refuses_a_corrupted_version_and_keeps_the_pointer(tmp_path: Path, embedder: Embedder) -> None:
    catalog = load_catalog(FIXTURE_KB)
    first = build_index(catalog, embedder, tmp_path)
    second = build_index(catalog, embedder, tmp_path)
    (versions.version_path(tmp_path, first) / VECTORS).write_bytes(b"not faiss")
    with pytest.raises(IndexMismatchError, match="checksum"):
        rollback(tmp_path, first)
    with pytest.raises(IndexNotFoundError, match="does not exist"):
        rollback(tmp_path, "2020-01-01T00:00:00Z-0000")
    assert versions.current_version(tmp_path) == second


def test_a_version_holds_the_files_and_manifest_keys_format_5_has_always_had(
    built_index_dir: Path, fixture_index: KnowledgeIndex
) -> None:
    # Versions built before the build-time registry must load, and ours must load in older releases of format 5.
    path = versions.version_path(built_index_dir, fixture_index.version)
    manifest = json.loads((path / MANIFEST).read_text())
    assert list(manifest) == ["format", "version", "model", "dimension", "count", "built_at", "package_version",
                              "passage_target", "articles", "policies", "files", "index_type", "sources", "build",
                              "digest"]
    files = list(manifest["files"])
    assert files[:5] == ["vectors.faiss", "titles.faiss", "passages.jsonl", "articles.jsonl", "article_vectors.npy"]
    folders = {file.rpartition("/")[0] for file in files[5:]}
    assert {"bm25/passages", "bm25/articles"} <= folders <= {"bm25/passages", "bm25/articles", "policies"}
    on_disk = {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()}
    assert on_disk == {*files, MANIFEST}
