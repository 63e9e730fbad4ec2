from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assist.call import Call, Turn
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex
from assist.retrieval.retriever import Retriever, _top

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module", params=["flat", "ivf"])
def retriever(request: pytest.FixtureRequest, embedder: Embedder) -> Retriever:
    """Every test runs against exact search and against the ANN index: filters must hold for both."""
    index: KnowledgeIndex = request.getfixturevalue("fixture_index" if request.param == "flat" else "ann_index")
    assert index.manifest.index_type == request.param
    return Retriever(index, embedder)


def _ask(text: str, **kwargs: object) -> Call:
    return Call(transcript=(Turn("customer", text),), **kwargs)  # type: ignore[arg-type]


def _articles(retriever: Retriever, call: Call) -> list[str]:
    return [a.article.id for a in retriever.rank(call, 10, TODAY).answers]


def test_rank_puts_the_article_that_answers_first(retriever: Retriever) -> None:
    ranking = retriever.rank(_ask("my shirt arrived with a stain, can I send it back?"), 3, TODAY)
    assert ranking.answers[0].article.id == "returns-stain"
    assert "stain" in ranking.answers[0].highlights
    assert "stain" in ranking.answers[0].why
    assert not ranking.knowledge_gap


def test_rank_never_shows_drafts_or_expired_articles(retriever: Retriever) -> None:
    assert "draft-promo" not in _articles(retriever, _ask("is there a winter promotion on coats and scarves?"))
    assert "expired-sale" not in _articles(retriever, _ask("are sandals and swimwear half price in the summer sale?"))


def test_rank_shows_segment_articles_only_to_that_segment(retriever: Retriever) -> None:
    question = "is there a concierge phone line for members?"
    assert "gold-lounge" in _articles(retriever, _ask(question, segment="gold"))
    assert "gold-lounge" not in _articles(retriever, _ask(question, segment="silver"))
    assert "gold-lounge" not in _articles(retriever, _ask(question))


def test_rank_shows_audience_articles_only_to_that_role(retriever: Retriever) -> None:
    question = "how do I approve a refund above my limit with an override code?"
    assert "supervisor-overrides" in _articles(retriever, _ask(question, role="supervisor"))
    assert "supervisor-overrides" not in _articles(retriever, _ask(question, role="tier1"))


def test_rank_applies_exact_match_filters_on_front_matter(retriever: Retriever) -> None:
    question = "how do I renew my driver license?"
    assert set(_articles(retriever, _ask(question, filters={"domain": "retail"}))) <= {
        "returns-stain", "shipping-times", "gold-lounge", "supervisor-overrides"}
    assert _articles(retriever, _ask(question, filters={"region": "north"})) == ["license-renewal"]
    assert _articles(retriever, _ask(question, filters={"region": "south"})) == []


def test_rank_with_nothing_visible_is_a_knowledge_gap(retriever: Retriever) -> None:
    ranking = retriever.rank(_ask("anything", filters={"domain": "nowhere"}), 5, TODAY)
    assert ranking.answers == ()
    assert ranking.knowledge_gap


def test_rank_reads_a_short_last_turn_in_the_light_of_the_conversation(retriever: Retriever) -> None:
    call = Call(transcript=(
        Turn("customer", "I need to renew my driver license, it expired three years ago."),
        Turn("agent", "You will need to apply for a new license and pass the vision test."),
        Turn("customer", "ok, what should I bring?"),
    ))
    assert _articles(retriever, call)[0] == "license-renewal"


def test_rank_is_deterministic(retriever: Retriever) -> None:
    call = _ask("how long does express delivery take?")
    first = [(a.passage.key, a.score) for a in retriever.rank(call, 5, TODAY).answers]
    assert first == [(a.passage.key, a.score) for a in retriever.rank(call, 5, TODAY).answers]


def test_an_unrelated_question_is_a_knowledge_gap_with_low_confidence(retriever: Retriever) -> None:
    ranking = retriever.rank(_ask("who won the football game last night?"), 3, TODAY)
    assert ranking.knowledge_gap
    assert ranking.confidence < 0.35


def test_confidence_rises_with_the_lead_of_the_first_answer(retriever: Retriever) -> None:
    clear = retriever.rank(_ask("my shirt arrived with a stain, can I send it back?"), 3, TODAY)
    vague = retriever.rank(_ask("I have a question about something"), 3, TODAY)
    assert 0 <= vague.confidence < clear.confidence <= 1


def test_answers_show_neighbours_but_never_a_passage_already_on_screen(
    retriever: Retriever, fixture_index: KnowledgeIndex
) -> None:
    core = {p.key: p.text for p in fixture_index.passages}
    answers = retriever.rank(_ask("can I send back a stained shirt, who can return?"), 5, TODAY).answers
    first = answers[0].passage
    assert core[first.key] in first.text and len(first.text) > len(core[first.key])
    for i, answer in enumerate(answers):
        assert len(answer.passage.text) <= 1200
        assert all(core[answer.passage.key] not in earlier.passage.text for earlier in answers[:i])



def test_no_two_answers_show_the_same_passage(retriever: Retriever, fixture_index: KnowledgeIndex) -> None:
    for question in ("can I send back a stained shirt, who can return?", "how long does shipping take?",
                     "I was charged for something I never bought"):
        answers = retriever.rank(_ask(question), 10, TODAY).answers
        for passage in fixture_index.passages:
            showing = [a for a in answers if a.article.id == passage.article_id and passage.text in a.passage.text]
            assert len(showing) <= 1, (question, passage.key)


def test_an_answers_section_is_the_heading_its_text_starts_under(
    retriever: Retriever, fixture_index: KnowledgeIndex
) -> None:
    by_article: dict[str, list[object]] = {}
    for passage in fixture_index.passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    answers = retriever.rank(_ask("can I send back a stained shirt, who can return?"), 10, TODAY).answers
    for answer in answers:
        first = next(p for p in by_article[answer.article.id] if answer.passage.text.startswith(p.text))  # type: ignore[attr-defined]
        assert answer.passage.section == first.section  # type: ignore[attr-defined]


@given(st.lists(st.sampled_from([0.0, 0.0, 0.0, 0.25, 0.5, 1.0, 2.0]) | st.floats(0, 10, width=32), max_size=300),
       st.integers(1, 120))
@settings(max_examples=300, deadline=None)
def test_top_rows_are_those_a_stable_full_sort_puts_first(values: list[float], depth: int) -> None:
    scores = np.array(values, dtype=np.float32)
    expected = np.argsort(-scores, kind="stable")[:depth]
    assert sorted(_top(scores, depth).tolist()) == sorted(expected.tolist())
