"""Benchmark runners behind `assist eval`: the metrics of ../shared/bench/score_suggest.py, computed in-process."""

from __future__ import annotations

import collections
import datetime as dt
import json
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist.call import Call, Turn
from assist.knowledge.passages import split_article
from assist.knowledge.words import plain
from assist.retrieval.presentation import Ranking
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import DEFAULT_WEIGHTS

CHOSEN = "hybrid + article evidence + agent quotes (chosen)"
_PASSAGE = {k: DEFAULT_WEIGHTS[k] for k in ("bm25_last", "bm25_all", "dense_last", "dense_all")}
_ARTICLE = {k: DEFAULT_WEIGHTS[k] for k in ("article_bm25_all", "article_dense_all", "doc_bm25_all", "doc_title",
                                             "doc_opening")}
# Each configuration is a set of feature weights; the levers are measured by adding them one at a time.
CONFIGURATIONS: dict[str, dict[str, float]] = {
    "BM25, last customer turn": {"bm25_last": 1.0},
    "BM25, whole conversation": {"bm25_all": 1.0},
    "MiniLM + FAISS, last customer turn": {"dense_last": 1.0},
    "MiniLM + FAISS, whole conversation": {"dense_all": 1.0},
    "hybrid BM25 + MiniLM, passage features": _PASSAGE,
    "hybrid + article evidence": {**_PASSAGE, **_ARTICLE},
    CHOSEN: dict(DEFAULT_WEIGHTS),
    "chosen + neighbour of the quoted passage": {**DEFAULT_WEIGHTS, "said": 0.1, "after_said": 0.2},
}

MAX_PASSAGE = 1200


@dataclass(frozen=True)
class BenchQuery:
    """One Doc2Dial query: a transcript ending in a customer turn, and what the agent answered from."""

    qid: str
    domain: str
    transcript: tuple[Turn, ...]
    gold_article: str
    gold_answers: tuple[str, ...]


def read_queries(path: Path) -> list[BenchQuery]:
    """Read a queries JSONL file."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            turns = tuple(Turn(t["speaker"], t["text"]) for t in raw["transcript"])
            queries.append(BenchQuery(raw["qid"], raw.get("domain", ""), turns, raw["gold_article"],
                                      tuple(raw["gold_answers"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: bad query line ({exc})") from exc
    return queries


def _tokens(text: str) -> list[str]:
    return plain(text).split()


def covers(passage: str, answer: str) -> bool:
    """The scorer's test: a focused passage holding at least 80% of the gold answer's tokens."""
    if len(passage) > MAX_PASSAGE:
        return False
    want = collections.Counter(_tokens(answer))
    if not want:
        return False
    have = collections.Counter(_tokens(passage))
    return sum(min(n, have[t]) for t, n in want.items()) / sum(want.values()) >= 0.8


@dataclass
class Scores:
    """Running totals of the scorer's metrics, plus a confidence reliability table."""

    n: int = 0
    hit1: float = 0.0
    holds1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    ans1: float = 0.0
    ans5: float = 0.0

    def __post_init__(self) -> None:
        self.latencies: list[float] = []
        self.reliability: dict[int, list[int]] = collections.defaultdict(lambda: [0, 0])

    def add(self, query: BenchQuery, ranking: Ranking, ms: float) -> None:
        """Score one ranking against its gold article and answers."""
        self.n += 1
        self.latencies.append(ms)
        articles: list[str] = []
        for answer in ranking.answers:
            if answer.article.id not in articles:
                articles.append(answer.article.id)
        gold = query.gold_article
        self.hit1 += articles[:1] == [gold]
        # Duplicate pages make "the gold article" stricter than what the agent needs: an article holding the answer.
        if ranking.answers:
            top = ranking.answers[0].article
            self.holds1 += top.id == gold or any(
                covers(p.text, g) for p in split_article(top, MAX_PASSAGE) for g in query.gold_answers)
        self.hit5 += gold in articles[:5]
        self.mrr += 1 / (articles.index(gold) + 1) if gold in articles[:10] else 0
        ok = [any(covers(a.passage.text, g) for g in query.gold_answers) for a in ranking.answers]
        self.ans1 += any(ok[:1])
        self.ans5 += any(ok[:5])
        bucket = self.reliability[min(int(ranking.confidence * 10), 9)]
        bucket[0] += 1
        bucket[1] += bool(ok[:1] and ok[0])

    def summary(self) -> dict[str, Any]:
        """The scorer's JSON line."""
        n = max(self.n, 1)
        lat = sorted(self.latencies) or [0.0]
        return {"queries": self.n, "article_hit@1": round(self.hit1 / n, 4), "article_hit@5": round(self.hit5 / n, 4),
                "article_holds_answer@1": round(self.holds1 / n, 4),
                "article_mrr@10": round(self.mrr / n, 4), "answer_hit@1": round(self.ans1 / n, 4),
                "answer_hit@5": round(self.ans5 / n, 4), "p50_ms": round(statistics.median(lat), 1),
                "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1)}


def evaluate(retriever: Retriever, queries: Iterable[BenchQuery], segment: str = "standard",
             domain_filter: bool = False, today: dt.date | None = None) -> Scores:
    """Rank every query like the outside scorer does (limit 10) and total the metrics."""
    scores = Scores()
    day = today or dt.date.today()
    for query in queries:
        filters = {"domain": query.domain} if domain_filter else {}
        call = Call(transcript=query.transcript, segment=segment, filters=filters)  # type: ignore[arg-type]
        start = time.perf_counter()
        ranking = retriever.rank(call, 10, day)
        scores.add(query, ranking, (time.perf_counter() - start) * 1000)
    return scores


def reliability_rows(scores: Scores) -> Sequence[tuple[str, int, float]]:
    """(confidence bucket, queries, answer hit@1) rows, lowest confidence first."""
    return [(f"{b / 10:.1f}-{(b + 1) / 10:.1f}", n, round(hits / n, 3))
            for b, (n, hits) in sorted(scores.reliability.items()) if n]
