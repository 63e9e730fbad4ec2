"""Empowerment decisions on the bundled retail policies, and validation of policy files."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from assist.call import Call, FactValue, Turn
from assist.errors import PolicyError, Problem
from assist.knowledge.articles import Article, load_catalog
from assist.policy.cues import CueClock
from assist.policy.engine import Decision, decide
from assist.policy.files.directory import check_policies, load_policies, verify_policies
from assist.policy.moments import find_moments
from assist.policy.policyset import PolicySet
from assist.policy.rules import Limit, Outcome
from assist.policy.vocabulary import coerce
from tests.conftest import ROOT

RETAIL = ROOT / "knowledge" / "retail"
POLICIES = ROOT / "knowledge" / "policies"
TODAY = dt.date(2026, 11, 26)
# what is tested here is the decisions, not the cue budget: a loaded machine must not run the moments out of time
CLOCK_SECONDS = 5.0
SEGMENTS = ("gold", "silver", "bronze", "guest")


def _decide(
    policies: PolicySet, article: str | None, segment: str | None, facts: dict[str, FactValue], **call: Any
) -> dict[str, Decision]:
    request = Call(segment=segment, facts=facts, **call)
    return {d.action: d for d in decide_sighted(policies, request, [article] if article else [], TODAY)}


def decide_sighted(policies: PolicySet, call: Call, article_ids: list[str], today: dt.date) -> list[Decision]:
    """The decisions, with the moments the call's transcript reveals."""
    sightings = find_moments(call.transcript, policies.moments, CueClock(CLOCK_SECONDS))
    return decide(policies, call, article_ids, today, sightings)


RETURNS = ("returns-stain-damage", "returns-wrong-color", "returns-wrong-size")
PROMOS = ("promo-code-invalid", "promo-code-expired")
BILLING = ("billing-after-return", "billing-never-bought")
NO_PROOF = {"has_receipt": False, "original_packaging": False}
Case = tuple[str, str, str, dict[str, Any], str]


def each(
    articles: tuple[str, ...], action: str, segments: tuple[str, ...], facts: dict[str, Any], expected: str
) -> list[Case]:
    """One case per article and segment."""
    return [(a, action, s, facts, expected) for a in articles for s in segments]


# (article, action, segment, facts, expected decision) — the 14 membership-dependent ABCD policies.
CASES: list[Case] = [
    *each(RETURNS, "return_item", ("gold",), {}, "allowed"),
    *each(RETURNS, "return_item", ("gold",), {"purchase_age_days": 2000, **NO_PROOF}, "allowed"),
    *each(RETURNS, "return_item", ("silver",), {"purchase_age_days": 180}, "allowed"),
    *each(RETURNS, "return_item", ("silver",), {"purchase_age_days": 181, **NO_PROOF}, "denied"),
    *each(RETURNS, "return_item", ("bronze",), {"purchase_age_days": 90}, "allowed"),
    *each(RETURNS, "return_item", ("bronze",), {"purchase_age_days": 91, **NO_PROOF}, "denied"),
    *each(RETURNS, "return_item", ("guest",), {"purchase_age_days": 30}, "allowed"),
    *each(RETURNS, "return_item", ("guest",), {"purchase_age_days": 31, **NO_PROOF}, "denied"),
    *each(
        RETURNS,
        "return_item",
        ("silver", "bronze", "guest"),
        {"purchase_age_days": 400, "has_receipt": True},
        "allowed",
    ),
    *each(
        RETURNS,
        "return_item",
        ("silver", "bronze"),
        {"purchase_age_days": 400, "has_receipt": False, "original_packaging": True},
        "allowed",
    ),
    *each(
        RETURNS,
        "return_item",
        ("guest",),
        {"purchase_age_days": 60, "has_receipt": False, "original_packaging": True},
        "denied",
    ),
    *each(("order-mystery-fee",), "remove_fee", ("gold", "silver"), {"company_error": False}, "allowed"),
    *each(("order-mystery-fee",), "remove_fee", ("gold",), {}, "allowed"),
    *each(("order-mystery-fee",), "remove_fee", ("bronze", "guest"), {"company_error": False}, "denied"),
    *each(("order-mystery-fee",), "remove_fee", SEGMENTS, {"company_error": True}, "allowed"),
    *each(("order-shipping-upgrade",), "waive_upgrade_fee", ("gold",), {}, "allowed"),
    *each(("order-shipping-upgrade",), "waive_upgrade_fee", ("gold",), {"order_shipped": False}, "allowed"),
    *each(("order-shipping-upgrade",), "waive_upgrade_fee", ("silver", "bronze", "guest"), {}, "denied"),
    *each(("order-shipping-upgrade",), "waive_upgrade_fee", SEGMENTS, {"order_shipped": True}, "denied"),
    *each(
        ("order-shipping-downgrade",),
        "credit_shipping_fee",
        ("gold", "silver", "bronze"),
        {"order_shipped": True},
        "allowed",
    ),
    *each(("order-shipping-downgrade",), "credit_shipping_fee", ("guest",), {"order_shipped": True}, "denied"),
    *each(("order-shipping-downgrade",), "credit_shipping_fee", SEGMENTS, {"order_shipped": False}, "allowed"),
    *each(
        ("order-add-item",),
        "free_shipping_separate_order",
        ("gold", "silver"),
        {"order_shipped": True},
        "allowed",
    ),
    *each(
        ("order-add-item",),
        "free_shipping_separate_order",
        ("bronze", "guest"),
        {"order_shipped": True},
        "denied",
    ),
    *each(("order-add-item",), "free_shipping_separate_order", SEGMENTS, {"order_shipped": False}, "allowed"),
    *each(
        ("order-cancel",),
        "refund_before_delivery",
        ("gold", "silver", "bronze"),
        {"order_shipped": True},
        "allowed",
    ),
    *each(("order-cancel",), "refund_before_delivery", ("guest",), {"order_shipped": True}, "denied"),
    *each(("order-cancel",), "refund_before_delivery", SEGMENTS, {"order_shipped": False}, "allowed"),
    *each(PROMOS, "issue_new_promo_code", ("gold", "silver", "bronze"), {"company_error": False}, "allowed"),
    *each(PROMOS, "issue_new_promo_code", ("guest",), {"company_error": False}, "denied"),
    *each(PROMOS, "issue_new_promo_code", SEGMENTS, {"company_error": True}, "allowed"),
    *each(BILLING, "credit_mistimed_billing", ("gold",), {"company_error": False}, "allowed"),
    *each(BILLING, "credit_mistimed_billing", ("silver", "bronze", "guest"), {"company_error": False}, "denied"),
    *each(BILLING, "credit_mistimed_billing", SEGMENTS, {"company_error": True}, "allowed"),
    *each(("subscription-extension",), "extend_subscription", ("gold",), {"days_late": 30}, "allowed"),
    *each(("subscription-extension",), "extend_subscription", ("silver",), {"days_late": 1}, "allowed"),
    *each(("subscription-extension",), "extend_subscription", ("silver",), {"days_late": 0}, "allowed"),
    *each(("subscription-extension",), "extend_subscription", ("silver",), {"days_late": 2}, "denied"),
    *each(("subscription-extension",), "extend_subscription", ("bronze", "guest"), {"days_late": 1}, "denied"),
    *each(("subscription-extension",), "extend_subscription", ("bronze", "guest"), {}, "denied"),
    *each(("subscription-dispute-bill",), "refund_disputed_bill", ("gold",), {"amount": 500}, "allowed"),
    *each(("subscription-dispute-bill",), "refund_disputed_bill", ("silver",), {"amount": 9.99}, "allowed"),
    *each(("subscription-dispute-bill",), "refund_disputed_bill", ("silver",), {"amount": 10}, "denied"),
    *each(
        ("subscription-dispute-bill",),
        "refund_disputed_bill",
        ("silver",),
        {"amount": 10, "company_error": True},
        "denied",
    ),
    *each(
        ("subscription-dispute-bill",),
        "refund_disputed_bill",
        ("bronze", "guest"),
        {"company_error": True},
        "allowed",
    ),
    *each(
        ("subscription-dispute-bill",),
        "refund_disputed_bill",
        ("bronze", "guest"),
        {"company_error": False, "amount": 5},
        "denied",
    ),
]


def test_every_policy_is_tested_in_all_four_segments() -> None:
    covered = {(action, segment) for _, action, segment, _, _ in CASES}
    actions = {action for _, action, _, _, _ in CASES}
    assert len(actions) == 10  # the policy actions of API.md except offer_refund (not membership-dependent)
    assert covered == {(a, s) for a in actions for s in SEGMENTS}


@pytest.mark.parametrize(("article", "action", "segment", "facts", "expected"), CASES)
def test_membership_policy_decides_for_each_segment(
    policies: PolicySet, article: str, action: str, segment: str, facts: dict[str, FactValue], expected: str
) -> None:
    decision = _decide(policies, article, segment, facts)[action]
    assert decision.decision == expected
    assert decision.source_article == article
    assert decision.rule and decision.explanation and not decision.needs


# (article, action, segment, facts, facts the agent must ask for)
ASKS: list[tuple[str, str, str | None, dict[str, Any], tuple[str, ...]]] = [
    (
        "returns-stain-damage",
        "return_item",
        "silver",
        {},
        ("purchase_age_days", "has_receipt", "original_packaging"),
    ),
    (
        "returns-stain-damage",
        "return_item",
        "silver",
        {"purchase_age_days": 200},
        ("has_receipt", "original_packaging"),
    ),
    (
        "returns-wrong-size",
        "return_item",
        "bronze",
        {"purchase_age_days": 91, "has_receipt": False},
        ("original_packaging",),
    ),
    ("returns-wrong-color", "return_item", "guest", {"purchase_age_days": 31}, ("has_receipt",)),
    ("order-mystery-fee", "remove_fee", "bronze", {}, ("company_error",)),
    ("order-shipping-downgrade", "credit_shipping_fee", "guest", {}, ("order_shipped",)),
    ("order-add-item", "free_shipping_separate_order", "guest", {}, ("order_shipped",)),
    # whether it shipped changes what is done, so the policy decides only once it is known (`decide_after`)
    ("order-shipping-downgrade", "credit_shipping_fee", "gold", {}, ("order_shipped",)),
    ("order-add-item", "free_shipping_separate_order", "silver", {}, ("order_shipped",)),
    ("order-cancel", "refund_before_delivery", "guest", {}, ("order_shipped",)),
    ("promo-code-invalid", "issue_new_promo_code", "guest", {}, ("company_error",)),
    ("billing-never-bought", "credit_mistimed_billing", "silver", {}, ("company_error",)),
    ("subscription-extension", "extend_subscription", "silver", {}, ("days_late",)),
    ("subscription-dispute-bill", "refund_disputed_bill", "silver", {}, ("amount",)),
    ("subscription-dispute-bill", "refund_disputed_bill", "bronze", {"amount": 5}, ("company_error",)),
    (
        "returns-stain-damage",
        "return_item",
        None,
        {},
        ("segment", "purchase_age_days", "has_receipt", "original_packaging"),
    ),
]


@pytest.mark.parametrize(("article", "action", "segment", "facts", "needs"), ASKS)
def test_missing_fact_makes_the_decision_ask(
    policies: PolicySet,
    article: str,
    action: str,
    segment: str | None,
    facts: dict[str, FactValue],
    needs: tuple[str, ...],
) -> None:
    decision = _decide(policies, article, segment, facts)[action]
    assert (decision.decision, decision.needs, decision.limit) == ("ask", needs, None)
    assert decision.explanation.startswith("To decide")


@pytest.mark.parametrize(
    ("article", "action"),
    [
        ("returns-stain-damage", "return_item"),
        ("order-mystery-fee", "remove_fee"),
        ("order-cancel", "refund_before_delivery"),
        ("billing-after-return", "credit_mistimed_billing"),
        ("subscription-dispute-bill", "refund_disputed_bill"),
        ("subscription-extension", "extend_subscription"),
    ],
)
def test_gold_member_is_decided_without_any_fact(policies: PolicySet, article: str, action: str) -> None:
    assert _decide(policies, article, "gold", {})[action].decision == "allowed"


def test_decisions_are_outcomes_that_read_as_their_names(policies: PolicySet) -> None:
    decisions = _decide(policies, "returns-stain-damage", "silver", {"purchase_age_days": 120})
    assert decisions["return_item"].decision is Outcome.ALLOWED
    assert decisions["return_item"].decision == "allowed" and f"{decisions['return_item'].decision}" == "allowed"
    assert _decide(policies, "returns-stain-damage", "silver", {})["return_item"].decision is Outcome.ASK


def test_explanation_quotes_the_facts(policies: PolicySet) -> None:
    decision = _decide(policies, "returns-wrong-size", "silver", {"purchase_age_days": 120})["return_item"]
    assert decision.rule == "returns.silver.window"
    assert decision.explanation == (
        "Silver members may return within 180 days of purchase; this purchase is 120 days old."
    )
    assert decision.label == "Accept the return"


def test_fact_values_sent_as_strings_are_read_by_type(policies: PolicySet) -> None:
    facts: dict[str, FactValue] = {
        "purchase_age_days": "45",
        "has_receipt": "no",
        "original_packaging": "false",
    }
    assert _decide(policies, "returns-stain-damage", "guest", facts)["return_item"].decision == "denied"
    facts = {"purchase_age_days": "not a number", "has_receipt": "yes"}
    assert _decide(policies, "returns-stain-damage", "guest", facts)["return_item"].decision == "allowed"


def test_unknown_segment_matches_no_segment_rule(policies: PolicySet) -> None:
    assert "return_item" not in _decide(policies, "returns-stain-damage", "platinum", {"purchase_age_days": 5})
    assert _decide(policies, "order-mystery-fee", "platinum", {"company_error": True})["remove_fee"].decision == (
        "allowed"
    )


@pytest.mark.parametrize(
    ("segment", "role", "limit", "rule"),
    [
        ("gold", "tier1", 100, "goodwill.gold"),
        ("silver", "tier1", 50, "goodwill.silver"),
        ("bronze", None, 25, "goodwill.bronze"),
        ("guest", "tier2", 10, "goodwill.guest"),
        ("gold", "supervisor", 200, "goodwill.supervisor.gold"),
        ("guest", "Supervisor", 20, "goodwill.supervisor.guest"),
    ],
)
def test_failed_promise_brings_goodwill_scaled_by_segment_and_role(
    policies: PolicySet, segment: str, role: str | None, limit: float, rule: str
) -> None:
    turns = (Turn("customer", "My parcel is a week late."),)
    decision = _decide(policies, None, segment, {}, role=role, transcript=turns)["goodwill_credit"]
    assert (decision.decision, decision.limit, decision.rule) == ("allowed", Limit(limit, "USD"), rule)
    assert decision.source_article == "goodwill-and-apologies"


def test_goodwill_is_denied_when_the_failure_was_not_ours(policies: PolicySet) -> None:
    turns = (Turn("customer", "I was charged twice for my subscription."),)
    decision = _decide(policies, None, "gold", {"company_error": False}, transcript=turns)["goodwill_credit"]
    assert (decision.decision, decision.limit) == ("denied", None)


def test_no_failed_promise_no_goodwill(policies: PolicySet) -> None:
    turns = (Turn("customer", "I'd like to return a shirt, it arrived on time but is too small."),)
    assert "goodwill_credit" not in _decide(policies, "returns-wrong-size", "gold", {}, transcript=turns)


def test_best_ranked_article_decides_an_action_two_articles_share(policies: PolicySet) -> None:
    call = Call(segment="silver", facts={"company_error": False})
    first = decide_sighted(policies, call, ["subscription-service-added", "refund-initiate"], TODAY)
    assert [(d.action, d.decision, d.source_article) for d in first] == [
        ("offer_refund", "denied", "subscription-service-added")
    ]
    second = decide_sighted(policies, call, ["refund-initiate", "subscription-service-added"], TODAY)
    assert [(d.action, d.decision, d.source_article) for d in second] == [
        ("offer_refund", "allowed", "refund-initiate")
    ]


def test_decisions_follow_article_rank(policies: PolicySet) -> None:
    call = Call(segment="gold")
    ranked = ["order-shipping-upgrade", "faq-shirts", "returns-stain-damage"]
    assert [d.action for d in decide_sighted(policies, call, ranked, TODAY)] == ["waive_upgrade_fee", "return_item"]


def test_stated_issue_selects_policies_without_articles(policies: PolicySet) -> None:
    call = Call(segment="bronze", issue="Return a stained shirt", facts={"purchase_age_days": 10})
    decisions = decide_sighted(policies, call, [], TODAY)
    assert [(d.action, d.decision, d.source_article) for d in decisions] == [
        ("return_item", "allowed", "returns-stain-damage")
    ]
    assert decide_sighted(policies, Call(segment="gold", issue="order-cancel"), [], TODAY)[0].action == (
        "refund_before_delivery"
    )


def test_same_input_gives_same_output(policies: PolicySet) -> None:
    turns = (Turn("customer", "we just moved and my order is two weeks late"),)
    facts: dict[str, FactValue] = {"purchase_age_days": 200, "amount": 12.5}
    ranked = ["returns-stain-damage", "subscription-dispute-bill", "order-cancel"]
    runs = [
        decide_sighted(policies, Call(transcript=turns, segment="silver", facts=dict(f)), ranked, TODAY)
        for f in (facts, dict(reversed(list(facts.items()))), facts)
    ]
    assert runs[0] == runs[1] == runs[2]
    # compiled cue patterns compare by identity, so the two loads are compared as written out
    assert repr(load_policies(POLICIES, load_catalog(RETAIL).by_id())) == repr(policies)


def test_every_membership_article_brings_its_policy(policies: PolicySet) -> None:
    expected = {
        "returns-stain-damage": "return_item",
        "returns-wrong-color": "return_item",
        "returns-wrong-size": "return_item",
        "order-mystery-fee": "remove_fee",
        "order-shipping-upgrade": "waive_upgrade_fee",
        "order-shipping-downgrade": "credit_shipping_fee",
        "order-add-item": "free_shipping_separate_order",
        "order-cancel": "refund_before_delivery",
        "promo-code-invalid": "issue_new_promo_code",
        "promo-code-expired": "issue_new_promo_code",
        "billing-after-return": "credit_mistimed_billing",
        "billing-never-bought": "credit_mistimed_billing",
        "subscription-extension": "extend_subscription",
        "subscription-dispute-bill": "refund_disputed_bill",
    }
    for article, action in expected.items():
        assert [d.action for d in decide_sighted(policies, Call(segment="gold"), [article], TODAY)] == [action]


def test_bundled_knowledge_base_has_no_policy_problem(articles: dict[str, Article]) -> None:
    assert [str(p) for p in check_policies(POLICIES, articles)] == []


def test_missing_policy_directory_is_an_empty_policy_set(tmp_path: Path) -> None:
    policies = load_policies(tmp_path / "nowhere", {})
    assert policies == PolicySet()
    assert decide_sighted(policies, Call(segment="gold", issue="return"), ["x"], TODAY) == []


# --- validation on a small knowledge base -------------------------------------------------------------

VOCABULARY = """\
segments: [gold, guest]
roles: [tier1, supervisor]
actions:
  return_item: {label: Accept the return, keywords: [return]}
facts:
  purchase_age_days: {type: int, unit: days, ask: "How old is the purchase?"}
  has_receipt: {type: bool}
steps:
  membership: Check the membership level
"""
ARTICLE = """\
---
id: returns
title: Returns
steps: [membership]
---
Gold members can return anything.
Guests can return within 60 days of purchase.
"""


def _kb(tmp_path: Path, policy: str, article: str = ARTICLE) -> tuple[Path, dict[str, Article]]:
    (tmp_path / "kb").mkdir(exist_ok=True)
    (tmp_path / "kb" / "returns.md").write_text(article)
    directory = tmp_path / "policies"
    directory.mkdir(exist_ok=True)
    (directory / "vocabulary.yaml").write_text(VOCABULARY)
    (directory / "returns.yaml").write_text(textwrap.dedent(policy))
    return directory, load_catalog(tmp_path / "kb").by_id()


GOOD = """\
applies_to:
  articles: [returns]
rules:
  - id: r.guest
    action: return_item
    segment: guest
    when: {purchase_age_days: {at_most: 30}}
    decision: allowed
    explanation: Guests may return within 30 days.
"""


def _messages(directory: Path, articles: dict[str, Article]) -> list[str]:
    return [str(p).replace(str(directory) + "/", "") for p in check_policies(directory, articles)]


KNOWN_OPERATORS = "at_least, at_most, equals, less_than, more_than, none_of, not, one_of"
WHEN = "    when: {purchase_age_days: {at_most: 30}}\n"
DECISION = "    decision: allowed\n"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (DECISION, "    decison: allowed\n", "returns.yaml:8: rules[0].decison: unknown key"),
        (DECISION, "    decison: allowed\n", "returns.yaml:4: rules[0].decision: required field is missing"),
        (
            "{at_most: 30}",
            "{below: 30}",
            f"returns.yaml:7: rules[0].when.purchase_age_days: unknown operator 'below' (known: {KNOWN_OPERATORS})",
        ),
        (
            "{at_most: 30}",
            "{at_most: yes}",
            "returns.yaml:7: rules[0].when.purchase_age_days.at_most: must be a number, not True",
        ),
        (
            "{purchase_age_days: {at_most: 30}}",
            "{has_receipt: {at_most: 30}}",
            "returns.yaml:7: rules[0].when.has_receipt.at_most: compares a number, and a bool fact is not one",
        ),
        (
            "{purchase_age_days: {at_most: 30}}",
            "{has_receipt: [true, 'yes']}",
            "returns.yaml:7: rules[0].when.has_receipt.one_of: 'yes' is not a bool",
        ),
        (
            "action: return_item",
            "action: refund_everything",
            "returns.yaml:5: rules[0].action: unknown action 'refund_everything' (declare it in vocabulary.yaml)",
        ),
        (
            "when: {purchase_age_days",
            "when: {age_days",
            "returns.yaml:7: rules[0].when.age_days: unknown fact 'age_days' (declare it in vocabulary.yaml)",
        ),
        (
            "articles: [returns]",
            "articles: [returns, refunds]",
            "returns.yaml:2: applies_to.articles[1]: unknown article 'refunds'",
        ),
        (
            "segment: guest",
            "segment: platinum",
            "returns.yaml:6: rules[0].segment: unknown segment 'platinum' (declared: gold, guest)",
        ),
        (
            "decision: allowed",
            "decision: maybe",
            "returns.yaml:8: rules[0].decision: must be 'allowed' or 'denied', not 'maybe'",
        ),
        (
            "within 30 days.",
            "within {days} days.",
            "returns.yaml:9: rules[0].explanation: quotes unknown name {days}",
        ),
        (
            DECISION,
            DECISION + "    effective_from: 2026-13-01\n",
            "returns.yaml:9: rules[0].effective_from: bad date '2026-13-01' (expected YYYY-MM-DD)",
        ),
        ("rules:", "rules: []\nold_rules:", "returns.yaml:4: old_rules: unknown key"),
        ("rules:", "rules: []\nold_rules:", "returns.yaml:3: rules: must not be empty"),
        (
            "segment: guest",
            "segment: guest\n    when_denied: {after_step: membership, then: [membership, refund]}",
            "returns.yaml:7: rules[0].when_denied.then[1]: unknown step 'refund'",
        ),
        (
            "decision: allowed",
            "decision: denied\n    limit: 20",
            "returns.yaml:9: rules[0].limit: only an 'allowed' rule can have a limit",
        ),
        (
            "rules:",
            "decide_after: [purchase_age_days, shipped]\nrules:",
            "returns.yaml:3: decide_after[1]: unknown fact 'shipped' (declare it in vocabulary.yaml)",
        ),
        (
            "  articles: [returns]\n",
            "",
            "returns.yaml:3: rules[0]: rule 'r.guest' applies to nothing: give 'applies_to' articles, tags, "
            "issues or moments",
        ),
    ],
)
def test_validation_names_file_line_field_and_fault(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    directory, articles = _kb(tmp_path, GOOD.replace(old, new))
    messages = _messages(directory, articles)
    assert expected in messages
    with pytest.raises(PolicyError) as caught:
        verify_policies(directory, articles)
    assert all(isinstance(p, Problem) and p.severity == "error" for p in caught.value.problems)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{at_most: 30}",
            "{at_mots: 30}",
            f"returns.yaml:7: rules[0].when.purchase_age_days: unknown operator 'at_mots' (known: {KNOWN_OPERATORS})",
        ),
        (
            DECISION,
            DECISION + "    priority: high\n",
            "returns.yaml:9: rules[0].priority: must be a whole number, not 'high'",
        ),
        (
            DECISION,
            DECISION + "    limit: {amount: fifty}\n",
            "returns.yaml:9: rules[0].limit.amount: must be a number, not 'fifty'",
        ),
        (DECISION, DECISION + "    comment: why\n", "returns.yaml:9: rules[0].comment: unknown key"),
        (
            "    explanation: Guests may return within 30 days.\n",
            "",
            "returns.yaml:4: rules[0].explanation: required field is missing",
        ),
    ],
)
def test_a_schema_error_is_one_exact_problem_and_stops_serving_too(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    directory, articles = _kb(tmp_path, GOOD.replace(old, new))
    assert _messages(directory, articles) == [expected]
    with pytest.raises(PolicyError) as caught:
        load_policies(directory, articles)
    assert [str(p).replace(str(directory) + "/", "") for p in caught.value.problems] == [expected]


def test_contradicting_rules_at_the_same_priority_are_reported(tmp_path: Path) -> None:
    clash = GOOD + textwrap.indent(
        textwrap.dedent("""\
        - id: r.guest.receipt
          action: return_item
          segment: [gold, guest]
          when: {has_receipt: true}
          decision: denied
          explanation: No.
        - id: r.guest.old
          action: return_item
          segment: guest
          when: {purchase_age_days: {more_than: 30}}
          decision: denied
          explanation: Too old.
        """),
        "  ",
    )
    directory, articles = _kb(tmp_path, clash, ARTICLE.replace("60 days", "30 days"))
    assert _messages(directory, articles) == [
        "returns.yaml:10: rule 'r.guest.receipt' contradicts 'r.guest' (returns.yaml:4): "
        "action 'return_item', "
        "guest, priority 0, but allowed vs denied"
    ]


def test_duplicate_rule_ids_and_keys_are_reported(tmp_path: Path) -> None:
    again = GOOD.split("rules:\n")[1].replace("decision: allowed", "decision: allowed\n    priority: 5")
    directory, articles = _kb(tmp_path, "area: a\narea: b\n" + GOOD + again)
    messages = _messages(directory, articles)
    assert "returns.yaml:2: duplicate key 'area'" in messages
    assert any(m.startswith("returns.yaml:12: duplicate rule id 'r.guest' (also ") for m in messages)


def test_article_number_that_contradicts_its_policy_is_a_warning(tmp_path: Path) -> None:
    directory, articles = _kb(tmp_path, GOOD)
    problems = check_policies(directory, articles)
    assert [(p.line, p.severity) for p in problems] == [(7, "warning")]
    assert "says 60 days for 'return_item', but the policy (r.guest) does not" in problems[0].message
    assert load_policies(directory, articles).rules[0].id == "r.guest"  # warnings do not stop loading
    fixed = ARTICLE.replace("60 days", "30 days")
    directory, articles = _kb(tmp_path, GOOD, fixed)
    assert check_policies(directory, articles) == []


def test_bad_yaml_is_one_problem_with_its_line(tmp_path: Path) -> None:
    directory, articles = _kb(tmp_path, GOOD.replace("  - id: r.guest", "  - id: [r.guest"))
    messages = _messages(directory, articles)
    assert len(messages) == 1 and messages[0].startswith("returns.yaml:5: bad YAML"), messages


def test_policy_files_without_vocabulary_are_refused(tmp_path: Path) -> None:
    directory, articles = _kb(tmp_path, GOOD)
    (directory / "vocabulary.yaml").unlink()
    assert any("vocabulary.yaml:0: missing" in m for m in _messages(directory, articles))


def test_rule_outside_its_effective_dates_is_ignored(tmp_path: Path) -> None:
    dated = GOOD.replace("    decision: allowed\n", "    decision: allowed\n    effective_until: 2026-01-31\n")
    directory, articles = _kb(tmp_path, dated)
    policies = load_policies(directory, articles)
    call = Call(segment="guest", facts={"purchase_age_days": 3})
    assert [d.decision for d in decide_sighted(policies, call, ["returns"], dt.date(2026, 1, 31))] == ["allowed"]
    assert decide_sighted(policies, call, ["returns"], dt.date(2026, 2, 1)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{type: int, unit: days",
            "{type: integer, unit: days",
            "vocabulary.yaml:6: facts.purchase_age_days.type: must be 'int', 'number', 'bool' or 'string', "
            "not 'integer'",
        ),
        ("segments: [gold, guest]", "segments: [gold, guest", "vocabulary.yaml:2: bad YAML"),
        (
            "  membership: Check",
            "  membership:\n  x: Check",
            "vocabulary.yaml:9: steps.membership: must be a mapping, not None",
        ),
    ],
)
def test_vocabulary_problem_is_reported_alone_with_its_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    directory, articles = _kb(tmp_path, GOOD)
    assert old in VOCABULARY
    (directory / "vocabulary.yaml").write_text(VOCABULARY.replace(old, new))
    messages = _messages(directory, articles)
    assert messages[0].startswith(expected), messages
    if "bad YAML" in expected:
        assert len(messages) == 1  # no cascade of "unknown action" errors from an unreadable vocabulary


def test_policy_file_linked_out_of_the_tree_is_skipped_with_a_warning_and_links_inside_are_read(
    tmp_path: Path,
) -> None:
    root = tmp_path / "knowledge"
    root.mkdir()
    directory, articles = _kb(root, GOOD)
    outside = tmp_path / "outside.yaml"
    outside.write_text(textwrap.dedent(GOOD).replace("r.guest", "r.leak").replace("allowed", "denied"))
    (directory / "leak.yaml").symlink_to(outside)
    (root / "shared").mkdir()
    (directory / "vocabulary.yaml").rename(root / "shared" / "vocabulary.yaml")
    (directory / "vocabulary.yaml").symlink_to(root / "shared" / "vocabulary.yaml")
    warnings = [p for p in check_policies(directory, articles) if p.path == directory / "leak.yaml"]
    assert [str(p) for p in warnings] == [
        f"{directory / 'leak.yaml'}:1: warning: links outside the knowledge tree ({root}); skipped, not read"
    ]
    assert [r.id for r in load_policies(directory, articles).rules] == ["r.guest"]


@pytest.mark.parametrize("text", ["-inf", "nan", "inf", "1_0", "1e400", "0x10", " ", "9" * 400])
def test_coerce_reads_only_plain_finite_decimals_as_numbers(text: str) -> None:
    assert coerce("int", text) is None
    assert coerce("number", text) is None


def test_coerce_refuses_a_number_beyond_the_fact_range_without_raising() -> None:
    assert coerce("int", 10**400) is None
    assert coerce("number", -(10**16)) is None
    assert (coerce("int", " 120 "), coerce("number", "4.99"), coerce("int", 7.0)) == (120, 4.99, 7)


def test_a_non_number_string_fact_is_missing_not_a_number(policies: PolicySet) -> None:
    decision = _decide(policies, "returns-stain-damage", "silver", {"purchase_age_days": "-inf"})["return_item"]
    assert decision.decision == "ask"
    assert "purchase_age_days" in decision.needs
