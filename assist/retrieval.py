"""Call → ranked answers: lexical and dense candidates, fused, filtered to what the caller may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import faiss
import numpy as np
import numpy.typing as npt

from assist.articles import Article
from assist.call import Call
from assist.embedder import Embedder
from assist.index import KnowledgeIndex, embedding_text
from assist.lexical import LexicalIndex, matching_words, terms
from assist.passages import Passage
from assist.query import Query, build_query
from assist.visibility import visible

Mask = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Tuning:
    """The knobs of ranking, chosen on the dev split and reported by `assist eval`."""

    depth: int = 100
    lexical_weight: float = 0.5
    focus_weight: float = 0.5
    article_weight: float = 0.3
    gap_threshold: float = 0.3


@dataclass(frozen=True)
class Answer:
    """One ranked passage with the evidence shown to the agent."""

    passage: Passage
    article: Article
    score: float
    highlights: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Ranking:
    """The answers for one call, best first, and how sure we are of the first."""

    answers: tuple[Answer, ...]
    confidence: float
    knowledge_gap: bool


class Retriever:
    """Ranks the passages of one loaded index version for a call."""

    def __init__(self, index: KnowledgeIndex, embedder: Embedder, tuning: Tuning | None = None) -> None:
        self.index = index
        self.tuning = tuning or Tuning()
        self._embedder = embedder
        passages = index.passages
        self._owner = [index.articles[p.article_id] for p in passages]
        self._article_row = np.array([list(index.articles).index(p.article_id) for p in passages], dtype=np.int64)
        self._lexical = LexicalIndex([embedding_text(a, p) for a, p in zip(self._owner, passages, strict=True)])
        self._matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal) if passages else np.zeros((0, 1))
        self._passage_terms = [frozenset(terms(p.text)) for p in passages]

    @lru_cache(maxsize=256)  # noqa: B019 - one retriever per index version; the cache dies with it
    def _mask(self, segment: str | None, role: str | None, filters: tuple[tuple[str, object], ...],
              today: dt.date) -> Mask:
        call = Call(segment=segment, role=role, filters=dict(filters))  # type: ignore[arg-type]
        allowed = np.array([visible(a, call, today) for a in self.index.articles.values()], dtype=bool)
        return allowed[self._article_row].astype(np.float32)

    def rank(self, call: Call, limit: int, today: dt.date) -> Ranking:
        """The best `limit` passages for this call among those the caller may see."""
        mask = self._mask(call.segment, call.role, tuple(sorted(call.filters.items())), today)
        if not mask.any():
            return Ranking((), 0.0, True)
        query = build_query(call)
        lexical = self._lexical.scores(query.weighted_terms, mask)
        vectors = self._embedder.encode([query.focus or query.context, query.context])
        candidates = self._candidates(lexical, vectors, mask)
        dense = np.asarray(self._matrix[candidates] @ vectors.T, dtype=np.float32)
        score = self._fuse(lexical[candidates], dense, candidates)
        order = np.argsort(-score, kind="stable")[:limit]
        answers = tuple(self._answer(int(candidates[i]), float(score[i]), query, dense[i]) for i in order)
        confidence = float(np.clip(dense[order[0]].max(), 0.0, 1.0)) if answers else 0.0
        return Ranking(answers, confidence, confidence < self.tuning.gap_threshold)

    def _candidates(self, lexical: Mask, vectors: npt.NDArray[np.float32], mask: Mask) -> npt.NDArray[np.int64]:
        depth = min(self.tuning.depth, len(mask))
        found = [np.argsort(-lexical, kind="stable")[:depth]]
        params = None
        if not mask.all():
            selector = faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64))
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        _, ids = self.index.vectors.search(vectors, depth, params=params)
        found.extend(row[row >= 0] for row in ids)
        union = np.unique(np.concatenate(found))
        return union[mask[union] > 0]

    def _fuse(self, lexical: Mask, dense: npt.NDArray[np.float32], candidates: npt.NDArray[np.int64]) -> Mask:
        t = self.tuning
        lexical_norm = lexical / lexical.max() if lexical.max() > 0 else lexical
        semantic = t.focus_weight * dense[:, 0] + (1 - t.focus_weight) * dense[:, 1]
        passage = t.lexical_weight * lexical_norm + (1 - t.lexical_weight) * semantic
        rows = self._article_row[candidates]
        best = np.full(int(rows.max()) + 1, -np.inf, dtype=np.float32)
        np.maximum.at(best, rows, passage)
        return np.asarray(passage + t.article_weight * best[rows], dtype=np.float32)

    def _answer(self, row: int, score: float, query: Query, dense: npt.NDArray[np.float32]) -> Answer:
        passage = self.index.passages[row]
        shared = matching_words(passage.text, query.focus_terms & self._passage_terms[row])
        if shared:
            why = "matches " + ", ".join(f"'{t}'" for t in shared[:5]) + " from the customer's last turn"
        else:
            why = f"close in meaning to the conversation (similarity {float(dense.max()):.2f})"
        return Answer(passage, self._owner[row], round(score, 4), tuple(shared), why)
