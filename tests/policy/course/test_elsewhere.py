"""Whether the call's matter is another business's: which agent turn is judged (new, after the need, in words
that decline), and the customer's words the vocabulary places elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.call import Turn
from assist.policy.course.elsewhere import agent_turn_to_judge, placed_elsewhere
from assist.policy.cues import CueClock
from assist.policy.files.vocabulary import load_vocabulary
from assist.policy.vocabulary import Vocabulary
from tests.conftest import ROOT

NEED = Turn("customer", "hi, can you tell me why the interest rate on my Visa card went up?")


def _judged(reply: str) -> int | None:
    return agent_turn_to_judge(1, [NEED, Turn("agent", reply), Turn("customer", "oh, ok")])


@pytest.mark.parametrize("reply", [
    "I'm sorry, we don't manage card rates; that would be your card issuer.",
    "I think you may have the wrong number, this is AcmeBrands.",
    "I'm sorry, this is AcmeBrands, the clothing store.",
    "I can only help with orders from our store.",
])
def test_a_new_agent_turn_after_the_need_in_words_that_decline_is_judged(reply: str) -> None:
    assert _judged(reply) == 1


@pytest.mark.parametrize("reply", ["No problem! Can I have your full name?", "Sure, let me pull up your account."])
def test_an_agent_turn_that_agrees_or_asks_is_not_judged(reply: str) -> None:
    assert _judged(reply) is None


def test_only_a_turn_new_since_the_last_moment_and_after_a_stated_need_is_judged() -> None:
    transcript = [NEED, Turn("agent", "I'm afraid that's not something we handle."), Turn("customer", "oh, ok")]
    assert agent_turn_to_judge(3, transcript) is None  # read at the call's last moment
    assert agent_turn_to_judge(1, transcript) == 1
    greeted = [Turn("customer", "hi"), Turn("agent", "Sorry, you've reached AcmeBrands, we're not open Sundays."),
               Turn("customer", "oh, ok")]
    assert agent_turn_to_judge(1, greeted) is None  # no need stated before it


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    vocabulary, problems = load_vocabulary(ROOT / "knowledge" / "policies" / "vocabulary.yaml")
    assert vocabulary is not None and problems == []
    return vocabulary


@pytest.mark.parametrize(("said", "elsewhere"), [
    ("Yeah hi, I want to dispute my bill, my electricity bill. it's doubled since last month", True),
    ("Hi, my flight to Chicago got cancelled and I need to rebook", True),
    ("hi I need to refill my blood pressure prescription", True),
    ("my credit card got declined at the grocery store this morning, can you tell me why?", True),
    ("I want to dispute my bill, I was charged twice for the premium subscription", False),
    ("my card keeps getting declined at your checkout", False),
    ("I dropped them at the post office two weeks ago", False),
])
def test_words_the_vocabulary_places_with_another_business_are_read(
    vocabulary: Vocabulary, said: str, elsewhere: bool
) -> None:
    assert placed_elsewhere(said, vocabulary, CueClock()) is elsewhere


def test_elsewhere_cues_are_checked_like_every_cue(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.yaml"
    path.write_text("elsewhere: ['(a+)+b']\n")
    vocabulary, problems = load_vocabulary(path)
    assert vocabulary is None and problems and "elsewhere[0]" in str(problems[0])
