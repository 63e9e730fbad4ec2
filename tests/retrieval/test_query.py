from __future__ import annotations

import pytest

from assist.call import Call, Turn
from assist.retrieval.query import Window, build_query


def _call(*turns: tuple[str, str], issue: str | None = None) -> Call:
    return Call(transcript=tuple(Turn(s, t) for s, t in turns), issue=issue)  # type: ignore[arg-type]


def test_last_customer_turn_is_the_focus_when_it_asks_something_new() -> None:
    query = build_query(_call(("customer", "How do I renew my license?"), ("agent", "Online or by mail."),
                              ("customer", "What documents do I need to bring in person?")))
    assert query.last == "What documents do I need to bring in person?"
    assert query.first == "How do I renew my license?"


def test_an_answer_to_the_agents_question_is_read_with_the_question_and_the_topic() -> None:
    query = build_query(_call(("customer", "My subscription bill is higher than it should be."),
                              ("agent", "How much do you think you were overcharged?"), ("customer", "about 9.99")))
    assert query.last.startswith("My subscription bill")
    assert "overcharg" in query.last_terms


def test_a_bare_yes_is_widened_until_there_is_something_to_search_with() -> None:
    query = build_query(_call(("customer", "Can I transfer my plate credit?"), ("agent", "Do you own two cars"),
                              ("customer", "yes")))
    assert "yes" in query.last and len(query.last_terms) >= 4


def test_issue_is_read_as_the_opening_customer_turn() -> None:
    query = build_query(_call(("customer", "it came yesterday"), issue="return a stained shirt"))
    assert query.first == "return a stained shirt"
    assert query.turns[0] == "return a stained shirt"
    only_issue = build_query(_call(issue="return a stained shirt"))
    assert only_issue.last == only_issue.first == "return a stained shirt"


def test_recent_turns_weigh_more_and_agent_terms_are_kept_apart() -> None:
    query = build_query(_call(("customer", "first question"), ("agent", "an agent answer"), ("customer", "last")))
    assert query.recency[0] < query.recency[1] < query.recency[2] == 1.0
    assert query.agent_terms == ("agent", "answer")
    assert query.last_agent == "an agent answer"


def test_window_reads_the_opening_and_only_the_latest_turns_that_fit() -> None:
    turns = [("customer", "My parcel never arrived.")] + [
        ("agent" if i % 2 else "customer", f"turn {i} " + "x" * 900) for i in range(1, 40)]
    query = build_query(_call(*turns), Window(turns=24, turn_chars=2000, chars=5000))
    assert query.first == "My parcel never arrived."
    assert query.turns[0] == "My parcel never arrived."
    assert [t.split()[1] for t in query.turns[1:]] == ["35", "36", "37", "38", "39"]  # 5 x 909 chars fit in 5000


def test_window_cuts_every_turn_and_counts_at_most_its_turns() -> None:
    turns = [("customer", f"question {i} " + "y" * 5000) for i in range(30)]
    query = build_query(_call(*turns), Window(turns=3, turn_chars=100, chars=100_000))
    assert len(query.turns) == 4  # the opening and the last three
    assert all(len(t) <= 100 for t in query.turns)


def test_window_refuses_nonpositive_bounds() -> None:
    with pytest.raises(ValueError, match="turns"):
        Window(turns=0)
