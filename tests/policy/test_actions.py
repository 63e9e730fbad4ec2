"""Next-best actions: procedure steps shaped by decisions, asks for missing facts, and transcript moments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assist.call import Call, FactValue, Turn
from assist.knowledge.articles import Article
from assist.policy.actions import NextAction, StepStatus, next_best_actions
from assist.policy.course.progress import Evidence
from assist.policy.cues import CueClock
from assist.policy.engine import decide
from assist.policy.files.moments import load_moments
from assist.policy.moments import find_moments
from assist.policy.policyset import PolicySet

TODAY = dt.date(2026, 11, 26)
# what is tested here is the advice, not the cue budget: a loaded machine must not run the moments out of time
CLOCK_SECONDS = 5.0


def _advise(
    policies: PolicySet,
    articles: dict[str, Article],
    article: str | None,
    segment: str | None = "gold",
    facts: dict[str, FactValue] | None = None,
    said: tuple[str, ...] = (),
) -> list[NextAction]:
    call = Call(transcript=tuple(Turn("customer", t) for t in said), segment=segment, facts=facts or {})
    sightings = find_moments(call.transcript, policies.moments, CueClock(CLOCK_SECONDS))
    decisions = decide(policies, call, [article] if article else [], TODAY, sightings)
    return next_best_actions(articles.get(article or ""), decisions, policies, sightings)


def _ids(actions: list[NextAction]) -> list[str]:
    return [a.action for a in actions]


def _needed(actions: list[NextAction]) -> list[str]:
    """The actions a denial did not set aside."""
    return [a.action for a in actions if not a.set_aside]


def test_allowed_return_follows_the_procedure_steps_in_order(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    actions = _advise(policies, articles, "returns-stain-damage", "silver", {"purchase_age_days": 120})
    assert _ids(actions) == [
        "pull-up-account",
        "validate-purchase",
        "membership",
        "enter-details",
        "update-order",
    ]
    assert actions[0] == NextAction(
        "pull-up-account",
        "Pull up the customer's account",
        "step 1 of returns-stain-damage",
        "article:returns-stain-damage",
        StepStatus.CURRENT,
    )


def test_denied_return_ends_with_apology_explanation_the_articles_callback_and_the_rest_set_aside(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    facts: dict[str, FactValue] = {"purchase_age_days": 91, "has_receipt": False, "original_packaging": False}
    actions = _advise(policies, articles, "returns-wrong-size", "bronze", facts)
    assert _ids(actions) == [
        "pull-up-account",
        "validate-purchase",
        "membership",
        "apologize",
        "explain-decision",
        "enter-details",  # the alternative the article names: take a phone number, a manager calls back
        "notify-team",
        "update-order",  # set aside: still listed where the procedure has it, never current
    ]
    assert [a.action for a in actions if a.set_aside] == ["update-order"]
    assert actions[-1].status == StepStatus.TODO and "not needed: 'Accept the return' is denied" in actions[-1].reason
    assert actions[3].label == "Apologise that we cannot accept the return"
    assert actions[4].label.startswith("Explain: Bronze members may return within 90 days")
    assert "91 days old" in actions[4].label
    assert actions[4].source == "rule:returns.bronze.denied" and "returns.bronze.denied" in actions[4].reason


def test_missing_fact_puts_ask_for_fact_first(policies: PolicySet, articles: dict[str, Article]) -> None:
    actions = _advise(policies, articles, "returns-wrong-color", "guest", {"purchase_age_days": 45})
    assert _ids(actions)[:2] == ["ask-for-fact", "pull-up-account"]
    assert actions[0].label == "Ask: Does the customer still have the receipt?"
    assert actions[0].source == "rule:returns.guest.receipt"
    assert _ids(actions)[1:] == list(articles["returns-wrong-color"].steps)


def test_unknown_segment_asks_for_the_membership_level(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    actions = _advise(policies, articles, "subscription-extension", None)
    assert actions[0].action == "ask-for-fact" and "membership level" in actions[0].label


def test_denied_fee_waiver_explains_and_the_upgrade_goes_on(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    actions = _advise(policies, articles, "order-shipping-upgrade", "silver", {"order_shipped": False})
    assert _ids(actions) == [
        "pull-up-account",
        "verify-identity",
        "shipping-status",
        "membership",
        "explain-decision",
        "update-order",
    ]
    assert "$20" in actions[4].label


def test_shipped_order_cannot_be_upgraded(policies: PolicySet, articles: dict[str, Article]) -> None:
    actions = _advise(policies, articles, "order-shipping-upgrade", "gold", {"order_shipped": True})
    assert [a.action for a in actions if a.set_aside] == ["membership", "update-order"]
    assert _needed(actions) == [
        "pull-up-account",
        "verify-identity",
        "shipping-status",
        "apologize",
        "explain-decision",
    ]


def test_denied_extension_offers_a_manager_call_back(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    actions = _advise(policies, articles, "subscription-extension", "guest")
    assert _needed(actions) == [
        "pull-up-account",
        "verify-identity",
        "membership",
        "apologize",
        "explain-decision",
        "enter-details",
        "notify-team",
    ]


def test_denied_bill_dispute_stops_after_checking_our_systems(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    actions = _advise(policies, articles, "subscription-dispute-bill", "bronze", {"company_error": False})
    assert _needed(actions)[-3:] == ["ask-the-oracle", "apologize", "explain-decision"]
    assert [a.action for a in actions if a.set_aside] == ["offer-refund"]


def test_no_procedure_gives_only_asks_and_moments(policies: PolicySet, articles: dict[str, Article]) -> None:
    assert _advise(policies, articles, None) == []
    actions = _advise(
        policies, articles, None, "silver", said=("It's my birthday and the parcel never arrived",)
    )
    assert _ids(actions) == ["acknowledge-life-event", "apologize", "offer-goodwill"]


@pytest.mark.parametrize(
    ("said", "moment"),
    [
        ("We just moved to Denver last week.", "move"),
        ("I'm moving house on Friday so I need it sooner", "move"),
        ("My mother passed away and I'm sorting out her account", "bereavement"),
        ("I lost my husband in March", "bereavement"),
        ("we just had a baby so I need a bigger size", "new-baby"),
        ("I'm getting married next month!", "wedding"),
        ("It's for our wedding", "wedding"),
        ("My daughter graduated yesterday and the gift is wrong", "graduation"),
        ("it was a birthday present for my son", "birthday"),
    ],
)
def test_life_event_is_acknowledged_quoting_the_cue(
    policies: PolicySet, articles: dict[str, Article], said: str, moment: str
) -> None:
    actions = _advise(policies, articles, "returns-wrong-size", "gold", said=("Hello.", said))
    first = actions[0]
    assert first.action == "acknowledge-life-event"
    assert first.source == "transcript:turn-2"
    assert said.rstrip(".!") in first.reason
    expected = next(m.label for m in policies.moments.moments if m.id == moment)
    assert first.label == expected
    assert "offer-goodwill" not in _ids(actions)


@pytest.mark.parametrize(
    ("said", "moment"),
    [
        ("It never arrived.", "missing-delivery"),
        ("My package still hasn't arrived", "late-delivery"),
        ("the order is a week late", "late-delivery"),
        ("it arrived two days late", "late-delivery"),
        ("I was charged twice for the same jacket", "double-charge"),
        ("you double-charged my card", "double-charge"),
        ("your website was down all weekend", "outage"),
        ("I didn't receive my order", "missing-delivery"),
    ],
)
def test_failed_promise_brings_apology_and_segment_goodwill(
    policies: PolicySet, articles: dict[str, Article], said: str, moment: str
) -> None:
    actions = _advise(policies, articles, "shipping-missing-item", "silver", said=(said,))
    label = next(m.label for m in policies.moments.moments if m.id == moment)
    assert actions[:2] == [
        NextAction(
            "apologize", label, f'the customer said "{said.rstrip(".")}" (turn 1)', "transcript:turn-1"
        ),
        NextAction(
            "offer-goodwill",
            "Offer a goodwill credit of up to $50",
            f'rule goodwill.silver after "{said.rstrip(".")}" (turn 1): '
            "Silver members may be offered a goodwill credit of up to $50.",
            "rule:goodwill.silver",
        ),
    ]
    assert _ids(actions)[2:] == list(articles["shipping-missing-item"].steps)


@pytest.mark.parametrize(
    "said",
    [
        "We haven't moved, the address is the same.",
        "I wasn't charged twice, just once, that's fine.",
        "My phone died so I'm calling from work.",
        "I'm two days late on my subscription payment.",
        "Can my delivery be delayed to next week?",
        "My payment is late, can I get an extension?",
        "It arrived on time, thanks.",
    ],
)
def test_negated_or_unrelated_wording_is_not_a_moment(policies: PolicySet, said: str) -> None:
    assert find_moments((Turn("customer", said),), policies.moments, CueClock()) == []


def test_cues_in_agent_turns_are_ignored(policies: PolicySet) -> None:
    turns = (
        Turn("agent", "Congratulations on the wedding! Sorry it was charged twice."),
        Turn("customer", "Thanks."),
    )
    assert find_moments(turns, policies.moments, CueClock()) == []


def test_each_moment_is_reported_once_at_its_first_turn(policies: PolicySet) -> None:
    turns = (Turn("customer", "we just moved"), Turn("customer", "since we moved the parcel never arrived"))
    sightings = find_moments(turns, policies.moments, CueClock())
    assert [(s.moment.id, s.turn) for s in sightings] == [("move", 1), ("missing-delivery", 2)]


def test_long_turn_is_quoted_around_the_cue(policies: PolicySet) -> None:
    text = "Well " + "and so on " * 30 + "my grandmother passed away " + "blah " * 40
    sighting = find_moments((Turn("customer", text),), policies.moments, CueClock())[0]
    assert "passed away" in sighting.quote and len(sighting.quote) <= 125


def test_same_call_gives_same_actions(policies: PolicySet, articles: dict[str, Article]) -> None:
    said = ("we just moved and the parcel is a week late", "also I'm returning a jacket")
    runs = [
        _advise(policies, articles, "returns-wrong-color", None, {"purchase_age_days": 40}, said)
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]


def test_bad_cue_pattern_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "moments.yaml"
    path.write_text(
        "moments:\n"
        "  - id: move\n"
        "    kind: life-event\n"
        "    label: Wish them well\n"
        "    cues:\n"
        "      - \\bmoved\\b\n"
        "      - (unclosed\n"
        "  - id: oops\n"
        "    kind: celebration\n"
        "    label: x\n"
        "    cues: [party]\n"
    )
    book, problems = load_moments(path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in problems] == [
        "moments.yaml:7: moments[0].cues[1]: bad pattern '(unclosed': missing ) at position 9",
        "moments.yaml:9: moments[1].kind: must be 'life-event' or 'failed-promise', not 'celebration'",
    ]
    assert book.moments == ()


def test_once_the_steps_before_a_denial_are_done_the_first_step_set_aside_marks_where_the_procedure_stopped(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    facts: dict[str, FactValue] = {"purchase_age_days": 91, "has_receipt": False, "original_packaging": False}
    call = Call(transcript=(Turn("customer", "these boots are too small"),), segment="bronze", facts=facts)
    sightings = find_moments(call.transcript, policies.moments, CueClock(CLOCK_SECONDS))
    decisions = decide(policies, call, ["returns-wrong-size"], TODAY, sightings)
    done = ("pull-up-account", "validate-purchase", "membership", "enter-details", "notify-team")
    progress = {s: Evidence(fact="purchase_age_days") for s in done}
    actions = next_best_actions(articles["returns-wrong-size"], decisions, policies, sightings, progress=progress)
    steps = {a.action: a for a in actions if a.status is not None}
    assert steps["update-order"].set_aside and steps["update-order"].status == StepStatus.CURRENT
    assert not any(a.status == StepStatus.CURRENT for a in actions if a.action != "update-order")
