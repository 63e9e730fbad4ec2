"""A published version read back: checksums, counts and the model checked before anything is served."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assist.digest import sha256
from assist.errors import IndexMismatchError, IndexNotFoundError
from assist.index import versions
from assist.index.embedder import Embedder
from assist.index.files import ARTICLES, TITLES, VECTORS
from assist.index.loaded import load_index, verify_version
from assist.index.manifest import MANIFEST, Manifest
from assist.knowledge.articles import load_catalog
from tests.conftest import FIXTURE_KB


def _live(index_dir: Path) -> Path:
    return versions.version_path(index_dir, versions.current_version(index_dir) or "")


def test_load_index_round_trips_passages_articles_and_vectors(index_dir: Path, embedder: Embedder) -> None:
    index = load_index(index_dir, embedder)
    catalog = load_catalog(FIXTURE_KB)
    assert set(index.articles) == {a.id for a in catalog.articles}
    assert index.vectors.ntotal == len(index.passages) == index.manifest.count
    assert index.titles.ntotal == len(index.articles)
    assert index.manifest.articles == {a.id: a.content_hash for a in catalog.articles}
    assert index.articles["returns-stain"].steps == ("pull-up-account", "validate-purchase", "membership")


def test_load_index_refuses_a_manifest_naming_another_model(index_dir: Path, embedder: Embedder) -> None:
    path = _live(index_dir)
    manifest = Manifest(**json.loads((path / MANIFEST).read_text()))
    (path / MANIFEST).write_bytes(replace(manifest, model="some-other-model").sealed().to_bytes())
    with pytest.raises(IndexMismatchError, match="some-other-model"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_hand_edited_manifest(index_dir: Path, embedder: Embedder) -> None:
    path = _live(index_dir)
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["passage_target"] = 300
    (path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match=r"manifest\.json: manifest digest does not match"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_flipped_byte_in_the_vector_file(index_dir: Path, embedder: Embedder) -> None:
    path = _live(index_dir) / VECTORS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexMismatchError, match=r"vectors\.faiss: checksum does not match"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_truncated_title_file(index_dir: Path, embedder: Embedder) -> None:
    path = _live(index_dir) / TITLES
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexMismatchError, match=r"titles\.faiss: checksum"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_truncated_faiss_file_even_when_its_checksum_was_updated(
    index_dir: Path, embedder: Embedder
) -> None:
    path = _live(index_dir)
    (path / VECTORS).write_bytes((path / VECTORS).read_bytes()[:200])
    manifest = Manifest(**json.loads((path / MANIFEST).read_text()))
    files = {**manifest.files, VECTORS: sha256((path / VECTORS).read_bytes())}
    (path / MANIFEST).write_bytes(replace(manifest, files=files).sealed().to_bytes())
    with pytest.raises(IndexMismatchError, match=r"vectors\.faiss: not a readable FAISS index"):
        load_index(index_dir, embedder)


def test_load_index_refuses_a_version_missing_a_file(index_dir: Path, embedder: Embedder) -> None:
    (_live(index_dir) / ARTICLES).unlink()
    with pytest.raises(IndexMismatchError, match=r"articles\.jsonl: missing file"):
        load_index(index_dir, embedder)


def test_load_index_without_any_version_says_so(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(IndexNotFoundError, match="assist index build"):
        load_index(tmp_path, embedder)


def test_load_index_refuses_a_pointer_that_leaves_the_versions_directory(index_dir: Path, embedder: Embedder) -> None:
    (index_dir / versions.POINTER).write_text("../../etc\n")
    with pytest.raises(IndexNotFoundError, match="not an index version name"):
        load_index(index_dir, embedder)


def test_verify_version_checks_a_version_without_the_model(index_dir: Path) -> None:
    live = versions.current_version(index_dir) or ""
    assert verify_version(index_dir, live).version == live
