from __future__ import annotations

import datetime as dt

import pytest

from assist.call import Call, Turn
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex
from assist.retrieval.features import FEATURES, quoting
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import Tuning

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("similarity", "expected"), [(0.2, 0.0), (0.5, 0.0), (0.65, 0.5), (0.8, 1.0), (0.95, 1.0)])
def test_quoting_counts_agent_turns_only_when_they_read_from_the_knowledge_base(
    similarity: float, expected: float
) -> None:
    assert quoting(similarity) == pytest.approx(expected)


def test_tuning_rejects_unknown_features_and_bad_depth() -> None:
    with pytest.raises(ValueError, match="bm25_typo"):
        Tuning(weights={"bm25_typo": 1.0})
    with pytest.raises(ValueError, match="depth"):
        Tuning(depth=0)
    assert set(Tuning().weights) == set(FEATURES)


def _top(index: KnowledgeIndex, embedder: Embedder, weights: dict[str, float], call: Call) -> str:
    ranking = Retriever(index, embedder, Tuning(weights=weights)).rank(call, 5, TODAY)
    return ranking.answers[0].article.id


def test_an_agent_quoting_an_article_pulls_the_conversation_to_it(
    fixture_index: KnowledgeIndex, embedder: Embedder
) -> None:
    quoted = Call(transcript=(
        Turn("customer", "I have a question"),
        Turn("agent", "You can renew your driver license online, by mail or in person at a motor vehicles office."),
        Turn("customer", "and how long does it take?"),
    ))
    weights = {"dense_last": 0.2, "doc_bm25_agent": 1.0}
    assert _top(fixture_index, embedder, weights, quoted) == "license-renewal"


def test_an_agents_own_question_does_not_steer_the_ranking(fixture_index: KnowledgeIndex, embedder: Embedder) -> None:
    own_words = Call(transcript=(
        Turn("customer", "My blouse came with a stain on it."),
        Turn("agent", "Sorry! Would you like me to renew anything or check a license?"),
        Turn("customer", "I just want to send it back."),
    ))
    assert _top(fixture_index, embedder, dict(Tuning().weights), own_words) == "returns-stain"


def test_hybrid_ranking_finds_both_exact_terms_and_paraphrases(
    fixture_index: KnowledgeIndex, embedder: Embedder
) -> None:
    exact = Call(transcript=(Turn("customer", "tracking number confirmation email"),))
    paraphrase = Call(transcript=(Turn("customer", "the garment I got has a dirty mark, can I give it back?"),))
    weights = dict(Tuning().weights)
    assert _top(fixture_index, embedder, weights, exact) == "shipping-times"
    assert _top(fixture_index, embedder, weights, paraphrase) == "returns-stain"
