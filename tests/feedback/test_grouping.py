"""Grouping unmet needs by meaning, with each group's label and reasons."""

from __future__ import annotations

import numpy as np

from assist.feedback.gaps import GapQuestion, GapReason
from assist.feedback.grouping import GapGroup, group_gaps, group_labels, join
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


FRANCHISE = ["I'd like to open one of your stores in my town as a franchise, how does that work?",
             "Do you sell franchises overseas? I'm based in Dubai.",
             "What's the upfront investment to become a franchisee?",
             "Sorry if this is the wrong line, but is there a franchise brochure I can read?",
             "What support do you give new franchise owners with staff training and shop fit-out?"]
LOST = ["I think I left my umbrella in one of your changing rooms yesterday, has anyone handed it in?",
        "I lost my wallet while shopping at your store on Saturday, could someone check?",
        "What do you do with things customers forget in the store, how long do you keep them?",
        "So I'm pretty sure I put my car keys down by the shoe section and walked off without them."]


def _themes(groups: list[GapGroup]) -> list[set[str]]:
    return [{m.suggestion_id.split("-")[0] for m in g.members} for g in groups]


def test_a_themes_paraphrases_join_one_group_and_two_themes_stay_apart(embedder: Embedder) -> None:
    questions = [GapQuestion(f"franchise-{i}", text) for i, text in enumerate(FRANCHISE)] + \
                [GapQuestion(f"lost-{i}", text) for i, text in enumerate(LOST)]
    groups = group_gaps(questions, embedder, lambda _: None)
    # average linkage alone gathers three of the five; the other two join as clearly closest to them
    assert groups[0].size == len(FRANCHISE) and _themes(groups)[:1] == [{"franchise"}]
    assert all(len(themes) == 1 for themes in _themes(groups))


def test_grouping_is_deterministic(embedder: Embedder) -> None:
    questions = [GapQuestion(str(i), text) for i, text in enumerate(FRANCHISE + LOST)]
    first, second = group_gaps(questions, embedder, lambda _: None), group_gaps(questions, embedder, lambda _: None)
    assert [[m.suggestion_id for m in g.members] for g in first] == \
           [[m.suggestion_id for m in g.members] for g in second]


def _unit(*rows: list[float]) -> np.ndarray:
    vectors = np.array(rows, dtype=np.float32)
    unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def test_a_lone_question_joins_the_core_it_is_clearly_closest_to() -> None:
    vectors = _unit([1, 0, 0], [1, 0.1, 0], [0, 1, 0], [0, 1, 0.1], [1, 0.3, 0.2])
    assert join(vectors, np.array([0, 0, 1, 1, 2])).tolist() == [0, 0, 1, 1, 0]


def test_a_lone_question_between_two_cores_stays_alone() -> None:
    vectors = _unit([1, 0, 0], [1, 0.1, 0], [0, 1, 0], [0.1, 1, 0], [1, 1, 0.2])
    assert join(vectors, np.array([0, 0, 1, 1, 2])).tolist() == [0, 0, 1, 1, 2]


def test_a_lone_question_far_from_every_core_stays_alone() -> None:
    vectors = _unit([1, 0, 0], [1, 0.1, 0], [0, 0, 1])
    assert join(vectors, np.array([0, 0, 1])).tolist() == [0, 0, 1]


def test_one_question_is_one_group(embedder: Embedder) -> None:
    groups = group_gaps([GapQuestion("1", "are you hiring?")], embedder, lambda _: None)
    assert [g.size for g in groups] == [1]
