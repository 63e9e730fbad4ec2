from __future__ import annotations

import json
from pathlib import Path

import pytest

from assist.index.embedder import Embedder
from assist.index.loaded import KnowledgeIndex
from assist.retrieval.retriever import Retriever
from assist.retrieval.tuning import Tuning
from assist_eval.doc2dial import CHOSEN, CONFIGURATIONS, covers, evaluate, read_queries, reliability_rows


def test_covers_needs_most_of_the_answer_in_a_focused_passage() -> None:
    answer = "Online renewal needs a photo taken within the last eight years."
    assert covers("You can renew online. Online renewal needs a photo taken within the last eight years.", answer)
    assert not covers("Online renewal needs a photo.", answer)
    assert not covers("x " * 700 + answer, answer)


def test_read_queries_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"qid": "1"}\n')
    with pytest.raises(ValueError, match=r"q.jsonl:1: bad query line"):
        read_queries(path)


def test_evaluate_scores_like_the_outside_scorer(
    tmp_path: Path, fixture_index: KnowledgeIndex, embedder: Embedder
) -> None:
    path = tmp_path / "q.jsonl"
    lines = [
        {"qid": "a", "domain": "dmv", "gold_article": "license-renewal",
         "transcript": [{"speaker": "customer", "text": "what do I need to renew my driver license online?"}],
         "gold_answers": ["Online renewal needs a photo taken within the last eight years."]},
        {"qid": "b", "domain": "retail", "gold_article": "shipping-times",
         "transcript": [{"speaker": "customer", "text": "how long does express delivery take?"}],
         "gold_answers": ["Express delivery arrives in two days."]},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    scores = evaluate(Retriever(fixture_index, embedder), read_queries(path))
    summary = scores.summary()
    assert summary["queries"] == 2
    assert summary["article_hit@1"] == summary["answer_hit@1"] == summary["article_holds_answer@1"] == 1.0
    assert sum(n for _, n, _ in reliability_rows(scores)) == 2


def test_every_configuration_is_a_valid_tuning_and_the_chosen_one_is_the_default() -> None:
    for weights in CONFIGURATIONS.values():
        Tuning(weights=weights)
    assert CONFIGURATIONS[CHOSEN] == dict(Tuning().weights)
