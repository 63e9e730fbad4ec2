from __future__ import annotations

import json
from pathlib import Path

import pytest

from assist import storage
from assist.articles import load_catalog
from assist.embedder import Embedder
from assist.errors import IndexMismatchError, IndexNotFoundError
from assist.index import MANIFEST, VECTORS, build_index, is_stale, load_index

from .conftest import FIXTURE_KB


def test_load_index_round_trips_passages_articles_and_vectors(index_dir: Path, embedder: Embedder) -> None:
    index = load_index(index_dir, embedder)
    catalog = load_catalog(FIXTURE_KB)
    assert set(index.articles) == {a.id for a in catalog.articles}
    assert index.vectors.ntotal == len(index.passages) == index.manifest.count
    assert index.manifest.articles == {a.id: a.content_hash for a in catalog.articles}
    assert index.articles["returns-stain"].steps == ("pull-up-account", "validate-purchase", "membership")


def test_load_index_refuses_a_manifest_naming_another_model(index_dir: Path, embedder: Embedder) -> None:
    path = storage.version_path(index_dir, storage.current_version(index_dir) or "")
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["model"] = "some-other-model"
    (path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="some-other-model"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_corrupted_vector_file(index_dir: Path, embedder: Embedder) -> None:
    path = storage.version_path(index_dir, storage.current_version(index_dir) or "") / VECTORS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexMismatchError, match="checksum"):
        load_index(index_dir, embedder)


def test_load_index_without_any_version_says_so(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(IndexNotFoundError, match="assist index build"):
        load_index(tmp_path, embedder)


def test_build_that_fails_part_way_leaves_the_previous_version_live(
    index_dir: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = storage.current_version(index_dir)
    real_write = storage.write_file
    calls = 0

    def failing_write(path: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        real_write(path, data)

    monkeypatch.setattr(storage, "write_file", failing_write)
    with pytest.raises(OSError, match="disk full"):
        build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    assert storage.current_version(index_dir) == before
    assert load_index(index_dir, embedder).version == before


def test_is_stale_until_built_and_again_after_an_article_changes(tmp_path: Path, embedder: Embedder) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "a.md").write_text("---\nid: a\ntitle: A\n---\nFirst text.\n")
    index_dir = tmp_path / "indexes"
    assert is_stale(load_catalog(knowledge), index_dir)
    build_index(load_catalog(knowledge), embedder, index_dir)
    assert not is_stale(load_catalog(knowledge), index_dir)
    (knowledge / "a.md").write_text("---\nid: a\ntitle: A\n---\nChanged text.\n")
    assert is_stale(load_catalog(knowledge), index_dir)


def test_each_build_publishes_a_new_immutable_version(tmp_path: Path, embedder: Embedder) -> None:
    catalog = load_catalog(FIXTURE_KB)
    first = build_index(catalog, embedder, tmp_path)
    second = build_index(catalog, embedder, tmp_path)
    assert first != second
    assert storage.list_versions(tmp_path) == sorted([first, second])
    assert storage.current_version(tmp_path) == second
    assert not list(tmp_path.glob(".staging-*"))
