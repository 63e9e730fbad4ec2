from __future__ import annotations

from pathlib import Path

import pytest

from assist.call import Call
from assist.knowledge.articles import load_catalog
from assist.policy.actions import NextAction
from assist.policy.engine import Decision
from assist.service import Suggestion
from assist_eval.retail import Case, CaseScores, contains_in_order, read_cases, read_step_cases
from tests.conftest import DATA, KNOWLEDGE

CASES = DATA / "retail_cases.jsonl"


def test_contains_in_order_allows_other_actions_between_steps_but_not_reordering() -> None:
    assert contains_in_order(["ask-for-fact", "a", "apologize", "b", "c"], ["a", "b", "c"])
    assert not contains_in_order(["a", "c", "b"], ["a", "b", "c"])
    assert not contains_in_order(["a", "b"], ["a", "b", "c"])


def test_read_cases_reads_the_retail_case_book() -> None:
    cases = read_cases(CASES)
    assert len(cases) >= 100
    assert all(case.steps for case in cases)
    assert any(case.call.facts for case in cases)


def test_every_case_book_expects_the_whole_procedure_of_a_bundled_article() -> None:
    catalog = load_catalog(KNOWLEDGE / "retail")
    steps = {article.steps for article in catalog.articles if article.steps}
    by_id = catalog.by_id()
    for book in ("retail_cases.jsonl", "retail_cases_2.jsonl"):
        assert all(case.steps in steps for case in read_cases(DATA / book)), book
    for book in ("retail_step_cases.jsonl", "retail_step_cases_2.jsonl"):
        for case in read_step_cases(DATA / book):
            assert tuple(step for step, _ in case.status) == by_id[case.article].steps, case.name


def test_read_cases_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"case": "ok", "request": {"issue": "return a shirt"}, "expect": {}}\n{"case": "broken"}\n')
    with pytest.raises(ValueError, match=r"cases.jsonl:2: bad case"):
        read_cases(path)


def _suggestion(decisions: dict[str, str], actions: list[str]) -> Suggestion:
    return Suggestion(
        "sg_x", "v1", 1.0, 0.9, False, (),
        tuple(Decision(a, a, d, None, (), "rule", "why", None) for a, d in decisions.items()),
        tuple(NextAction(a, a, "reason", "source") for a in actions),
    )


def test_case_scores_count_decisions_and_step_sequences_and_keep_denials_apart() -> None:
    allowed = Case("allowed", Call(), (("return_item", "allowed"),), ("a", "b"))
    denied = Case("denied", Call(), (("return_item", "denied"),), ("a", "b"))
    scores = CaseScores()
    scores.add(allowed, _suggestion({"return_item": "allowed"}, ["a", "x", "b"]))
    scores.add(denied, _suggestion({"return_item": "denied"}, ["a", "apologize"]))
    summary = scores.summary()
    assert summary["decision_accuracy"] == 1.0
    assert summary["step_sequence_rate"] == 0.5
    assert summary["step_sequence_rate_without_denial"] == 1.0
    assert len(scores.misses) == 1 and scores.misses[0].startswith("denied: steps")
