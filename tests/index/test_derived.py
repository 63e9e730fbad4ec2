"""The build-time data a version carries: both BM25 indexes and the article vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assist.index import versions
from assist.index.derived import ARTICLE_VECTORS, DERIVED, PASSAGE_BM25, Contents, Derivation, embedding_text
from assist.index.files import from_npy, matrix
from assist.index.lexical import LexicalIndex
from assist.index.loaded import KnowledgeIndex
from assist.knowledge.words import terms


def test_a_version_carries_its_bm25_indexes_and_article_vectors(
    built_index_dir: Path, fixture_index: KnowledgeIndex
) -> None:
    path = versions.version_path(built_index_dir, fixture_index.version)
    assert (path / "bm25" / "passages" / "vocab.index.json").is_file()
    assert (path / "bm25" / "articles" / "vocab.index.json").is_file()
    texts = [embedding_text(fixture_index.articles[p.article_id], p) for p in fixture_index.passages]
    rebuilt = LexicalIndex.build(texts)
    query = terms("can I return a stained shirt")
    assert np.allclose(fixture_index.computed[PASSAGE_BM25].scores(query), rebuilt.scores(query))
    article_vectors = fixture_index.computed[ARTICLE_VECTORS]
    norms = np.linalg.norm(article_vectors, axis=1)
    assert article_vectors.shape == (len(fixture_index.articles), 384) and np.allclose(norms, 1)


def test_every_registry_entry_is_written_checksummed_and_loaded(
    built_index_dir: Path, fixture_index: KnowledgeIndex
) -> None:
    files = fixture_index.manifest.files
    for entry in DERIVED:
        listed = [file for file in files if file == entry.file or file.startswith(f"{entry.file}/")]
        assert listed, entry.file
        assert fixture_index.computed[entry] is not None


def test_article_vectors_summed_block_by_block_equal_those_summed_at_once(fixture_index: KnowledgeIndex) -> None:
    contents = Contents(list(fixture_index.articles.values()), fixture_index.passages)
    vectors = matrix(fixture_index.vectors)
    whole = Derivation(contents, vectors.shape[1])
    whole.add(np.arange(len(vectors), dtype=np.int64), vectors)
    blocks = Derivation(contents, vectors.shape[1])
    for rows in np.array_split(np.random.default_rng(3).permutation(len(vectors)), 4):
        blocks.add(np.sort(rows).astype(np.int64), vectors[np.sort(rows)])
    a, b = whole.files()[ARTICLE_VECTORS.file], blocks.files()[ARTICLE_VECTORS.file]
    np.testing.assert_allclose(from_npy(a, Path("a")), from_npy(b, Path("b")), atol=1e-6)
