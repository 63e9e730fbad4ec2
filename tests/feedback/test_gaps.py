"""Which suggestions the gap report lists, and why: needs only, each with its reasons."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from assist.call import Call, Turn
from assist.feedback.events import EventKind, FeedbackEvent, SuggestionRecord, suggestion_record
from assist.feedback.gaps import GapReason, gap_questions
from assist.feedback.store import EventStore
from assist.service import Suggestion

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=1)


def _record(n: int, turn: str = "can I return shoes I wore once?", **fields: object) -> SuggestionRecord:
    record = SuggestionRecord(id=f"sg_{n:026d}", at=NOW, conversation_id=f"call-{n}", segment="gold", agent_id="a1",
                              agent_role="tier1", index_version="v1", customer_turn=turn, confidence=0.8,
                              knowledge_gap=False, answers=(), decisions=(), actions=())
    return replace(record, **fields)  # type: ignore[arg-type]


def _reasons(store: EventStore) -> dict[str, tuple[GapReason, ...]]:
    return {q.suggestion_id: q.reasons for q in gap_questions(store, SINCE)}


def test_a_reply_to_the_agents_question_is_never_a_gap(store: EventStore) -> None:
    suggestion = Suggestion("sg_" + "1" * 26, "v1", 1.0, 0.0, True, (), (), ())
    asked = Call(transcript=(Turn("customer", "I need to change my delivery address"),
                             Turn("agent", "Can I have your account number and your name?"),
                             Turn("customer", "Account 88231, Sam Okafor.")))
    reply = suggestion_record(suggestion, asked, "c", "a", NOW)
    need = suggestion_record(replace(suggestion, suggestion_id="sg_" + "2" * 26),
                             Call(transcript=(Turn("customer", "are you hiring at the warehouse?"),)), "c", "a", NOW)
    assert not reply.states_need and need.states_need
    store.record([reply, need])
    assert list(_reasons(store)) == [need.id]


def test_each_gap_carries_why_it_is_listed(store: EventStore) -> None:
    store.record([_record(1, knowledge_gap=True, confidence=0.1), _record(2, knowledge_gap=True, off_topic=True),
                  _record(3, confidence=0.2), _record(4), _record(5)])
    store.add(FeedbackEvent(_record(4).id, EventKind.DISMISSED, NOW, rank=1))
    store.add(FeedbackEvent(_record(5).id, EventKind.USED, NOW, rank=2))
    store.add(FeedbackEvent(_record(5).id, EventKind.THUMBS_DOWN, NOW, rank=2))
    assert _reasons(store) == {_record(1).id: (GapReason.NO_ANSWER,), _record(2).id: (GapReason.OFF_TOPIC,),
                               _record(3).id: (GapReason.LOW_CONFIDENCE,), _record(4).id: (GapReason.PASSED_OVER,),
                               _record(5).id: (GapReason.THUMBS_DOWN,)}


def test_a_thumbs_down_on_an_answer_other_than_the_one_used_is_no_gap(store: EventStore) -> None:
    store.record([_record(1), _record(2)])
    store.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=1))
    store.add(FeedbackEvent(_record(1).id, EventKind.THUMBS_DOWN, NOW, rank=2))
    store.add(FeedbackEvent(_record(2).id, EventKind.THUMBS_DOWN, NOW, rank=3))  # nothing used: not the lead
    assert _reasons(store) == {}


def test_a_thumbs_down_on_the_leading_answer_when_none_was_used_is_a_gap(store: EventStore) -> None:
    store.record([_record(1)])
    store.add(FeedbackEvent(_record(1).id, EventKind.THUMBS_DOWN, NOW, rank=1))
    assert _reasons(store) == {_record(1).id: (GapReason.THUMBS_DOWN,)}


def test_suggestions_stored_before_needs_were_recorded_still_count_as_needs(store: EventStore) -> None:
    store.record([_record(1, knowledge_gap=True)])  # the column's default is what older rows hold
    assert _reasons(store) == {_record(1).id: (GapReason.NO_ANSWER,)}
