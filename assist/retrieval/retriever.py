"""Call → ranked answers: lexical and dense candidates among the passages the caller may see, scored by
weighted features, then presented."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import faiss
import numpy as np

from assist.call import Call
from assist.index.embedder import Embedder
from assist.index.files import matrix
from assist.index.lexical import Scores
from assist.index.loaded import KnowledgeIndex
from assist.index.vectors import Rows, Vectors
from assist.knowledge.articles import Article
from assist.knowledge.passages import MAX_CHARS, Passage
from assist.retrieval.features import FEATURES, Corpus, QueryVectors, compute, lexical_scores, quoting
from assist.retrieval.learned import LEARN_DEPTH, Candidates, LearnedRanker, weighted
from assist.retrieval.presentation import SHOWN_FEATURES, Answer, Presenter, Ranking, Scored
from assist.retrieval.query import Query, build_query
from assist.retrieval.tuning import Tuning
from assist.retrieval.visibility import visible

TURN_CACHE = 4096  # turn texts whose vectors are kept: the desktop re-sends the growing transcript


class Retriever:
    """Ranks the passages of one loaded index version for a call."""

    def __init__(self, index: KnowledgeIndex, embedder: Embedder, tuning: Tuning | None = None,
                 ranker: LearnedRanker | None = None) -> None:
        self.index = index
        self.tuning = tuning or Tuning()
        self.ranker = ranker
        self._embedder = embedder
        self.corpus = _corpus(index)
        self._mask = _mask_cache(list(index.articles.values()), self.corpus.article_row)
        self._presenter = Presenter(index, self.corpus.article_row, self.tuning)
        self._domain = [index.articles[p.article_id].domain or "" for p in index.passages]
        self._weighted = SHOWN_FEATURES | {name for name, weight in self.tuning.weights.items() if weight}
        self._logged = SHOWN_FEATURES | set(FEATURES)  # every feature: the best candidates' are logged to learn from
        self._turns: OrderedDict[str, Vectors] = OrderedDict()
        self._turns_lock = threading.Lock()

    def rank(self, call: Call, limit: int, today: dt.date, by_article: bool = False, learned: bool = True) -> Ranking:
        """The best `limit` passages for this call among those the caller may see (`by_article`: the best
        `limit` articles, each with its best passage and references to its next best; `learned`: see `score`)."""
        return self._presenter.present(self.score(call, today, learned), limit, by_article)

    def read_out(self, answers: Sequence[Answer], query: Query, first_about: frozenset[str] | None = None,
                 first_step: int | None = None) -> tuple[Answer, ...]:
        """The answers an agent will see, with the sentence to say and the articles each links to."""
        return self._presenter.read_out(answers, query, first_about, first_step)

    def window_of(self, passage: Passage) -> Passage:
        """The display window an answer ranked on `passage` shows."""
        return self._presenter.window_of(passage)

    def score(self, call: Call, today: dt.date, learned: bool = True) -> Scored:
        """Every candidate passage the caller may see, scored and ordered best first: by the hand-weighted
        features, the best LEARN_DEPTH of them logged and re-scored by the learned ranker when one is served.
        `learned=False`: the hand weights alone, nothing logged (a turn ranked on its own for policy, which reads
        articles' scores: the learned ranker leaves those as they are)."""
        mask = self._mask(call.segment, call.role, tuple(sorted(call.filters.items())), today)
        query = build_query(call, self.tuning.window)
        if not mask.any():
            return Scored(query, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), {})
        vectors = self._vectors(query)
        bm25_last, bm25_all = lexical_scores(self.corpus, query, mask)
        params = _selection(self.index.vectors, mask)
        candidates = self._candidates(bm25_last, bm25_all, vectors, mask, params)
        anchor, similarity = self._anchor(vectors.agent, params)
        features = compute(self.corpus, query, vectors, candidates, bm25_last, bm25_all, anchor,
                           quoting(similarity), self._logged if learned else self._weighted)
        score = weighted(features, self.tuning.weights)
        order = np.argsort(-score, kind="stable")
        if not learned:
            return Scored(query, candidates[order], score[order], {name: f[order] for name, f in features.items()})
        best = order[:LEARN_DEPTH]
        logged = Candidates(tuple(self.index.passages[int(row)].key for row in candidates[best]),
                            np.column_stack([*(features[name][best] for name in FEATURES),
                                             self.corpus.ordinal[candidates[best]]]).astype(np.float32),
                            domain=self._domain[int(candidates[best[0]])] if len(best) else "")
        if self.ranker is not None and logged.domain in self.ranker.domains:
            # each article keeps its hand scores, so the candidates it did not see stay below them all
            score = score.copy()
            score[best] = self.ranker.scores(logged, self.corpus.article_row[candidates[best]])
            order = np.argsort(-score, kind="stable")
        return Scored(query, candidates[order], score[order], {name: f[order] for name, f in features.items()},
                      logged)

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
        found = [_top(bm25_last, depth), _top(bm25_all, depth)]
        _, ids = self.index.vectors.search(np.stack([vectors.last, vectors.conversation]), depth, params=params)
        found.extend(row[row >= 0] for row in ids)
        union = np.unique(np.concatenate(found))
        return np.asarray(union[mask[union] > 0], dtype=np.int64)

    def _anchor(self, agent: Vectors | None, params: faiss.SearchParameters | None) -> tuple[int | None, float]:
        """The passage the agent's last turn most likely quoted, and how similar the two are."""
        if agent is None:
            return None, 0.0
        similarity, ids = self.index.vectors.search(agent[None, :], 1, params=params)
        return (int(ids[0, 0]), float(similarity[0, 0])) if ids[0, 0] >= 0 else (None, 0.0)

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


def _top(scores: Scores, depth: int) -> Rows:
    """The `depth` best rows of non-negative `scores`, in no order: a partial sort (only the top is used); ties
    at the cut go to the lowest rows, as with a stable full sort."""
    count = len(scores)
    if depth >= count:
        return np.arange(count, dtype=np.int64)
    scored = np.flatnonzero(scores)  # BM25 is zero for most rows: partition only the rest
    if len(scored) <= depth:  # every scored row, then the first rows scoring zero
        missing = depth - len(scored)
        zeros = np.flatnonzero(scores[: missing + len(scored)] == 0)[:missing]
        return np.concatenate([scored, zeros]).astype(np.int64)
    part = scored[np.argpartition(scores[scored], len(scored) - depth)[len(scored) - depth :]]
    cut = scores[part].min()
    above = part[scores[part] > cut]  # nothing outside the partition scores above its smallest member
    tied = np.flatnonzero(scores == cut)[: depth - len(above)]
    return np.concatenate([above, tied]).astype(np.int64)


def _blend(vectors: list[Vectors], weights: Sequence[float]) -> Vectors:
    """The unit-length weighted sum of turn vectors."""
    total = (np.array(weights, dtype=np.float32)[:, None] * np.stack(vectors)).sum(axis=0)
    return np.asarray(total / max(float(np.linalg.norm(total)), 1e-9), dtype=np.float32)


def _selection(index: faiss.Index, mask: Scores) -> faiss.SearchParameters | None:
    """FAISS search restricted to visible passages when some are hidden (an IVF search keeps its nprobe)."""
    if mask.all():
        return None
    selector = faiss.IDSelectorBatch(np.flatnonzero(mask).astype(np.int64))
    if isinstance(index, faiss.IndexIVF):
        return faiss.SearchParametersIVF(sel=selector, nprobe=index.nprobe)  # type: ignore[call-arg]
    return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]


def _corpus(index: KnowledgeIndex) -> Corpus:
    """The arrays features read, from what the version saved: nothing is tokenized or averaged at load."""
    position = {article_id: i for i, article_id in enumerate(index.articles)}
    return Corpus(
        passage_vectors=matrix(index.vectors),
        article_row=np.array([position[p.article_id] for p in index.passages], dtype=np.int64),
        ordinal=np.array([p.ordinal for p in index.passages], dtype=np.int64),
        title_vectors=matrix(index.titles),
        length=np.array([len(p.text) / MAX_CHARS for p in index.passages], dtype=np.float32),
        computed=index.computed,
    )
