"""Ranking features of candidate passages: lexical and dense, passage and article level, conversation anchors.

Every feature is a number per candidate, roughly in [0, 1]; the retriever scores candidates by a weighted
sum. Article-level features let evidence from the whole conversation pick the article, while passage-level
features from the last customer turn pick the passage inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assist.index.derived import ARTICLE_BM25, ARTICLE_VECTORS, PASSAGE_BM25, Computed
from assist.index.lexical import Scores
from assist.index.vectors import Rows, Vectors
from assist.retrieval.query import Query


@dataclass(frozen=True)
class Corpus:
    """Everything about one index version the features read; built once per version."""

    passage_vectors: Vectors
    article_row: Rows
    ordinal: Rows
    title_vectors: Vectors
    length: Scores  # each passage's length, as a share of the longest a passage may be
    computed: Computed  # the version's build-time data (index/derived.py), read by the features that need it


@dataclass(frozen=True)
class QueryVectors:
    """The embeddings of one query: last customer turn, recency-weighted conversation, opening, last agent turn."""

    last: Vectors
    conversation: Vectors
    opening: Vectors
    agent: Vectors | None


OFFSET_MOST = 10  # passages from the one the agent quoted, either way, that `from_said` tells apart


def _normalized(scores: Scores) -> Scores:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


def lexical_scores(corpus: Corpus, query: Query, mask: Scores) -> tuple[Scores, Scores]:
    """BM25 of every passage for the last customer turn and for the whole conversation, each scaled to [0, 1]."""
    bm25 = corpus.computed[PASSAGE_BM25]
    return _normalized(bm25.scores(query.last_terms, mask)), _normalized(bm25.scores(query.all_terms, mask))


def quoting(similarity: float, low: float = 0.5, high: float = 0.8) -> float:
    """How plainly the agent's last turn quotes the knowledge base (0 = own words, 1 = a quote).

    Agents who read from an article make their turns strong evidence for it; an agent's own questions
    ("when did you buy it?") match articles only by accident and must not steer the ranking.
    """
    return min(max((similarity - low) / (high - low), 0.0), 1.0)


class _Candidates:
    """One call's candidate passages, with the products several features share computed once, on demand."""

    def __init__(self, corpus: Corpus, query: Query, vectors: QueryVectors, rows: Rows, bm25_last: Scores,
                 bm25_all: Scores, anchor: int | None, quote: float) -> None:
        self.corpus, self.query, self.vectors, self.rows = corpus, query, vectors, rows
        self.bm25_last, self.bm25_all, self.anchor, self.quote = bm25_last[rows], bm25_all[rows], anchor, quote
        self.owners = corpus.article_row[rows]
        self.articles = len(corpus.title_vectors)

    @cached_property
    def dense_last(self) -> Scores:
        return np.asarray(self.corpus.passage_vectors[self.rows] @ self.vectors.last)

    @cached_property
    def dense_all(self) -> Scores:
        return np.asarray(self.corpus.passage_vectors[self.rows] @ self.vectors.conversation)

    def per_article(self, vectors: Vectors, query: Vectors) -> Scores:
        """Each candidate's article's similarity to `query`, computed for the candidates' articles only (a few
        hundred rows, not every article of a large base)."""
        articles, back = np.unique(self.owners, return_inverse=True)
        return np.asarray(vectors[articles] @ query)[back]

    def article_max(self, values: Scores) -> Scores:
        """Each candidate's article's best value among the candidates."""
        best = np.full(self.articles, -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, values)
        return best[self.owners]

    def doc_agent(self) -> Scores:
        # Only when the agent quoted: otherwise the feature is multiplied by zero anyway.
        if not self.query.agent_terms or self.quote <= 0:
            return np.zeros(len(self.rows), dtype=np.float32)
        scores = _normalized(self.corpus.computed[ARTICLE_BM25].scores(self.query.agent_terms))
        return scores[self.owners] * np.float32(self.quote)

    def agent_dense(self, before: bool) -> Scores:
        """Each candidate's (`before`: the passage just before it in its article) similarity in meaning to the agent's
        last turn: what the agent has just read out, and what continues from it."""
        if self.vectors.agent is None:
            return np.zeros(len(self.rows), dtype=np.float32)
        if not before:
            return np.asarray(self.corpus.passage_vectors[self.rows] @ self.vectors.agent)
        previous = np.maximum(self.rows - 1, 0)
        same = (self.rows > 0) & (self.corpus.article_row[previous] == self.owners)
        return np.where(same, np.asarray(self.corpus.passage_vectors[previous] @ self.vectors.agent), 0.0)

    def from_said(self) -> Scores:
        """How many passages after the one the agent quoted each candidate comes (before it: negative), within the
        quoted passage's article, up to ±OFFSET_MOST; 0 elsewhere. An agent reads an article in order."""
        found = np.zeros(len(self.rows), dtype=np.float32)
        if self.anchor is None:
            return found
        same_article = self.owners == self.corpus.article_row[self.anchor]
        offset = np.clip(self.corpus.ordinal[self.rows] - self.corpus.ordinal[self.anchor], -OFFSET_MOST, OFFSET_MOST)
        found[same_article] = offset[same_article]
        return found

    def said(self, after: bool) -> Scores:
        """1 for the passage the agent quoted (or, `after`, the one following it in the same article)."""
        found = np.zeros(len(self.rows), dtype=np.float32)
        if self.anchor is None:
            return found
        if not after:
            found[self.rows == self.anchor] = 1.0
            return found
        same_article = self.owners == self.corpus.article_row[self.anchor]
        found[same_article & (self.corpus.ordinal[self.rows] == self.corpus.ordinal[self.anchor] + 1)] = 1.0
        return found


_FEATURES: dict[str, Callable[[_Candidates], Scores]] = {
    "bm25_last": lambda c: c.bm25_last,
    "bm25_all": lambda c: c.bm25_all,
    "dense_last": lambda c: c.dense_last,
    "dense_all": lambda c: c.dense_all,
    "article_bm25_all": lambda c: c.article_max(c.bm25_all),
    "article_dense_all": lambda c: c.article_max(c.dense_all),
    "doc_bm25_all": lambda c: _normalized(c.corpus.computed[ARTICLE_BM25].scores(c.query.all_terms))[c.owners],
    "doc_bm25_agent": lambda c: c.doc_agent(),
    "doc_title": lambda c: c.per_article(c.corpus.title_vectors, c.vectors.conversation),
    "doc_opening": lambda c: c.per_article(c.corpus.computed[ARTICLE_VECTORS], c.vectors.opening),
    "said": lambda c: c.said(after=False),
    "after_said": lambda c: c.said(after=True),
    "dense_agent": lambda c: c.agent_dense(before=False),
    "after_dense_agent": lambda c: c.agent_dense(before=True),
    "length": lambda c: c.corpus.length[c.rows],
    "quoted": lambda c: np.full(len(c.rows), c.quote, dtype=np.float32),
    "from_said": lambda c: c.from_said(),
}
FEATURES = tuple(_FEATURES)


def compute(corpus: Corpus, query: Query, vectors: QueryVectors, candidates: Rows, bm25_last: Scores,
            bm25_all: Scores, anchor: int | None, quote: float, wanted: Iterable[str]) -> dict[str, Scores]:
    """The `wanted` features of the candidate passages; `quote` gates the agent-turn evidence."""
    context = _Candidates(corpus, query, vectors, candidates, bm25_last, bm25_all, anchor, quote)
    return {name: np.asarray(_FEATURES[name](context), dtype=np.float32) for name in wanted}
