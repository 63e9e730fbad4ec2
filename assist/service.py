"""The running knowledge service: one live snapshot (index + retriever), suggest, and atomic swaps."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ulid import ULID

from assist.call import Call, Turn
from assist.deadline import Deadline
from assist.errors import AssistError, IndexNotFoundError, RankerError, UnknownArticleError
from assist.index import versions
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex, load_index
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage
from assist.policy.actions import NextAction
from assist.policy.advice import Retrieved, advise
from assist.policy.course.guidance import CallState
from assist.policy.course.procedure import Course
from assist.policy.course.reading import POLICY_DEPTH, Reading
from assist.policy.cues import Limits
from assist.policy.engine import Decision
from assist.policy.hearing.facts import KnownFact
from assist.policy.hearing.quantities import warm_up
from assist.retrieval import rankers
from assist.retrieval.handover import reading, shown
from assist.retrieval.learned import Candidates, LearnedRanker
from assist.retrieval.presentation import Answer
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import Tuning
from assist.retrieval.visibility import visible

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """Everything one request reads, from exactly one index version."""

    index: KnowledgeIndex
    retriever: Retriever

    @property
    def ranker(self) -> str | None:
        """The learned ranker version served, None for the hand weights."""
        return self.retriever.ranker.version if self.retriever.ranker else None


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
    procedure: Course | None = None
    facts: tuple[KnownFact, ...] = ()
    off_topic: bool = False  # the need is something customer service does not handle
    state: CallState | None = None  # what the call's next moment continues from
    candidates: Candidates | None = None  # what the ranking saw, logged for `assist learn`; not sent


@dataclass(frozen=True)
class Reload:
    """The outcome of a successful reload: what is served now, and whether that changed."""

    version: str
    previous: str | None
    ranker: str | None = None  # the learned ranker served now (None: the hand weights)
    previous_ranker: str | None = None

    @property
    def changed(self) -> bool:
        """True when the live snapshot was replaced."""
        return self.version != self.previous or self.ranker != self.previous_ranker


@dataclass(frozen=True)
class Refusal:
    """A version that failed verification, and why; it is not retried until the pointer moves or an admin asks."""

    version: str
    error: str


class KnowledgeService:
    """Holds the live snapshot; requests read one reference, reloads replace it whole.

    A request takes `self._snapshot` once and uses only that object, so a reload that swaps the reference
    mid-request cannot mix versions: the old snapshot lives until its last request drops it.
    """

    def __init__(self, index_dir: Path, embedder: Embedder, tuning: Tuning | None = None,
                 limits: Limits | None = None) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self.tuning = tuning
        self.limits = limits or Limits()
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self.reloads = 0
        self.reload_failures = 0
        self.refused: Refusal | None = None
        self.ranker_refused: Refusal | None = None  # a ranker version that failed to load: the last one serves on

    @property
    def snapshot(self) -> Snapshot | None:
        """The live snapshot, or None before the first successful load."""
        return self._snapshot

    def load(self, version: str | None = None) -> str:
        """Load and verify a version beside the live one, then swap; on any error the live one stays."""
        warm_up()  # once per process in effect: dateparser loads its data on first use
        with self._lock:
            name = version or versions.current_version(self.index_dir)
            if name is None:
                raise IndexNotFoundError(f"no published index in {self.index_dir}; run `assist index build`")
            live = self._snapshot
            try:
                # versions are immutable: a ranker change alone re-uses the loaded index
                index = live.index if live and live.index.version == name else load_index(self.index_dir,
                                                                                          self.embedder, name)
            except AssistError as exc:
                self.reload_failures += 1
                self.refused = Refusal(name, str(exc))
                log.error("index version refused", extra={"index_version": name, "error": str(exc),
                                                         "serving": self.version})
                raise
            if self.refused and self.refused.version == name:
                self.refused = None
            ranker = self._ranker(live.retriever.ranker if live else None)
            if live and live.index.version == index.version and live.retriever.ranker is ranker:
                return index.version
            self._snapshot = Snapshot(index, Retriever(index, self.embedder, self.tuning, ranker))
            self.reloads += 1
            log.info("index loaded", extra={"index_version": index.version, "passages": index.manifest.count,
                                            "ranker_version": ranker.version if ranker else None})
            return index.version

    def _ranker(self, served: LearnedRanker | None) -> LearnedRanker | None:
        """The learned ranker CURRENT names (None: the hand weights); when it cannot be loaded, the one served
        stays (logged, counted, kept in `ranker_refused` until the pointer moves)."""
        name = rankers.current(self.index_dir)
        if name is None:
            self.ranker_refused = None
            return None
        if served is not None and served.version == name:
            return served
        try:
            ranker = rankers.load(self.index_dir, name)
        except RankerError as exc:
            self.reload_failures += 1
            self.ranker_refused = Refusal(name, str(exc))
            log.error("ranker version refused", extra={"ranker_version": name, "error": str(exc),
                                                      "serving": served.version if served else None})
            return served
        self.ranker_refused = None
        return ranker

    @property
    def ranker(self) -> str | None:
        """The learned ranker version served, if any (None: the hand weights)."""
        snapshot = self._snapshot
        return snapshot.ranker if snapshot else None

    @property
    def version(self) -> str | None:
        """The version being served, if any."""
        snapshot = self._snapshot
        return snapshot.index.version if snapshot else None

    def reload(self) -> Reload:
        """Load whatever CURRENT names now (retrying a refused version); raise AssistError if it fails."""
        previous, previous_ranker = self.version, self.ranker
        return Reload(self.load(), previous, self.ranker, previous_ranker)

    def start(self) -> str | None:
        """Clean up after dead writers, then serve CURRENT or, if it fails verification, the newest version
        that passes; None when nothing valid exists (readiness stays 503)."""
        versions.clean_if_idle(self.index_dir)
        current = versions.current_version(self.index_dir)
        candidates = [current] if current else []
        candidates += [v for v in reversed(versions.list_versions(self.index_dir)) if v != current]
        refusal = None
        for name in candidates:
            try:
                served = self.load(name)
            except AssistError:
                refusal = refusal or self.refused  # remember why CURRENT failed, not the last fallback
                continue
            self.refused = refusal if served != current else None
            return served
        log.error("no valid index version to serve", extra={"index_dir": str(self.index_dir)})
        return None

    def _live(self) -> Snapshot:
        """The snapshot a request reads from start to end (taken once); IndexNotFoundError before the first load."""
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotFoundError(f"no index loaded from {self.index_dir}")
        return snapshot

    def pointer_changed(self) -> bool:
        """True when CURRENT (of the index or of the learned rankers) names a version that is neither served nor
        already refused."""
        ranker = rankers.current(self.index_dir)
        if ranker != self.ranker and (self.ranker_refused is None or self.ranker_refused.version != ranker):
            return True
        current = versions.current_version(self.index_dir)
        if current is None or current == self.version:
            return False
        return self.refused is None or self.refused.version != current

    def suggest(self, call: Call, limit: int, today: dt.date | None = None,
                deadline: Deadline | None = None, by_article: bool = False,
                previous: CallState | None = None) -> Suggestion:
        """Rank answers for the call against the snapshot live when the request started (`by_article`: one
        answer per article, with references to its other good passages), and guide it from where `previous`
        (the call's last moment) left it.

        With a `deadline`, a request that can no longer be answered in time stops between stages
        (DeadlineExceededError), and cue patterns get at most the time left.
        """
        start = time.perf_counter()
        snapshot = self._live()
        if deadline is not None:
            deadline.check("before the request was started (waiting for a worker)")
        day = today or dt.date.today()
        retriever = snapshot.retriever
        ranking = retriever.rank(call, max(limit, POLICY_DEPTH), day, by_article)
        if deadline is not None:
            deadline.check("while ranking answers")
        if previous is not None and previous.course is not None \
                and previous.course.article.id not in snapshot.index.articles:
            previous = None  # the article it followed is no longer served

        def alone(turn: Turn, depth: int) -> Reading:
            return reading(retriever.rank(replace(call, transcript=(turn,), issue=None), depth, day, learned=False))

        retrieved = Retrieved(reading(ranking), alone, retriever.tuning.gap_threshold)
        # the cue budget starts once ranking is done (turns ranked on their own included): that is no cue matching
        advice = advise(snapshot.index.policies, call, retrieved, day, lambda: self.limits.clock(deadline), previous)
        guidance = advice.guidance
        return Suggestion(
            suggestion_id=f"sg_{ULID()}",
            index_version=snapshot.index.version,
            took_ms=round((time.perf_counter() - start) * 1000, 2),
            confidence=round(advice.confidence, 4),
            knowledge_gap=advice.gap,
            answers=shown(ranking, advice.order, retriever, limit),
            empowerment=guidance.decisions,
            next_best_actions=guidance.actions,
            procedure=guidance.course,
            facts=guidance.facts,
            state=guidance.state,
            off_topic=guidance.off_topic,
            candidates=ranking.candidates,
        )

    def search(self, query: str, caller: Call, limit: int, today: dt.date | None = None,
               deadline: Deadline | None = None) -> tuple[Answer, ...]:
        """The best `limit` passages for what the agent typed, among those `caller` (segment, role, filters) may
        see, read out as suggest reads its answers; no policy: the agent is looking, not the customer asking."""
        snapshot = self._live()
        if deadline is not None:
            deadline.check("before the search was started (waiting for a worker)")
        ranking = snapshot.retriever.rank(replace(caller, transcript=(Turn("customer", query),), issue=None), limit,
                                          today or dt.date.today())
        if ranking.query is None:
            return ranking.answers
        return snapshot.retriever.read_out(ranking.answers, ranking.query)

    def article(self, article_id: str, caller: Call, today: dt.date | None = None) -> tuple[Article, list[Passage]]:
        """An article of the live version as the agent reads it (its passages, routing text left out), when the
        caller may see it; UnknownArticleError otherwise."""
        snapshot = self._live()
        article = snapshot.index.articles.get(article_id)
        if article is None or not visible(article, caller, today or dt.date.today()):
            raise UnknownArticleError(article_id)
        return article, [p for p in snapshot.index.passages if p.article_id == article_id and not p.routing]

    def best_article(self, question: str) -> tuple[str, float] | None:
        """The article the live index ranks first for a question on its own, with its score."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        ranking = snapshot.retriever.rank(Call(transcript=(Turn("customer", question),)), 1, dt.date.today(),
                                          learned=False)
        return (ranking.answers[0].article.id, ranking.answers[0].score) if ranking.answers else None
