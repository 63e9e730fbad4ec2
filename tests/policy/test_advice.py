"""The policy's front door: turns ranked on their own before the cue clock starts, a followed procedure as sure
as its need was answered when raised, and an agent's declining turn that ranks as what we do not handle sending
the caller elsewhere."""

from __future__ import annotations

import datetime as dt

from assist.call import Call, Turn
from assist.knowledge.articles import Article
from assist.policy.advice import Advice, Retrieved, advise
from assist.policy.course.guidance import CallState
from assist.policy.course.reading import Ranked, Reading
from assist.policy.cues import CueClock
from assist.policy.policyset import PolicySet

TODAY = dt.date(2026, 12, 7)
STAIN = "my new jacket arrived with a stain on the sleeve, I'd like to send it back"


def _call(*turns: str) -> Call:
    speakers = ("customer", "agent")
    return Call(transcript=tuple(Turn(speakers[i % 2], t) for i, t in enumerate(turns)),  # type: ignore[arg-type]
                segment="silver")


class _Log:
    """What the front door asked for, in order: turns ranked on their own, and the cue clock started."""

    def __init__(self, alone: Reading) -> None:
        self.asked: list[str] = []
        self._alone = alone

    def alone(self, turn: Turn, depth: int) -> Reading:
        self.asked.append(f"{turn.speaker}:{depth}")
        return self._alone

    def clock(self) -> CueClock:
        self.asked.append("clock")
        return CueClock(5.0)


def _advise(policies: PolicySet, call: Call, reading: Reading, log: _Log,
            previous: CallState | None = None) -> Advice:
    return advise(policies, call, Retrieved(reading, log.alone, 0.5), TODAY, log.clock, previous)


def test_a_followed_procedure_is_as_sure_as_its_need_was_answered_when_raised(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    ranked = (Ranked(articles["returns-stain-damage"], 3.9), Ranked(articles["faq-jackets"], 3.0))
    first = _advise(policies, _call(STAIN), Reading(ranked, 0.7), _Log(Reading((), 0.1)))
    assert first.confidence == 0.7 and not first.gap and first.guidance.state.need_confidence == 0.7
    call = _call(STAIN, "Sorry to hear that! When did you buy it?", "two weeks ago")
    log = _Log(Reading((), 0.1))
    reply = _advise(policies, call, Reading(ranked, 0.2, gap=True), log, first.guidance.state)
    assert reply.confidence == 0.7 and not reply.gap  # a short reply is about the need the procedure serves
    assert log.asked == ["clock"]  # an answer to the agent raises no need: nothing ranked on its own


def test_turns_are_ranked_on_their_own_before_the_cue_clock_starts(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    ranked = (Ranked(articles["returns-stain-damage"], 3.9),)
    first = _advise(policies, _call(STAIN), Reading(ranked, 0.7), _Log(Reading((), 0.1)))
    call = _call(STAIN, "Sure, I can help with that.", "also, while I've got you, can I change my delivery address?")
    log = _Log(Reading(ranked, 0.9))
    _advise(policies, call, Reading(ranked, 0.7), log, first.guidance.state)
    assert log.asked == ["customer:10", "clock"]


def test_an_agent_turn_that_declines_and_ranks_as_not_ours_sends_the_caller_elsewhere(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    ranked = (Ranked(articles["returns-stain-damage"], 3.9),)
    first = _advise(policies, _call(STAIN), Reading(ranked, 0.7), _Log(Reading((), 0.1)))
    call = _call(STAIN, "I'm sorry, this is AcmeBrands, we can't help with orders from other stores.")
    outside = Reading((Ranked(articles["outside-customer-service"], 3.0),), 0.9)
    advice = _advise(policies, call, Reading(ranked, 0.7), _Log(outside), first.guidance.state)
    assert advice.guidance.state.redirected == 1
