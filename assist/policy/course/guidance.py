"""Guidance for one moment of a call: the procedure it follows, the facts known, the decisions and the next-best
actions — carried over from the call's previous moment so that they hold steady.

A call's `CallState` is what one moment leaves the next: the procedure committed to (switching only when the
customer raises a new need) and how much of the transcript was read, so that a transcript that does not extend it
starts the call afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assist.call import Call, Turn
from assist.digest import sha256
from assist.policy.actions import CLARIFY, NextAction, next_best_actions
from assist.policy.course.needs import fact_fit, states_need
from assist.policy.course.procedure import NEW_MATTER_MARGIN, SWITCH_MARGIN, Course, follow, rival
from assist.policy.course.reading import Reading, far, leads, within
from assist.policy.course.situation import NEW_NEED_CONFIDENCE, Situation, read_situation
from assist.policy.course.standing import standing
from assist.policy.course.turns import last_customer_turn, need_turn, new_need, turns_to_new_matter
from assist.policy.cues import CueClock
from assist.policy.engine import Decision, decide
from assist.policy.hearing.facts import KnownFact, known_facts
from assist.policy.hearing.speech import SpokenFact, hear
from assist.policy.moments import Sighting, find_moments
from assist.policy.policyset import PolicySet


@dataclass(frozen=True)
class CallState:
    """What one moment of a call leaves for the next: the transcript it read (length and digest) and the
    procedure followed."""

    turns: int
    digest: str
    course: Course | None
    need_confidence: float | None = None  # how surely the knowledge base answered the need when it was raised
    redirected: int | None = None  # the agent's turn that told the caller the matter is not ours (elsewhere.py)

    def continues(self, transcript: Sequence[Turn]) -> bool:
        """Whether `transcript` is the one this state read, or extends it."""
        return len(transcript) >= self.turns and _digest(transcript[: self.turns]) == self.digest


@dataclass(frozen=True)
class Guidance:
    """What policy says for one moment of a call."""

    course: Course | None
    facts: tuple[KnownFact, ...]
    decisions: tuple[Decision, ...]
    actions: tuple[NextAction, ...]
    state: CallState
    unanswered: bool = False  # no procedure, and the customer's need is a gap or off topic
    off_topic: bool = False  # unanswered, and what customer service does not handle answers it best


def guide(policies: PolicySet, call: Call, reading: Reading, today: dt.date, clock: CueClock,
          previous: CallState | None = None, fresh: Reading | None = None, redirect: int | None = None) -> Guidance:
    """The call's procedure, facts, decisions and next-best actions at this moment.

    `reading`: the ranking of the call; `previous`: the state the call's last moment left (ignored unless this
    transcript extends the one it read); `fresh`: the ranking of the turn `need_to_rank` named, on its own;
    `redirect`: the agent's newest turn, when it told the caller the matter is not ours. A call whose need is a
    gap (or off topic) and that follows no procedure gets no decision and no procedure step: only the
    acknowledgement of what the customer revealed.
    """
    if previous is not None and not previous.continues(call.transcript):
        previous = None
    redirect = _redirected(previous, redirect)
    spoken = hear(call.transcript, policies.vocabulary, today, clock)
    held = previous.course if previous is not None else None
    turn = new_need(previous.turns, call.transcript, held is not None) if previous is not None else None
    now = read_situation(policies, call, reading, clock, held, fresh, turn, away(previous, redirect))
    if now.waiting:  # "hi, I have a question about an order": nothing to follow or decide yet
        course, vague = None, now.vague
    elif previous is None:  # the first moment seen of this call: a reply may follow a need stated before it
        course, vague = _first_course(call, reading, now)
    else:
        course, vague = _next_course(policies, call, previous.course, fresh, now)
    unanswered = course is None and (now.gap or vague) and not now.waiting
    decisions, actions = _advise(policies, call, reading, today, clock, course, now, spoken, unanswered)
    facts = known_facts(policies, call, spoken, course.article if course is not None else None)
    carried = previous.need_confidence if previous is not None and course is not None and \
        previous.course is not None and course.since_turn == previous.course.since_turn else None
    state = CallState(len(call.transcript), _digest(call.transcript), course, carried, redirect)
    off_topic = unanswered and (reading.outside or now.sent_away or now.placed or
                                (fresh is not None and fresh.outside))
    return Guidance(course, tuple(facts), tuple(decisions), tuple(actions), state, unanswered, off_topic)


def _first_course(call: Call, reading: Reading, now: Situation) -> tuple[Course | None, bool]:
    """The procedure of a call seen for the first time, and whether its need is too vague to follow one."""
    stating = need_turn(call.transcript) == last_customer_turn(call.transcript)  # the need's own words
    vague = now.vague or (stating and far(reading) and not now.named and not now.answering)
    if (now.gap or vague) and not now.answering:
        return None, vague
    return follow(None, now.candidates, now.progress, call, now.fit), vague


def _next_course(policies: PolicySet, call: Call, held: Course | None, fresh: Reading | None,
                 now: Situation) -> tuple[Course | None, bool]:
    """The procedure of a call under way, from the one it followed: kept, switched, given up or first taken up;
    and whether the customer's new words are too vague to raise a need."""
    vague = now.vague
    said = now.said
    fresh_fit = fact_fit(policies, said, now.pool) if said is not None else None
    # a procedure not yet under way gives way to a turn nothing answers; one under way only to a turn about
    # what we do not handle ("by the way, are you hiring?"): pushback ("can I talk to someone else") is no new need
    started = held is not None and any(s in now.progress for s in held.article.steps)
    if held is not None and now.sent_away:
        held = None
    elif held is not None and (_moved_off(held, fresh, now) or (now.gap and not started and not now.answering)) \
            and (said is None or states_need(policies, said)):
        held = None  # the customer moved on: the procedure no longer applies
    if held is not None:
        # a turn that says little on its own raises no need
        new = ([] if vague else now.pool) if fresh is not None and now.turn is not None else None
        return follow(held, now.candidates, now.progress, call, now.fit, new, fresh_fit, now.raised), vague
    # no need yet: a new turn that is a gap or far from everything raises none either
    vague = vague or (fresh is not None and not now.naming and (fresh.gap or fresh.outside or far(fresh)))
    if now.gap and fresh is not None and not vague:  # the call so far was off topic; its new turn is not
        turn = last_customer_turn(call.transcript)
        return follow(None, now.pool, now.progress, call, fresh_fit or {}, raised_at=turn), vague
    return (None if now.gap or vague else follow(None, now.candidates, now.progress, call, now.fit)), vague


def _moved_off(held: Course, fresh: Reading | None, now: Situation) -> bool:
    """"By the way, are you hiring?": a turn answered on its own by what customer service does not handle (surely,
    or at all in a turn that says it turns to another matter), and far ahead of the procedure followed."""
    if fresh is None or not fresh.outside or now.naming or not leads(fresh, NEW_MATTER_MARGIN):
        return False
    turn = now.turn
    return (fresh.confidence >= NEW_NEED_CONFIDENCE or (turn is not None and turns_to_new_matter(turn.text))) \
        and not within(fresh, held.article, SWITCH_MARGIN)


def _advise(policies: PolicySet, call: Call, reading: Reading, today: dt.date, clock: CueClock,
            course: Course | None, now: Situation, spoken: dict[str, SpokenFact],
            unanswered: bool) -> tuple[list[Decision], list[NextAction]]:
    """The decisions and next-best actions of the moment (none but the acknowledgement of a life event on a call
    that follows nothing: its need is unanswered or not yet said)."""
    heard = replace(call, facts={**{n: f.value for n, f in spoken.items()}, **call.facts})
    sightings: list[Sighting] = find_moments(call.transcript, policies.moments, clock)
    if unanswered or now.waiting:
        decisions: list[Decision] = []
        sightings = [s for s in sightings if s.moment.kind == "life-event"]
    else:
        ranked = reading.ranked
        articles = [course.article.id] if course is not None else [ranked[0].article.id] if ranked else []
        decisions = decide(policies, heard, articles, today, sightings)
    procedure = course.article if course is not None else None
    progress = standing(policies, call, now.progress, course, spoken, decisions, clock)
    other = rival(now.candidates, procedure, progress, now.fit)
    actions = next_best_actions(procedure, decisions, policies, sightings, progress, other)
    if now.waiting:
        turn_number = last_customer_turn(call.transcript) + 1
        ask = NextAction(CLARIFY, "Ask what the customer needs", "the customer has not said what they need yet",
                         f"transcript:turn-{turn_number}")
        actions = [ask, *actions]
    return decisions, actions


def need_to_rank(previous: CallState | None, transcript: Sequence[Turn], redirect: int | None = None) -> Turn | None:
    """The customer's turn the service should rank on its own for `guide` (its `fresh`), or None: a new turn of
    a call already under way that may raise a new need (after the agent sent the caller elsewhere, `redirect`,
    any that says more than an answer)."""
    if previous is None or not previous.continues(transcript):
        return None
    return new_need(previous.turns, transcript, previous.course is not None and not away(previous, redirect))


def away(previous: CallState | None, redirect: int | None) -> bool:
    """Whether the call was sent elsewhere: the agent said the matter is not ours (`redirect`, this moment's, or
    else the one the call's last moment kept) and no procedure was taken up after that."""
    redirect = _redirected(previous, redirect)
    if redirect is None:
        return False
    return previous is None or previous.course is None or previous.course.since_turn <= redirect


def _redirected(previous: CallState | None, redirect: int | None) -> int | None:
    """The agent's turn that sent the caller elsewhere: this moment's, or else the one the last moment kept."""
    return redirect if redirect is not None or previous is None else previous.redirected


def _digest(transcript: Sequence[Turn]) -> str:
    return sha256("\x1e".join(f"{t.speaker}\x1f{t.text}" for t in transcript))
