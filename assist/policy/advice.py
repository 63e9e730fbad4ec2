"""The policy's front door: from the ranked answers of one moment of a call to what the agent is told.

The service ranks the call and hands over the ranking with a way to rank one turn on its own (policy reads
rankings, it does not make them: retrieval sits above it). This reads the agent's and the customer's new turns on
their own where they may send the caller elsewhere or raise a new need, guides the call (`guidance.guide`), says
how sure the moment is of its answer, and in which order the answers are shown (`answers.answer_order`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from assist.call import Call, Turn
from assist.policy.course.answers import Order, answer_order
from assist.policy.course.elsewhere import agent_turn_to_judge
from assist.policy.course.guidance import CallState, Guidance, guide, need_to_rank
from assist.policy.course.reading import POLICY_DEPTH, Reading
from assist.policy.course.turns import answers_agent, last_customer_turn, need_turn
from assist.policy.cues import CueClock
from assist.policy.policyset import PolicySet

Alone = Callable[[Turn, int], Reading]  # ranks one turn on its own (no issue), to a depth
Clock = Callable[[], CueClock]  # starts the cue budget: ranking (turns on their own included) is no cue matching


@dataclass(frozen=True)
class Advice:
    """What policy says for one moment of a call: its guidance (with the state the call's next moment continues
    from), how sure the moment is of its answer (and whether that is a knowledge gap), and the order the answers
    are shown in."""

    guidance: Guidance
    confidence: float
    gap: bool
    order: Order


@dataclass(frozen=True)
class Retrieved:
    """The call's ranking, a way to rank one of its turns on its own, and the confidence below which an answer
    is a knowledge gap."""

    reading: Reading
    alone: Alone
    gap_threshold: float


class _Singles:
    """The call's turns ranked on their own, each at most once a request."""

    def __init__(self, call: Call, alone: Alone) -> None:
        self._call, self._alone = call, alone
        self._readings: dict[int, Reading] = {}

    def __call__(self, turn: int) -> Reading:
        if turn not in self._readings:
            self._readings[turn] = self._alone(self._call.transcript[turn], 1)
        return self._readings[turn]


def advise(policies: PolicySet, call: Call, retrieved: Retrieved, today: dt.date, clock: Clock,
           previous: CallState | None = None) -> Advice:
    """Guide the call from where `previous` (its last moment) left it, given its ranking."""
    alone, on_its_own = retrieved.alone, _Singles(call, retrieved.alone)
    judged = agent_turn_to_judge(previous.turns, call.transcript) \
        if previous is not None and previous.continues(call.transcript) else None
    redirect = None
    if judged is not None:  # the agent's new words that decline, on their own: what we do not handle?
        redirect = judged if alone(Turn("customer", call.transcript[judged].text), 1).outside else None
    turn = need_to_rank(previous, call.transcript, redirect)
    fresh = alone(turn, POLICY_DEPTH) if turn is not None else None  # a turn that may raise a new need
    reading = retrieved.reading
    gap = reading.gap
    if gap and any(r.article.steps for r in reading.ranked) and previous is None and _stated_before(call):
        # a call seen first in mid-flow: is its need (stated earlier) a gap, rather than its last words?
        gap = on_its_own(need_turn(call.transcript)).gap
    guidance = guide(policies, call, replace(reading, gap=gap), today, clock(), previous, fresh, redirect)
    confidence, gap, state = _sureness(call, retrieved, guidance, fresh, on_its_own)
    return Advice(replace(guidance, state=state), confidence, gap, answer_order(reading, guidance, call))


def _sureness(call: Call, retrieved: Retrieved, guidance: Guidance, fresh: Reading | None,
              on_its_own: _Singles) -> tuple[float, bool, CallState]:
    """How sure the moment is of its answer, whether that is a knowledge gap, and the call's state with how surely
    the need its procedure serves was answered when raised."""
    reading, threshold, state = retrieved.reading, retrieved.gap_threshold, guidance.state
    if guidance.unanswered:
        confidence = reading.confidence
        if fresh is not None:  # the customer's new turn, on its own, is what is unanswered
            confidence = min(confidence, fresh.confidence)
        if guidance.off_topic and not reading.outside:
            # off topic by the agent's or the customer's words, not by the ranking: how sure the ranking is of its
            # answer of ours says nothing; we have no answer of ours to be sure of
            confidence = min(confidence, threshold)
        return confidence, True, state
    course, last = guidance.course, last_customer_turn(call.transcript)
    if course is None or not (answers_agent(call.transcript) or last == course.since_turn):
        return reading.confidence, reading.gap, state
    # the moment is about the need the procedure serves: as sure as the need was answered when raised
    need = state.need_confidence
    if need is None:  # how surely the turn that raised the need is answered on its own
        since = course.since_turn
        if since == last:
            need = fresh.confidence if fresh is not None else reading.confidence
        else:
            need = on_its_own(since).confidence if 0 <= since < len(call.transcript) else reading.confidence
        state = replace(state, need_confidence=need)
    return need, need < threshold, state


def _stated_before(call: Call) -> bool:
    """Whether the call's need was stated (in words) before the customer's last turn."""
    stated = need_turn(call.transcript)
    return 0 <= stated < last_customer_turn(call.transcript) and bool(call.transcript[stated].text.strip())
