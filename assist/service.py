"""The running knowledge service: one live snapshot (index + retriever), suggest, and atomic swaps."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ulid import ULID

from assist.call import Call, Turn
from assist.deadline import Deadline
from assist.errors import AssistError, IndexNotFoundError, UnknownArticleError
from assist.index import versions
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex, load_index
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage
from assist.knowledge.words import terms
from assist.policy.actions import NextAction, StepStatus
from assist.policy.cues import CUE_CHARS, CUE_SECONDS, CueClock
from assist.policy.elsewhere import agent_turn_to_judge
from assist.policy.engine import Decision
from assist.policy.guidance import CallState, KnownFact, Ranked, Reading, guide, need_to_rank
from assist.policy.procedure import Course, answers_agent, last_customer_turn, need_turn
from assist.policy.quantities import warm_up
from assist.policy.rules import Outcome
from assist.retrieval.presentation import Answer, Ranking
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import Tuning
from assist.retrieval.visibility import visible

log = logging.getLogger(__name__)

# Articles ranked for the policy to choose the call's procedure among (their best answers' scores).
POLICY_DEPTH = 10


@dataclass(frozen=True)
class Limits:
    """What one suggestion may spend on editor-written cue patterns: time in all, and characters per turn."""

    cue_seconds: float = CUE_SECONDS
    cue_chars: int = CUE_CHARS

    def __post_init__(self) -> None:
        if self.cue_seconds <= 0 or self.cue_chars < 1:
            raise ValueError(f"cue limits must be positive, got {self.cue_seconds} s, {self.cue_chars} characters")


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
    procedure: Course | None = None
    facts: tuple[KnownFact, ...] = ()
    off_topic: bool = False  # the need is something customer service does not handle
    state: CallState | None = None  # what the call's next moment continues from


@dataclass(frozen=True)
class Reload:
    """The outcome of a successful reload: what is served now, and whether that changed."""

    version: str
    previous: str | None

    @property
    def changed(self) -> bool:
        """True when the live snapshot was replaced."""
        return self.version != self.previous


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
            try:
                index = load_index(self.index_dir, self.embedder, name)
            except AssistError as exc:
                self.reload_failures += 1
                self.refused = Refusal(name, str(exc))
                log.error("index version refused", extra={"index_version": name, "error": str(exc),
                                                         "serving": self.version})
                raise
            if self.refused and self.refused.version == name:
                self.refused = None
            if self._snapshot and self._snapshot.index.version == index.version:
                return index.version
            self._snapshot = Snapshot(index, Retriever(index, self.embedder, self.tuning))
            self.reloads += 1
            log.info("index loaded", extra={"index_version": index.version, "passages": index.manifest.count})
            return index.version

    @property
    def version(self) -> str | None:
        """The version being served, if any."""
        snapshot = self._snapshot
        return snapshot.index.version if snapshot else None

    def reload(self) -> Reload:
        """Load whatever CURRENT names now (retrying a refused version); raise AssistError if it fails."""
        previous = self.version
        return Reload(self.load(), previous)

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

    def pointer_changed(self) -> bool:
        """True when CURRENT names a version that is neither served nor already refused."""
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
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotFoundError(f"no index loaded from {self.index_dir}")
        if deadline is not None:
            deadline.check("before the request was started (waiting for a worker)")
        day = today or dt.date.today()
        ranking = snapshot.retriever.rank(call, max(limit, POLICY_DEPTH), day, by_article)
        if deadline is not None:
            deadline.check("while ranking answers")
        if previous is not None and previous.course is not None \
                and previous.course.article.id not in snapshot.index.articles:
            previous = None  # the article it followed is no longer served
        judged = agent_turn_to_judge(previous.turns, call.transcript) \
            if previous is not None and previous.continues(call.transcript) else None
        redirect = None
        if judged is not None:  # the agent's new words that decline, on their own: what we do not handle?
            words = call.transcript[judged].text
            alone = snapshot.retriever.rank(replace(call, transcript=(Turn("customer", words),), issue=None), 1, day)
            redirect = judged if _reading(alone).outside else None
        turn = need_to_rank(previous, call.transcript, redirect)
        fresh = None
        if turn is not None:  # a turn that may raise a new need, ranked on its own
            alone = snapshot.retriever.rank(replace(call, transcript=(turn,), issue=None), POLICY_DEPTH, day)
            fresh = _reading(alone)
        singles: dict[int, Ranking] = {}  # turns ranked on their own in this request, by index

        def on_its_own(turn: int) -> Ranking:
            if turn not in singles:
                single = replace(call, transcript=(call.transcript[turn],), issue=None)
                singles[turn] = snapshot.retriever.rank(single, 1, day)
            return singles[turn]

        gap = ranking.knowledge_gap
        stated = need_turn(call.transcript)
        steps = any(a.article.steps for a in ranking.answers)  # only a call that may follow a procedure
        if gap and steps and previous is None and 0 <= stated < last_customer_turn(call.transcript) \
                and call.transcript[stated].text.strip():
            # a call seen first in mid-flow: is its need (stated earlier) a gap, rather than its last words?
            gap = on_its_own(stated).knowledge_gap
        reading = replace(_reading(ranking), gap=gap)
        # the cue budget starts now: ranking (the turn on its own included) is not cue matching
        seconds = self.limits.cue_seconds if deadline is None else min(self.limits.cue_seconds, deadline.left())
        clock = CueClock(seconds, self.limits.cue_chars)
        guidance = guide(snapshot.index.policies, call, reading, day, clock, previous, fresh, redirect)
        state = guidance.state
        gap, confidence = ranking.knowledge_gap, ranking.confidence
        if guidance.unanswered:
            gap = True
            if fresh is not None:  # the customer's new turn, on its own, is what is unanswered
                confidence = min(confidence, fresh.confidence)
            if guidance.off_topic and not reading.outside:
                # off topic by the agent's or the customer's words, not by the ranking: how sure the ranking is
                # of its answer of ours says nothing; we have no answer of ours to be sure of
                confidence = min(confidence, snapshot.retriever.tuning.gap_threshold)
        elif guidance.course is not None and (answers_agent(call.transcript) or last_customer_turn(call.transcript) ==
                                              guidance.course.since_turn):
            # the moment is about the need the procedure serves: as sure as the need was answered when raised
            need = state.need_confidence
            if need is None:  # how surely the turn that raised the need is answered on its own
                since = guidance.course.since_turn
                if since == last_customer_turn(call.transcript):
                    need = fresh.confidence if fresh is not None else ranking.confidence
                else:
                    need = on_its_own(since).confidence if 0 <= since < len(call.transcript) else ranking.confidence
                state = replace(state, need_confidence=need)
            confidence, gap = need, need < snapshot.retriever.tuning.gap_threshold
        # once the customer has told the fact that decides, the agent tells them what the decision says
        decided = _decided(guidance.decisions, guidance.course) if _just_told(guidance.facts, call) else frozenset()
        ranked = ranking.answers if guidance.unanswered else \
            tuple(a for a in ranking.answers if not a.article.outside)
        # (what customer service does not handle is an answer only on a call off topic, and there the first one)
        if guidance.off_topic:
            ranked = tuple(sorted(ranked, key=lambda a: not a.article.outside))
        answers = _procedure_first(ranked, guidance.course, decided, snapshot.retriever.window_of)[:limit]
        if ranking.query is not None:
            course = guidance.course
            leads = bool(decided) and bool(answers) and course is not None \
                and answers[0].article.id == course.article.id
            first = bool(answers) and course is not None and answers[0].article.id == course.article.id
            step = _current_step(guidance.actions, course.article) if first and course is not None else None
            answers = snapshot.retriever.read_out(answers, ranking.query, decided if leads else None, step)
        return Suggestion(
            suggestion_id=f"sg_{ULID()}",
            index_version=snapshot.index.version,
            took_ms=round((time.perf_counter() - start) * 1000, 2),
            confidence=round(confidence, 4),
            knowledge_gap=gap,
            answers=answers,
            empowerment=guidance.decisions,
            next_best_actions=guidance.actions,
            procedure=guidance.course,
            facts=guidance.facts,
            state=state,
            off_topic=guidance.off_topic,
        )

    def article(self, article_id: str, caller: Call, today: dt.date | None = None) -> tuple[Article, list[Passage]]:
        """An article of the live version as the agent reads it (its passages, routing text left out), when the
        caller may see it; UnknownArticleError otherwise."""
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotFoundError(f"no index loaded from {self.index_dir}")
        article = snapshot.index.articles.get(article_id)
        if article is None or not visible(article, caller, today or dt.date.today()):
            raise UnknownArticleError(article_id)
        return article, [p for p in snapshot.index.passages if p.article_id == article_id and not p.routing]

    def best_article(self, question: str) -> tuple[str, float] | None:
        """The article the live index ranks first for a question on its own, with its score."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        ranking = snapshot.retriever.rank(Call(transcript=(Turn("customer", question),)), 1, dt.date.today())
        return (ranking.answers[0].article.id, ranking.answers[0].score) if ranking.answers else None


def _current_step(actions: Sequence[NextAction], procedure: Article) -> int | None:
    """The number (from 1) of the procedure's step the agent is on, as its article lists it; None when none is
    (or only a step a denial set aside)."""
    return next((procedure.steps.index(a.action) + 1 for a in actions
                 if a.status == StepStatus.CURRENT and not a.set_aside and a.action in procedure.steps), None)


def _just_told(facts: Sequence[KnownFact], call: Call) -> bool:
    """Whether the customer's last turn told a fact (the answer to the agent's question that decides)."""
    last = last_customer_turn(call.transcript)
    return any(f.source == "speech" and f.turn == last for f in facts)


def _decided(decisions: Sequence[Decision], course: Course | None) -> frozenset[str]:
    """The terms of what the decisions of the followed procedure say (none while they ask)."""
    if course is None:
        return frozenset()
    return frozenset(t for d in decisions if d.decision != Outcome.ASK and d.source_article == course.article.id
                     for t in terms(d.explanation))


def _procedure_first(answers: tuple[Answer, ...], course: Course | None, said: frozenset[str],
                     window_of: Callable[[Passage], Passage]) -> tuple[Answer, ...]:
    """The answers with one from the procedure's article first: the agent is working that article. Given what
    the decisions say (`said`: the customer has just told the fact that decides), the passage that says most of
    it (with answers grouped by article, one of the answer's `more` passages, shown in its window); otherwise
    its best-ranked."""
    if course is None:
        return answers
    own = [i for i, a in enumerate(answers) if a.article.id == course.article.id]
    if not own:
        return answers
    first = own[0]
    if said:
        def overlap(text: str) -> int:
            return len(said & set(terms(text)))
        first = max(own, key=lambda i: overlap(answers[i].passage.text))
        best = max(answers[first].more, key=lambda m: overlap(m.passage.text), default=None)
        if best is not None and overlap(best.passage.text) > overlap(answers[first].passage.text):
            shown = replace(answers[first], passage=window_of(best.passage),
                            more=tuple(m for m in answers[first].more if m is not best))
            answers = (*answers[:first], shown, *answers[first + 1:])
    return (answers[first], *answers[:first], *answers[first + 1:])


def _reading(ranking: Ranking) -> Reading:
    """A ranking as policy reads it."""
    return Reading(tuple(Ranked(a.article, a.score) for a in ranking.answers), ranking.confidence,
                   ranking.knowledge_gap, ranking.relevance)
