"""The policy file schema: the short forms editors write, and what it refuses before any name is resolved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from assist.policy.conditions import OPERATORS, Ops, When
from assist.policy.files.schema import LimitSpec, RuleSpec
from assist.policy.rules import Denial
from assist.policy.vocabulary import ActionTerm

RULE: dict[str, Any] = {"id": "r", "action": "refund", "decision": "allowed", "explanation": "Yes."}


def test_short_forms_read_like_their_long_forms() -> None:
    assert ActionTerm.model_validate("Refund") == ActionTerm(label="Refund")
    assert LimitSpec.model_validate(25) == LimitSpec(amount=25)
    assert Denial.model_validate("continue") == Denial(stop=False)
    assert RuleSpec.model_validate({**RULE, "segment": "gold"}).segment == ["gold"]


@pytest.mark.parametrize(
    ("written", "tests"),
    [
        ({"at_least": 1, "at_most": 5}, {"at_most": 5.0, "at_least": 1.0}),
        (True, {"equals": True}),
        (["a", "b"], {"one_of": ["a", "b"]}),
        ({"not": "x"}, {"not": "x"}),
    ],
)
def test_fact_tests_are_read_with_their_operators(written: object, tests: dict[str, object]) -> None:
    ops = Ops.model_validate(written).tests()
    assert (ops, list(ops)) == (tests, list(tests))


def test_operators_are_the_fields_of_ops() -> None:
    assert OPERATORS == ("equals", "not", "one_of", "none_of", "less_than", "at_most", "more_than", "at_least")


def test_a_when_keeps_its_facts_in_file_order_beside_its_groups() -> None:
    when = When.model_validate({"b": 1, "any": [{"c": True}], "a": 2})
    assert list(when.facts()) == ["b", "a"] and when.any is not None and len(when.any) == 1


@pytest.mark.parametrize(
    ("rule", "location", "fragment"),
    [
        ({**RULE, "priority": True}, ("priority",), "Input should be a valid integer"),
        ({**RULE, "priority": "5"}, ("priority",), "Input should be a valid integer"),
        ({**RULE, "limit": {"amount": "50"}}, ("limit", "amount"), "Input should be a valid number"),
        ({**RULE, "limit": -1}, ("limit", "amount"), "greater than or equal to 0"),
        ({**RULE, "when": {}}, ("when",), "needs at least one fact to test"),
        ({**RULE, "when": {"x": {"one_of": []}}}, ("when", "x", "one_of"), "at least 1 item"),
        ({**RULE, "when": {"x": {"equals": {"a": 1}}}}, ("when", "x", "equals"), "must be a number, true/false"),
        ({**RULE, "effective_until": "31.01.2026"}, ("effective_until",), "expected YYYY-MM-DD"),
    ],
)
def test_the_schema_refuses_a_value_silently_converted_elsewhere(
    rule: dict[str, Any], location: tuple[str, ...], fragment: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        RuleSpec.model_validate(rule)
    [error] = caught.value.errors()
    assert error["loc"] == location and fragment in error["msg"]


def test_a_rule_reads_its_dates() -> None:
    rule = RuleSpec.model_validate({**RULE, "effective_from": "2026-01-01"})
    assert rule.effective_from == dt.date(2026, 1, 1)
