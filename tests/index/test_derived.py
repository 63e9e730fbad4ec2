"""The build-time data a version carries: both BM25 indexes and the article vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assist.index import versions
from assist.index.derived import ARTICLE_VECTORS, PASSAGE_BM25, embedding_text
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
