"""Reading a call's turns: what turns to another matter, what asks for a need or about it, what may raise a new
need, and what invites one."""

from __future__ import annotations

import pytest

from assist.call import Turn
from assist.policy.course.turns import asks_about, invites, moves_on, new_need, requests, turns_to_new_matter


def test_actually_turns_to_another_matter_only_as_a_marker_not_as_an_adverb() -> None:
    assert moves_on("yeah actually, my package never showed up")
    assert moves_on("ok good. oh, actually, can I add something else onto that refund?")
    assert not moves_on("Yes please. I'd actually rather have it as store credit.")
    assert turns_to_new_matter("great, that worked. while I'm here, when does my subscription renew?")
    assert turns_to_new_matter("oh ok. honestly the bigger thing is, the cardigan is cheaper today")


def test_words_that_ask_for_something_are_told_from_words_about_it() -> None:
    assert requests("Ugh, okay. Then I'd like to return mine and get the bigger size.")
    assert requests("can I send them back?")
    assert not requests("also is there a fee to cancel? I don't want any surprises")


def test_a_question_about_how_a_need_works_is_told_from_a_request() -> None:
    assert asks_about("ok and what about refunds, like how long until I get my money back?")
    assert not asks_about("honestly in that case I'd rather just send them back")


def test_on_a_call_that_follows_nothing_yet_an_answer_that_says_more_than_an_answer_may_raise_the_need() -> None:
    opening = (Turn("customer", "Hello, I have a question about something I ordered."),
               Turn("agent", "Happy to help. What's going on with it?"))
    stated = (*opening, Turn("customer", "The cardigan is mustard, not the gold it showed, so I'd like to return it."))
    short = (*opening, Turn("customer", "it's Wanda Kowalczyk"))
    assert new_need(2, stated, following=False) == stated[-1]
    assert new_need(2, stated) is None  # a call under way: a reply to the agent raises nothing
    assert new_need(2, short, following=False) is None


@pytest.mark.parametrize(("said", "inviting"), [
    ("Anything else I can do for you?", True),
    ("Is there something with an order I can help with?", True),
    ("Can I help with anything on our side?", True),
    ("Can I have your order ID?", False),
    ("I can help you with that return.", False),
])
def test_the_agent_asking_what_else_the_customer_needs_invites_a_new_need(said: str, inviting: bool) -> None:
    assert invites(said) is inviting
