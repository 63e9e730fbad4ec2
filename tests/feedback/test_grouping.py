"""Grouping unmet needs by meaning, with each group's label and reasons."""

from __future__ import annotations

from assist.feedback.gaps import GapQuestion, GapReason
from assist.feedback.grouping import group_gaps, group_labels
from assist.index.embedder import Embedder


def test_group_labels_are_each_groups_own_characteristic_words() -> None:
    labels = group_labels([["are you hiring drivers?", "hiring for the holidays?", "any jobs hiring now?"],
                           ["where do I recycle old jeans?", "can I recycle a coat?"]])
    assert labels[0][0] == "hiring" and "recycle" in labels[1]
    assert not set(labels[0]) & set(labels[1])


def test_a_redaction_mark_never_labels_a_group() -> None:
    assert "name" not in group_labels([["my name is [NAME], are you hiring?", "[NAME] here, hiring?"]])[0]


def test_gaps_are_grouped_by_theme_with_their_reasons_counted(embedder: Embedder) -> None:
    questions = [GapQuestion("1", "are you hiring at the warehouse?", (GapReason.OFF_TOPIC,)),
                 GapQuestion("2", "is the warehouse hiring staff?", (GapReason.NO_ANSWER,)),
                 GapQuestion("3", "what is the weather tomorrow in Leeds?", (GapReason.OFF_TOPIC,))]
    groups = group_gaps(questions, embedder, lambda _: None)
    assert [sorted(m.suggestion_id for m in g.members) for g in groups] == [["1", "2"], ["3"]]
    assert "hiring" in groups[0].label
    assert {(r.reason, r.count) for r in groups[0].reasons} == {(GapReason.NO_ANSWER, 1), (GapReason.OFF_TOPIC, 1)}
