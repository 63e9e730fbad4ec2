"""Ranking features of candidate passages: lexical and dense, passage and article level, conversation anchors.

Every feature is a number per candidate, roughly in [0, 1]; the retriever scores candidates by a weighted
sum. Article-level features let evidence from the whole conversation pick the article, while passage-level
features from the last customer turn pick the passage inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assist.retrieval.lexical import LexicalIndex, Scores
from assist.retrieval.query import Query

Vector = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]

FEATURES = (
    "bm25_last", "bm25_all", "dense_last", "dense_all",
    "article_bm25_all", "article_dense_all",
    "doc_bm25_all", "doc_bm25_agent", "doc_title", "doc_opening",
    "said", "after_said",
)


@dataclass(frozen=True)
class Corpus:
    """Everything about one index version the features read; built once per version."""

    passage_vectors: Vector
    article_row: Rows
    ordinal: Rows
    passage_bm25: LexicalIndex
    article_bm25: LexicalIndex
    article_vectors: Vector
    title_vectors: Vector


@dataclass(frozen=True)
class QueryVectors:
    """The embeddings of one query: last customer turn, recency-weighted conversation, opening, last agent turn."""

    last: Vector
    conversation: Vector
    opening: Vector
    agent: Vector | None


def _normalized(scores: Scores) -> Scores:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


def lexical_scores(corpus: Corpus, query: Query, mask: Scores) -> tuple[Scores, Scores]:
    """BM25 of every passage for the last customer turn and for the whole conversation, each scaled to [0, 1]."""
    return (_normalized(corpus.passage_bm25.scores(query.last_terms, mask)),
            _normalized(corpus.passage_bm25.scores(query.all_terms, mask)))


def _article_max(values: Scores, rows: Rows, articles: int) -> Scores:
    best = np.full(articles, -1.0, dtype=np.float32)
    np.maximum.at(best, rows, values)
    return best[rows]


def quoting(similarity: float, low: float = 0.5, high: float = 0.8) -> float:
    """How plainly the agent's last turn quotes the knowledge base (0 = own words, 1 = a quote).

    Agents who read from an article make their turns strong evidence for it; an agent's own questions
    ("when did you buy it?") match articles only by accident and must not steer the ranking.
    """
    return min(max((similarity - low) / (high - low), 0.0), 1.0)


def compute(corpus: Corpus, query: Query, vectors: QueryVectors, candidates: Rows,
            bm25_last: Scores, bm25_all: Scores, anchor: int | None, quote: float) -> dict[str, Scores]:
    """All features for the candidate passages; `quote` gates the agent-turn evidence."""
    rows = corpus.article_row[candidates]
    articles = len(corpus.title_vectors)
    matrix = corpus.passage_vectors[candidates]
    dense_last = matrix @ vectors.last
    dense_all = matrix @ vectors.conversation
    # Skipped when the agent did not quote: the feature would be multiplied by zero anyway.
    doc_agent = (corpus.article_bm25.scores(query.agent_terms) if query.agent_terms and quote > 0
                 else np.zeros(articles, "f4"))
    features = {
        "bm25_last": bm25_last[candidates],
        "bm25_all": bm25_all[candidates],
        "dense_last": dense_last,
        "dense_all": dense_all,
        "article_bm25_all": _article_max(bm25_all[candidates], rows, articles),
        "article_dense_all": _article_max(dense_all, rows, articles),
        "doc_bm25_all": _normalized(corpus.article_bm25.scores(query.all_terms))[rows],
        "doc_bm25_agent": _normalized(doc_agent)[rows] * np.float32(quote),
        "doc_title": (corpus.title_vectors @ vectors.conversation)[rows],
        "doc_opening": (corpus.article_vectors @ vectors.opening)[rows],
    }
    said = np.zeros(len(candidates), dtype=np.float32)
    after = np.zeros(len(candidates), dtype=np.float32)
    if anchor is not None:
        same_article = rows == corpus.article_row[anchor]
        said[candidates == anchor] = 1.0
        after[same_article & (corpus.ordinal[candidates] == corpus.ordinal[anchor] + 1)] = 1.0
    features["said"] = said
    features["after_said"] = after
    return {name: np.asarray(values, dtype=np.float32) for name, values in features.items()}
