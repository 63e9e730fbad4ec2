from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assist.errors import ArticleError
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder, encoder_name
from assist.index.files import ARTICLES, PASSAGES, VECTORS
from assist.index.loaded import load_index
from assist.index.update import is_stale, unchanged, update_index
from assist.knowledge.articles import load_catalog
from tests.conftest import FIXTURE_KB, ROOT

VOCABULARY = ROOT / "knowledge" / "policies" / "vocabulary.yaml"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, target)
    return target


def _edit(knowledge: Path) -> None:
    """One article changed, one deleted, one added."""
    path = knowledge / "shipping-times.md"
    path.write_text(path.read_text() + "\n## Holidays\nDuring holidays every delivery takes two extra days.\n")
    (knowledge / "gold-lounge.md").unlink()
    (knowledge / "warranty.md").write_text(
        "---\nid: warranty\ntitle: Warranty claims\ndomain: retail\n---\nEvery jacket has a two-year warranty.\n"
    )


def _assert_same_content(left: Path, right: Path, embedder: Embedder) -> None:
    a, b = load_index(left, embedder), load_index(right, embedder)
    la, lb = versions.version_path(left, a.version), versions.version_path(right, b.version)
    assert (la / PASSAGES).read_bytes() == (lb / PASSAGES).read_bytes()
    assert (la / ARTICLES).read_bytes() == (lb / ARTICLES).read_bytes()
    assert a.manifest.articles == b.manifest.articles
    assert a.manifest.policies == b.manifest.policies
    matrix = a.vectors.reconstruct_n(0, a.vectors.ntotal)
    assert np.allclose(matrix, b.vectors.reconstruct_n(0, b.vectors.ntotal), atol=1e-5)
    assert np.allclose(a.titles.reconstruct_n(0, a.titles.ntotal), b.titles.reconstruct_n(0, b.titles.ntotal),
                       atol=1e-5)


def test_update_equals_a_full_rebuild_of_the_same_content(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    build_index(load_catalog(knowledge), embedder, incremental)
    _edit(knowledge)
    result = update_index(load_catalog(knowledge), embedder, incremental)
    build_index(load_catalog(knowledge), embedder, full)
    assert (result.added, result.changed, result.removed) == (("warranty",), ("shipping-times",), ("gold-lounge",))
    _assert_same_content(incremental, full, embedder)


def test_update_embeds_only_the_changed_articles_passages(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir)
    path = knowledge / "returns-stain.md"
    path.write_text(path.read_text().replace("180 days", "90 days"))
    result = update_index(load_catalog(knowledge), embedder, index_dir)
    index = load_index(index_dir, embedder)
    own = sum(1 for p in index.passages if p.article_id == "returns-stain")
    assert result.version == index.version
    assert (result.changed, result.embedded, result.reused) == (("returns-stain",), own, len(index.passages) - own)
    assert result.full_reason == ""
    assert not is_stale(load_catalog(knowledge), index_dir)


def test_update_publishes_nothing_when_nothing_changed(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    version = build_index(load_catalog(knowledge), embedder, index_dir)
    result = update_index(load_catalog(knowledge), embedder, index_dir)
    assert (result.version, result.base) == (None, version)
    assert versions.list_versions(index_dir) == [version]


def test_update_of_policies_alone_reuses_every_vector(knowledge: Path, tmp_path: Path, embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    (knowledge / "policies").mkdir()
    shutil.copy(VOCABULARY, knowledge / "policies")
    build_index(load_catalog(knowledge), embedder, index_dir)
    with open(knowledge / "policies" / VOCABULARY.name, "a") as handle:
        handle.write("\n# reviewed\n")
    result = update_index(load_catalog(knowledge), embedder, index_dir)
    assert result.version is not None
    assert result.embedded == 0
    live = versions.version_path(index_dir, result.version) / "policies" / VOCABULARY.name
    assert live.read_text().endswith("# reviewed\n")


def test_update_without_a_published_version_embeds_everything(knowledge: Path, tmp_path: Path,
                                                              embedder: Embedder) -> None:
    result = update_index(load_catalog(knowledge), embedder, tmp_path / "indexes")
    assert result.full_reason == "nothing published yet"
    assert result.reused == 0
    assert result.embedded == load_index(tmp_path / "indexes", embedder).manifest.count


def test_update_on_a_corrupted_live_version_rebuilds_everything_correctly(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir, full = tmp_path / "indexes", tmp_path / "full"
    build_index(load_catalog(knowledge), embedder, index_dir)
    vectors = versions.version_path(index_dir, versions.current_version(index_dir) or "") / VECTORS
    vectors.write_bytes(vectors.read_bytes()[:-8])
    result = update_index(load_catalog(knowledge), embedder, index_dir)
    assert "checksum" in result.full_reason
    assert result.reused == 0
    build_index(load_catalog(knowledge), embedder, full)
    _assert_same_content(index_dir, full, embedder)


def test_update_with_another_passage_size_embeds_everything(knowledge: Path, tmp_path: Path,
                                                            embedder: Embedder) -> None:
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir, passage_target=700)
    result = update_index(load_catalog(knowledge), embedder, index_dir, passage_target=300)
    assert "passage target 700" in result.full_reason
    assert result.reused == 0
    assert load_index(index_dir, embedder).manifest.passage_target == 300


def test_update_index_refuses_an_id_used_twice_and_publishes_nothing(
    knowledge: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "indexes"
    live = build_index(load_catalog(knowledge), embedder, index_dir)
    (knowledge / "archive").mkdir()
    copy = knowledge / "archive" / "shipping-times-2019.md"
    copy.write_text((knowledge / "shipping-times.md").read_text().replace("five to seven", "ten"))
    with pytest.raises(ArticleError, match="duplicate id 'shipping-times'") as caught:
        update_index(load_catalog(knowledge), embedder, index_dir)
    assert f"{knowledge / 'shipping-times.md'}:2" in str(caught.value)
    assert f"{copy}:2" in str(caught.value)
    assert versions.list_versions(index_dir) == [live] and versions.current_version(index_dir) == live


def test_unchanged_trusts_the_tree_signature_and_sees_any_edit(tmp_path: Path, embedder: Embedder) -> None:
    knowledge, index_dir = tmp_path / "kb", tmp_path / "indexes"
    shutil.copytree(FIXTURE_KB, knowledge)
    assert not unchanged(knowledge, index_dir)  # nothing published yet
    build_index(load_catalog(knowledge), embedder, index_dir)
    assert unchanged(knowledge, index_dir)
    assert not unchanged(knowledge, index_dir, passage_target=300)
    article = knowledge / "returns-stain.md"
    article.write_text(article.read_text() + "\nOne more sentence.\n")
    assert not unchanged(knowledge, index_dir)
    update_index(load_catalog(knowledge), embedder, index_dir)
    assert unchanged(knowledge, index_dir)
    (knowledge / "new-note.md").write_text("---\nid: new-note\ntitle: A new note\n---\nText.\n")
    assert not unchanged(knowledge, index_dir)


def test_an_index_built_by_another_encoder_is_stale(tmp_path: Path, embedder: Embedder) -> None:
    knowledge, index_dir = tmp_path / "kb", tmp_path / "indexes"
    shutil.copytree(FIXTURE_KB, knowledge)
    build_index(load_catalog(knowledge), embedder, index_dir)
    assert unchanged(knowledge, index_dir, model=embedder.name)
    assert not is_stale(load_catalog(knowledge), index_dir, model=embedder.name)
    assert not unchanged(knowledge, index_dir, model=encoder_name("onnx"))
    assert is_stale(load_catalog(knowledge), index_dir, model=encoder_name("onnx"))
