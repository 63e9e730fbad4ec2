"""The learned ranker reads only features that mean the same for any article, starts from the hand score, and is
refused when it was fitted for other inputs."""

from __future__ import annotations

from dataclasses import replace

import lightgbm
import numpy as np
import pytest

from assist.call import Call
from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex
from assist.learning.fitting import fit
from assist.retrieval.learned import INPUTS, LOGGED, LearnedRanker, inputs, weighted
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import Tuning
from tests.learning.fixtures import example

WEIGHTS = Tuning().weights


def test_the_hand_score_is_the_weighted_sum_the_retriever_ranks_by() -> None:
    features = {name: np.full(3, 0.5, dtype=np.float32) for name in LOGGED}
    assert weighted(features, WEIGHTS) == pytest.approx(np.full(3, 0.5 * sum(WEIGHTS.values())))


def test_the_model_reads_the_logged_features_the_hand_score_and_its_rank() -> None:
    values = np.random.default_rng(1).random((4, len(LOGGED)), dtype=np.float32)
    matrix, base = inputs(values, LOGGED, WEIGHTS)
    assert matrix.shape == (4, len(INPUTS))
    assert matrix[:, INPUTS.index("base")] == pytest.approx(base)
    assert matrix[:, INPUTS.index("base_rank")] == pytest.approx([0, 0.25, 0.5, 0.75])
    with pytest.raises(ValueError, match="lack bm25_last"):
        inputs(values[:, 1:], LOGGED[1:], WEIGHTS)


def test_within_an_article_the_learned_order_chooses_the_passage_and_every_article_keeps_its_scores() -> None:
    fitted = fit([example(n, "from_said") for n in range(100)], WEIGHTS)
    ranker = LearnedRanker("r1", fitted.model, WEIGHTS, [""])
    one = example(999, "from_said").candidates
    two_articles = replace(one, passages=tuple(f"{'a' if i % 2 else 'b'}#{i}" for i in range(len(one.passages))))
    learned, base = ranker.learned(two_articles)
    matrix, _ = inputs(two_articles.values, LOGGED, WEIGHTS)
    assert learned == pytest.approx(base + fitted.model.predict(matrix), abs=1e-5)
    served = ranker.scores(two_articles)
    for parity in (0, 1):
        rows = np.arange(len(served))[np.arange(len(served)) % 2 == parity]
        assert sorted(served[rows]) == pytest.approx(sorted(base[rows]))  # the article keeps its hand scores
        assert int(np.argmax(served[rows])) == int(np.argmax(learned[rows]))  # its learned best passage holds them


def test_a_model_fitted_for_other_inputs_is_refused() -> None:
    data = lightgbm.Dataset(np.random.default_rng(2).random((40, 2)), label=[0, 1] * 20, group=[10] * 4,
                            feature_name=["a", "b"])
    model = lightgbm.train({"objective": "lambdarank", "verbose": -1, "min_data_in_leaf": 1}, data, 2)
    with pytest.raises(ValueError, match="the model reads"):
        LearnedRanker("other", model, WEIGHTS, [""])


def test_a_learned_ranker_re_scores_only_calls_about_the_domains_it_learned_from(
        fixture_index: KnowledgeIndex, embedder: Embedder) -> None:
    import datetime as dt

    call = Call(issue="can I return a shirt that arrived stained")
    today = dt.date(2026, 12, 7)
    model = fit([example(n, "ordinal") for n in range(100)], WEIGHTS).model  # later passages first
    hand = Retriever(fixture_index, embedder).score(call, today)
    assert hand.logged is not None and hand.logged.domain == "retail"
    elsewhere = Retriever(fixture_index, embedder, ranker=LearnedRanker("r", model, WEIGHTS, ["dmv"]))
    assert list(elsewhere.score(call, today).scores) == list(hand.scores)
    retail = Retriever(fixture_index, embedder, ranker=LearnedRanker("r", model, WEIGHTS, ["retail"])).score(call,
                                                                                                            today)
    assert list(retail.rows) != list(hand.rows)  # another passage of an article answers
    assert list(retail.scores) == list(hand.scores)  # and the articles keep their scores
