"""The agent's words that send the caller elsewhere: which agent turn is judged (new, after the need, in words
that decline), and that only what customer service does not handle ranked first makes it a redirect."""

from __future__ import annotations

import datetime as dt

import pytest

from assist.call import Call, Turn
from assist.knowledge.articles import Article
from assist.policy.cues import CueClock
from assist.policy.elsewhere import agent_turn_to_judge, sends_elsewhere
from assist.policy.guidance import CallState, Ranked, Reading, guide
from assist.policy.policyset import PolicySet

NEED = Turn("customer", "hi, can you tell me why the interest rate on my Visa card went up?")


@pytest.fixture
def state(policies: PolicySet) -> CallState:
    """The state a call leaves after its first moment: the customer's need, nothing answering it."""
    return guide(policies, Call(transcript=(NEED,)), Reading((), 0.0, gap=True), dt.date(2026, 12, 7),
                 CueClock()).state


def _judged(state: CallState, reply: str) -> int | None:
    return agent_turn_to_judge(state, [NEED, Turn("agent", reply), Turn("customer", "oh, ok")])


def test_a_new_agent_turn_after_the_need_in_words_that_decline_is_judged(state: CallState) -> None:
    assert _judged(state, "I'm sorry, we don't manage card rates; that would be your card issuer.") == 1
    assert _judged(state, "I think you may have the wrong number, this is AcmeBrands.") == 1
    assert _judged(state, "I'm sorry, this is AcmeBrands, the clothing store.") == 1
    assert _judged(state, "I can only help with orders from our store.") == 1


def test_an_agent_turn_that_agrees_or_asks_is_not_judged(state: CallState) -> None:
    assert _judged(state, "No problem! Can I have your full name?") is None
    assert _judged(state, "Sure, let me pull up your account.") is None


def test_only_a_turn_new_since_the_last_moment_and_after_the_need_is_judged(
    policies: PolicySet, state: CallState
) -> None:
    transcript = [NEED, Turn("agent", "I'm afraid that's not something we handle."), Turn("customer", "oh, ok")]
    read = guide(policies, Call(transcript=tuple(transcript)), Reading((), 0.0, gap=True), dt.date(2026, 12, 7),
                 CueClock()).state
    assert agent_turn_to_judge(read, transcript) is None  # read at the call's last moment
    assert agent_turn_to_judge(state, transcript) == 1
    assert agent_turn_to_judge(None, transcript) is None  # a call first seen mid-flow is read from its words
    greeted = [Turn("customer", "hi"), Turn("agent", "Sorry, you've reached AcmeBrands, we're not open Sundays."),
               Turn("customer", "oh, ok")]
    first = guide(policies, Call(transcript=greeted[:1]), Reading((), 0.0, gap=True), dt.date(2026, 12, 7),
                  CueClock()).state
    assert agent_turn_to_judge(first, greeted) is None  # no need stated before it


def test_a_turn_is_a_redirect_only_when_what_customer_service_does_not_handle_answers_it_first(
    articles: dict[str, Article]
) -> None:
    outside = Reading((Ranked(articles["outside-customer-service"], 3.0), Ranked(articles["faq-timing"], 2.0)), 0.3)
    ours = Reading((Ranked(articles["shipping-status"], 3.0), Ranked(articles["outside-customer-service"], 2.9)), 0.9)
    assert sends_elsewhere(outside) and not sends_elsewhere(ours)
