"""Call → ranked answers: lexical and dense candidates, scored by weighted features, filtered by visibility."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

import faiss
import numpy as np

from assist.call import Call
from assist.index.embedder import Embedder
from assist.index.version import KnowledgeIndex, embedding_text
from assist.knowledge.articles import Article
from assist.knowledge.passages import MAX_CHARS, Passage
from assist.retrieval.features import FEATURES, Corpus, QueryVectors, Rows, Vector, compute, lexical_scores, quoting
from assist.retrieval.lexical import LexicalIndex, Scores, matching_words, terms
from assist.retrieval.query import Query, Window, build_query
from assist.retrieval.visibility import visible

# Chosen on one half of the Doc2Dial dev dialogues, checked on the other half (see README, "Answer quality").
DEFAULT_WEIGHTS = MappingProxyType({
    "bm25_last": 0.5, "bm25_all": 0.2, "dense_last": 0.5, "dense_all": 0.5,
    "article_bm25_all": 0.5, "article_dense_all": 0.2,
    "doc_bm25_all": 1.2, "doc_bm25_agent": 1.2, "doc_title": 0.8, "doc_opening": 1.2,
    "said": 0.0, "after_said": 0.0,
})
TURN_CACHE = 4096


@dataclass(frozen=True)
class Tuning:
    """The knobs of ranking: feature weights, candidate depth, and the confidence calibration."""

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    depth: int = 100
    # P(first answer is the right passage) = logistic(slope * lead over the second + offset), fitted on the
    # Doc2Dial dev split; scaled down when even the best passage is far in meaning from the customer's words.
    confidence_slope: float = 6.0
    confidence_offset: float = 0.2
    relevance_floor: float = 0.15
    relevance_full: float = 0.4
    gap_threshold: float = 0.35
    # Passages are indexed small, for precise matching, and shown with their neighbours up to this many
    # characters: the answer the agent needs next often continues just after the matching sentences.
    display_chars: int = 1190
    # How much of the transcript is read (and so embedded) per request.
    window: Window = field(default_factory=Window)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranking features {sorted(unknown)}; known: {', '.join(FEATURES)}")
        if self.depth < 1:
            raise ValueError(f"depth must be at least 1, got {self.depth}")
        if not 0 < self.display_chars <= MAX_CHARS:
            raise ValueError(f"display_chars must be in 1..{MAX_CHARS}, got {self.display_chars}")


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
        self._articles = list(index.articles.values())
        self._owner = [index.articles[p.article_id] for p in index.passages]
        self._passage_terms = [frozenset(terms(p.text)) for p in index.passages]
        self.corpus = _corpus(index)
        self._mask = _mask_cache(self._articles, self.corpus.article_row)
        self._turns: OrderedDict[str, Vector] = OrderedDict()
        self._turns_lock = threading.Lock()

    def rank(self, call: Call, limit: int, today: dt.date) -> Ranking:
        """The best `limit` passages for this call among those the caller may see."""
        mask = self._mask(call.segment, call.role, tuple(sorted(call.filters.items())), today)
        if not mask.any():
            return Ranking((), 0.0, True)
        query = build_query(call, self.tuning.window)
        vectors = self._vectors(query)
        bm25_last, bm25_all = lexical_scores(self.corpus, query, mask)
        params = _selection(mask)
        candidates = self._candidates(bm25_last, bm25_all, vectors, mask, params)
        anchor, similarity = self._anchor(vectors.agent, params)
        features = compute(self.corpus, query, vectors, candidates, bm25_last, bm25_all, anchor,
                           quoting(similarity))
        score = np.zeros(len(candidates), dtype=np.float32)
        for name, weight in self.tuning.weights.items():
            score += np.float32(weight) * features[name]
        order = np.argsort(-score, kind="stable")
        best = int(order[0])
        similarity = max(float(features["dense_last"][best]), float(features["dense_all"][best]))
        confidence = self._confidence(score[order], similarity)
        answers: list[Answer] = []
        shown: set[int] = set()
        for i in order:
            row = int(candidates[i])
            if row in shown:
                continue  # already on screen inside a better answer's window
            window, rows = self._display(row)
            shown.update(rows)
            answers.append(self._answer(row, window, float(score[i]), query, features, int(i)))
            if len(answers) == limit:
                break
        return Ranking(tuple(answers), confidence, confidence < self.tuning.gap_threshold)

    def _vectors(self, query: Query) -> QueryVectors:
        """Embed each turn once (cached by text: the desktop re-sends the growing transcript)."""
        with self._turns_lock:
            wanted = list(dict.fromkeys(query.turns))
            missing = [t for t in wanted if t not in self._turns]
        encoded = self._embedder.encode(missing) if missing else None
        with self._turns_lock:
            for i, text in enumerate(missing):
                self._turns[text] = encoded[i]  # type: ignore[index]
            vectors = {t: self._turns[t] for t in wanted}
            for text in wanted:
                self._turns.move_to_end(text)
            while len(self._turns) > TURN_CACHE:
                self._turns.popitem(last=False)
        conversation = _blend([vectors[t] for t in query.turns], query.recency)
        focus = _blend([vectors[t] for t in query.focus], [1.0] * len(query.focus))
        return QueryVectors(focus, conversation, vectors[query.first],
                            vectors[query.last_agent] if query.last_agent else None)

    def _candidates(self, bm25_last: Scores, bm25_all: Scores, vectors: QueryVectors, mask: Scores,
                    params: faiss.SearchParameters | None) -> Rows:
        depth = min(self.tuning.depth, len(mask))
        found = [np.argsort(-bm25_last)[:depth], np.argsort(-bm25_all)[:depth]]
        _, ids = self.index.vectors.search(np.stack([vectors.last, vectors.conversation]), depth, params=params)
        found.extend(row[row >= 0] for row in ids)
        union = np.unique(np.concatenate(found))
        return np.asarray(union[mask[union] > 0], dtype=np.int64)

    def _anchor(self, agent: Vector | None, params: faiss.SearchParameters | None) -> tuple[int | None, float]:
        """The passage the agent's last turn most likely quoted, and how similar the two are."""
        if agent is None:
            return None, 0.0
        similarity, ids = self.index.vectors.search(agent[None, :], 1, params=params)
        return (int(ids[0, 0]), float(similarity[0, 0])) if ids[0, 0] >= 0 else (None, 0.0)

    def _confidence(self, ordered: Scores, similarity: float) -> float:
        """Calibrated chance the first answer is the right passage: its lead, gated by its plain relevance."""
        t = self.tuning
        lead = float(ordered[0] - ordered[1]) if len(ordered) > 1 else float(ordered[0])
        chance = 1 / (1 + math.exp(-(t.confidence_slope * lead + t.confidence_offset)))
        relevance = (similarity - t.relevance_floor) / (t.relevance_full - t.relevance_floor)
        return round(chance * min(max(relevance, 0.0), 1.0), 4)

    def _answer(self, row: int, window: Passage, score: float, query: Query, features: dict[str, Scores],
                i: int) -> Answer:
        passage = self.index.passages[row]
        shared = matching_words(passage.text, frozenset(query.last_terms) & self._passage_terms[row])
        if shared:
            why = "matches " + ", ".join(f"'{t}'" for t in shared[:5]) + " in the customer's last turn"
        else:
            why = f"close in meaning to the last turn (similarity {float(features['dense_last'][i]):.2f})"
        if features["doc_bm25_all"][i] >= 0.999:
            why += "; the article best matching the whole conversation"
        return Answer(window, self._owner[row], round(score, 4), shared, why)

    def _display(self, row: int) -> tuple[Passage, range]:
        """The passage with the following (then preceding) passages of its article, while they fit."""
        passages, owner = self.index.passages, self.corpus.article_row
        text, first, last = passages[row].text, row, row
        while True:
            after, before = last + 1, first - 1
            if after < len(passages) and owner[after] == owner[row] and \
                    len(text) + 2 + len(passages[after].text) <= self.tuning.display_chars:
                text, last = f"{text}\n\n{passages[after].text}", after
            elif before >= 0 and owner[before] == owner[row] and \
                    len(text) + 2 + len(passages[before].text) <= self.tuning.display_chars:
                text, first = f"{passages[before].text}\n\n{text}", before
            else:
                return replace(passages[row], text=text), range(first, last + 1)


class _Mask(Protocol):
    def __call__(self, segment: str | None, role: str | None, filters: tuple[tuple[str, object], ...],
                 today: dt.date) -> Scores: ...


def _mask_cache(articles: list[Article], article_row: Rows) -> _Mask:
    """Which passages a caller may see, cached per (segment, role, filters, day) for one retriever.

    The cache closes over the articles only, never the retriever: a cache holding `self` would keep every
    retired index version alive after a reload.
    """

    @lru_cache(maxsize=256)
    def mask(segment: str | None, role: str | None, filters: tuple[tuple[str, object], ...],
             today: dt.date) -> Scores:
        call = Call(segment=segment, role=role, filters=dict(filters))  # type: ignore[arg-type]
        allowed = np.array([visible(a, call, today) for a in articles], dtype=bool)
        return allowed[article_row].astype(np.float32)

    return mask


def _blend(vectors: list[Vector], weights: Sequence[float]) -> Vector:
    """The unit-length weighted sum of turn vectors."""
    total = (np.array(weights, dtype=np.float32)[:, None] * np.stack(vectors)).sum(axis=0)
    return np.asarray(total / max(float(np.linalg.norm(total)), 1e-9), dtype=np.float32)


def _selection(mask: Scores) -> faiss.SearchParameters | None:
    """FAISS search restricted to visible passages, when some are hidden."""
    if mask.all():
        return None
    selector = faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64))
    return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]


def _corpus(index: KnowledgeIndex) -> Corpus:
    articles = list(index.articles.values())
    position = {a.id: i for i, a in enumerate(articles)}
    rows = np.array([position[p.article_id] for p in index.passages], dtype=np.int64)
    matrix = index.vectors.reconstruct_n(0, index.vectors.ntotal) if index.passages else np.zeros((0, 1), "f4")
    means = np.zeros((len(articles), matrix.shape[1]), dtype=np.float32)
    np.add.at(means, rows, matrix)
    means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
    texts = [embedding_text(index.articles[p.article_id], p) for p in index.passages]
    return Corpus(
        passage_vectors=matrix,
        article_row=rows,
        ordinal=np.array([p.ordinal for p in index.passages], dtype=np.int64),
        passage_bm25=LexicalIndex(texts),
        article_bm25=LexicalIndex([f"{a.title}\n{a.body}" for a in articles]),
        article_vectors=means,
        title_vectors=index.titles.reconstruct_n(0, index.titles.ntotal) if articles else np.zeros((0, 1), "f4"),
    )
