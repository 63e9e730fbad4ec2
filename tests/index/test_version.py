from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np
import pytest

from assist.digest import sha256
from assist.errors import ArticleError, IndexMismatchError, IndexNotFoundError
from assist.index import storage, versions
from assist.index.derived import embedding_text
from assist.index.embedder import Embedder
from assist.index.files import matrix
from assist.index.lexical import LexicalIndex
from assist.index.manifest import Manifest
from assist.index.update import is_stale
from assist.index.version import (
    ARTICLES,
    MANIFEST,
    TITLES,
    VECTORS,
    KnowledgeIndex,
    build_index,
    load_index,
    new_version_name,
    policy_files,
    rollback,
    verify_version,
)
from assist.knowledge.articles import load_catalog
from assist.knowledge.words import terms
from tests.conftest import DATA, FIXTURE_KB


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


def test_build_that_fails_part_way_leaves_the_previous_version_live(index_dir: Path, embedder: Embedder) -> None:
    before = versions.current_version(index_dir)

    def disk_full(step: str, path: Path) -> None:
        if step == "write" and path.name.startswith(f".{TITLES}"):
            raise OSError("disk full")

    with storage.inject_faults(disk_full), pytest.raises(OSError, match="disk full"):
        build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    assert versions.current_version(index_dir) == before
    assert load_index(index_dir, embedder).version == before
    assert versions.list_versions(index_dir) == [before]


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


def test_each_build_publishes_a_new_immutable_version_that_sorts_last(tmp_path: Path, embedder: Embedder) -> None:
    catalog = load_catalog(FIXTURE_KB)
    first = build_index(catalog, embedder, tmp_path)
    second = build_index(catalog, embedder, tmp_path)
    assert first < second
    assert versions.list_versions(tmp_path) == [first, second]
    assert versions.current_version(tmp_path) == second
    assert not list(tmp_path.glob(".staging-*"))


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


def test_build_index_refuses_an_id_used_twice_naming_both_paths_and_keeps_the_live_version(
    index_dir: Path, embedder: Embedder
) -> None:
    live, published = versions.current_version(index_dir), versions.list_versions(index_dir)
    with pytest.raises(ArticleError) as caught:
        build_index(load_catalog(DATA / "dup"), embedder, index_dir)
    message = str(caught.value)
    assert f"{DATA / 'dup' / 'retail' / 'dup-a.md'}:2: duplicate id 'same-id'" in message
    assert f"{DATA / 'dup' / 'archive' / 'dup-b.md'}:2" in message
    assert (versions.current_version(index_dir), versions.list_versions(index_dir)) == (live, published)


def test_policy_files_leave_a_link_out_of_the_tree_behind(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "vocabulary.yaml").write_text("segments: [gold]\n")
    (tmp_path / "secret.yaml").write_text("secret: not for the index\n")
    (root / "policies" / "secret.yaml").symlink_to(tmp_path / "secret.yaml")
    assert list(policy_files(load_catalog(root))) == ["vocabulary.yaml"]


def test_a_version_gets_exact_search_below_the_ann_threshold_and_ivf_from_it(
    fixture_index: KnowledgeIndex, ann_index: KnowledgeIndex
) -> None:
    assert fixture_index.manifest.index_type == "flat" and isinstance(fixture_index.vectors, faiss.IndexFlatIP)
    assert ann_index.manifest.index_type == "ivf" and isinstance(ann_index.vectors, faiss.IndexIVFFlat)
    assert np.allclose(matrix(ann_index.vectors), matrix(fixture_index.vectors))


def test_a_version_carries_its_bm25_indexes_and_article_vectors(
    built_index_dir: Path, fixture_index: KnowledgeIndex
) -> None:
    path = versions.version_path(built_index_dir, fixture_index.version)
    assert (path / "bm25" / "passages" / "vocab.index.json").is_file()
    assert (path / "bm25" / "articles" / "vocab.index.json").is_file()
    texts = [embedding_text(fixture_index.articles[p.article_id], p) for p in fixture_index.passages]
    rebuilt = LexicalIndex.build(texts)
    query = terms("can I return a stained shirt")
    assert np.allclose(fixture_index.passage_bm25.scores(query), rebuilt.scores(query))
    norms = np.linalg.norm(fixture_index.article_vectors, axis=1)
    assert fixture_index.article_vectors.shape == (len(fixture_index.articles), 384) and np.allclose(norms, 1)
