"""The running knowledge service: one live snapshot (index + retriever), suggest, and atomic swaps."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ulid import ULID

from assist import storage
from assist.actions import NextAction, next_best_actions
from assist.articles import Article
from assist.call import Call
from assist.embedder import Embedder
from assist.errors import IndexNotFoundError
from assist.index import KnowledgeIndex, load_index
from assist.policy import Decision, decide
from assist.retrieval import Answer, Retriever, Tuning

log = logging.getLogger(__name__)

# Policies come from the articles the agent is most likely reading; weaker matches would add decisions
# about things the customer did not ask for.
POLICY_ARTICLES = 2


@dataclass(frozen=True)
class Snapshot:
    """Everything one request reads, from exactly one index version."""

    index: KnowledgeIndex
    retriever: Retriever


@dataclass(frozen=True)
class Suggestion:
    """What the agent sees for one moment of the call."""

    suggestion_id: str
    index_version: str
    took_ms: float
    confidence: float
    knowledge_gap: bool
    answers: tuple[Answer, ...]
    empowerment: tuple[Decision, ...]
    next_best_actions: tuple[NextAction, ...]


class KnowledgeService:
    """Holds the live snapshot; requests read one reference, reloads replace it whole."""

    def __init__(self, index_dir: Path, embedder: Embedder, tuning: Tuning | None = None) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self.tuning = tuning
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot | None:
        """The live snapshot, or None before the first successful load."""
        return self._snapshot

    def load(self, version: str | None = None) -> str:
        """Load and verify a version beside the live one, then swap; on any error the live one stays."""
        with self._lock:
            index = load_index(self.index_dir, self.embedder, version)
            if self._snapshot and self._snapshot.index.version == index.version:
                return index.version
            self._snapshot = Snapshot(index, Retriever(index, self.embedder, self.tuning))
            log.info("index loaded", extra={"index_version": index.version, "passages": index.manifest.count})
            return index.version

    def pointer_changed(self) -> bool:
        """True when CURRENT names a version other than the one being served."""
        current = storage.current_version(self.index_dir)
        return current is not None and (self._snapshot is None or current != self._snapshot.index.version)

    def suggest(self, call: Call, limit: int, today: dt.date | None = None) -> Suggestion:
        """Rank answers for the call against the snapshot live when the request started."""
        start = time.perf_counter()
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotFoundError(f"no index loaded from {self.index_dir}")
        day = today or dt.date.today()
        ranking = snapshot.retriever.rank(call, max(limit, POLICY_ARTICLES * 3), day)
        articles = list({a.article.id: a.article for a in ranking.answers}.values())[:POLICY_ARTICLES]
        policies = snapshot.index.policies
        decisions = decide(policies, call, [a.id for a in articles], day)
        actions = next_best_actions(call, _procedure(articles), decisions, policies)
        return Suggestion(
            suggestion_id=f"sg_{ULID()}",
            index_version=snapshot.index.version,
            took_ms=round((time.perf_counter() - start) * 1000, 2),
            confidence=round(ranking.confidence, 4),
            knowledge_gap=ranking.knowledge_gap,
            answers=ranking.answers[:limit],
            empowerment=tuple(decisions),
            next_best_actions=tuple(actions),
        )


def _procedure(articles: list[Article]) -> Article | None:
    """The best-ranked article that lays out steps to follow."""
    return next((a for a in articles if a.steps), None)
