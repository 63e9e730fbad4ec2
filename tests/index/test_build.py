"""Building a version: every article split, embedded and published as a new immutable version."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from assist.errors import ArticleError
from assist.index import storage, versions
from assist.index.build import build_index, policy_files
from assist.index.embedder import Embedder
from assist.index.files import TITLES, matrix
from assist.index.loaded import KnowledgeIndex, load_index
from assist.index.update import is_stale
from assist.knowledge.articles import load_catalog
from tests.conftest import DATA, FIXTURE_KB


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
