"""What serving needs that can be computed once, when a version is built: the text each passage is embedded
as, the article vectors and both BM25 indexes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assist.index.embedder import Vectors
from assist.index.files import ARTICLE_BM25, PASSAGE_BM25
from assist.index.lexical import LexicalIndex
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage


def embedding_text(article: Article, passage: Passage) -> str:
    """What the model sees for a passage: its heading path gives short passages their topic."""
    heading = " > ".join(part for part in (article.title, passage.section) if part)
    return f"{heading}\n{passage.text}"


def article_vectors(articles: Sequence[Article], passages: Sequence[Passage], vectors: Vectors) -> Vectors:
    """Each article's direction: the unit-length mean of its passages' vectors."""
    position = {a.id: i for i, a in enumerate(articles)}
    rows = np.array([position[p.article_id] for p in passages], dtype=np.int64)
    means = np.zeros((len(articles), vectors.shape[1] if len(vectors) else 1), dtype=np.float32)
    if len(passages):
        np.add.at(means, rows, vectors)
    means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
    return means


def lexical_files(articles: Sequence[Article], passages: Sequence[Passage]) -> dict[str, bytes]:
    """BM25 over what each passage is embedded as, and over whole articles (title, routing text and body)."""
    by_id = {a.id: a for a in articles}
    passage_bm25 = LexicalIndex.build([embedding_text(by_id[p.article_id], p) for p in passages])
    article_bm25 = LexicalIndex.build([f"{a.title}\n{a.routing}\n{a.body}" for a in articles])
    return {**{f"{PASSAGE_BM25}/{name}": data for name, data in passage_bm25.files().items()},
            **{f"{ARTICLE_BM25}/{name}": data for name, data in article_bm25.files().items()}}
