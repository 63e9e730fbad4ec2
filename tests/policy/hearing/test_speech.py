"""Facts from speech: durations, dates, amounts and yes/no answers read with the turn and words they came from."""

from __future__ import annotations

import datetime as dt

import pytest

from assist.call import Turn
from assist.policy.cues import CueClock
from assist.policy.files.directory import load_policies
from assist.policy.hearing.speech import SpokenFact, hear
from assist.policy.policyset import PolicySet
from assist.policy.vocabulary import Vocabulary
from tests.conftest import ROOT

TODAY = dt.date(2026, 12, 7)  # a Monday


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    policies: PolicySet = load_policies(ROOT / "knowledge" / "policies", {})
    return policies.vocabulary


def _hear(vocabulary: Vocabulary, *turns: str) -> dict[str, SpokenFact]:
    """Turns alternate customer, agent, customer, …"""
    speakers = ("customer", "agent")
    transcript = tuple(Turn(speakers[i % 2], text) for i, text in enumerate(turns))  # type: ignore[arg-type]
    return hear(transcript, vocabulary, TODAY, CueClock())


def _values(facts: dict[str, SpokenFact]) -> dict[str, object]:
    return {name: fact.value for name, fact in facts.items()}


@pytest.mark.parametrize(("said", "days"), [
    ("it was uh, about four months ago i think", 120),
    ("three weeks back", 21),
    ("a week and a half ago", 10),
    ("a couple of weeks ago", 14),
    ("last tuesday", 6),
    ("yesterday", 1),
    ("back in january", 334),  # a month alone: the same day of that month
    ("on november 3rd", 34),
])
def test_a_purchase_age_said_in_reply_to_when_it_was_bought_becomes_days(
    vocabulary: Vocabulary, said: str, days: int
) -> None:
    facts = _hear(vocabulary, "my jacket has a tear", "Sorry! When did you buy it?", said)
    assert facts["purchase_age_days"].value == pytest.approx(days, abs=2)
    assert facts["purchase_age_days"].turn == 2


def test_a_purchase_age_in_the_customers_own_sentence_about_buying_is_read_without_a_question(
    vocabulary: Vocabulary
) -> None:
    facts = _hear(vocabulary, "I bought these boots two months ago and the sole came off")
    assert facts["purchase_age_days"] == SpokenFact("purchase_age_days", 60, 0, "I bought these boots two months ago")


@pytest.mark.parametrize("said", [
    "It was my mother's order, she passed away last month and I've been returning the things she'd bought",
    "I got a promo code in your newsletter this morning but I'm not ready to buy yet",
    "okay so my graduation is on saturday and the dress I ordered is on standard shipping",
    "i ordered a black dress for my grandmother's funeral on friday but it won't get here in time",
])
def test_a_time_said_of_another_event_in_the_sentence_is_not_the_purchase_age(
    vocabulary: Vocabulary, said: str
) -> None:
    assert "purchase_age_days" not in _hear(vocabulary, said)


def test_a_weekday_after_what_the_item_was_for_stays_a_purchase_day_when_said_as_last(
    vocabulary: Vocabulary
) -> None:
    assert _values(_hear(vocabulary, "I bought it for my wife last tuesday"))["purchase_age_days"] == 6


def test_a_count_in_a_later_clause_wins_over_a_weekday_in_an_earlier_one(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "my renewal was due on monday and it's thursday now, so I'm three days late")
    assert facts["days_late"].value == 3


def test_a_duration_about_something_else_is_not_a_purchase_age(vocabulary: Vocabulary) -> None:
    assert "purchase_age_days" not in _hear(vocabulary, "my promo code came in an email three weeks ago")
    assert "purchase_age_days" not in _hear(vocabulary, "I ordered a shirt for my brother's wedding this saturday")


def test_the_agent_quoting_a_policy_window_is_not_a_fact_the_customer_gave(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "can I return these jeans?", "Bronze members can return within 90 days of purchase.")
    assert facts == {}


def test_yes_and_no_answer_the_agents_question_about_the_fact(vocabulary: Vocabulary) -> None:
    kept = _hear(vocabulary, "I want to return a sweater", "Do you still have the receipt?", "yes, I do")
    assert kept["has_receipt"].value is True and kept["has_receipt"].quote == "yes, I do"
    lost = _hear(vocabulary, "I want to return a sweater", "Do you still have the receipt?", "no, I lost it")
    assert lost["has_receipt"].value is False


def test_a_no_to_a_question_about_something_else_says_nothing(vocabulary: Vocabulary) -> None:
    assert "has_receipt" not in _hear(vocabulary, "I want to return a sweater", "Is it for a gift?", "no")


def test_a_fact_stated_outright_is_read_and_a_negation_turns_it_false(vocabulary: Vocabulary) -> None:
    assert _values(_hear(vocabulary, "i think it already shipped, the email said it's on its way")) == {
        "order_shipped": True}
    report = _hear(vocabulary, "can I still change it?", "I can see it hasn't shipped yet.")
    assert report["order_shipped"].value is False and report["order_shipped"].turn == 1
    assert _values(_hear(vocabulary, "it still just says order received")) == {"order_shipped": False}


def test_the_agent_reading_our_systems_tells_whether_the_mistake_was_ours(vocabulary: Vocabulary) -> None:
    ours = _hear(vocabulary, "there's a fee I don't recognise", "You're right, that was our mistake.")
    assert ours["company_error"].value is True
    not_ours = _hear(vocabulary, "there's a fee I don't recognise", "It wasn't an error on our side.")
    assert not_ours["company_error"].value is False


def test_amounts_are_read_from_digits_and_from_words(vocabulary: Vocabulary) -> None:
    assert _values(_hear(vocabulary, "I was charged $34.99 twice")) == {"amount": 34.99}
    assert _values(_hear(vocabulary, "two charges of ninety nine dollars on my card")) == {"amount": 99.0}


def test_days_late_from_a_date_or_a_count(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "I need more time to pay", "How late is the payment?", "it was due yesterday")
    assert facts["days_late"].value == 1


def test_a_later_statement_replaces_an_earlier_one(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "I bought it three weeks ago", "Okay, and is that right?",
                  "sorry, I bought it five weeks ago actually")
    assert facts["purchase_age_days"].value == 35 and facts["purchase_age_days"].turn == 2


@pytest.mark.parametrize(("question", "said", "fact", "value"), [
    ("When did you place that order, and do you still have the receipt?",
     "uhh back in september? and no receipt, i threw it out", "has_receipt", False),
    ("When did you buy it, and is it still in the original packaging?",
     "it was like five months ago. but yes its still in the bag with the tags on", "original_packaging", True),
    ("Bronze returns are within 90 days, unless you have the receipt or the original packaging. Do you have either?",
     "no, uh, i tossed it", "original_packaging", False),
])
def test_a_yes_or_no_further_into_the_reply_answers_the_question(
    vocabulary: Vocabulary, question: str, said: str, fact: str, value: bool
) -> None:
    facts = _hear(vocabulary, "these jeans are too tight, can i send them back", question, said)
    assert facts[fact].value is value


def test_not_knowing_is_not_no(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "these boots are too big", "Do you still have the receipt, or the original box?",
                  "receipt no idea, but theyre still in the original box")
    assert "has_receipt" not in facts and facts["original_packaging"].value is True


def test_a_condition_the_agent_states_is_not_a_fact(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "i want to return a shirt",
                  "For guest orders returns are within 30 days, unless you have the receipt.")
    assert "has_receipt" not in facts


def test_a_yes_answers_only_what_the_question_sentence_asks(vocabulary: Vocabulary) -> None:
    report = "It hasn't shipped yet, so that works. Overnight is $20 to the card on file, okay?"
    facts = _hear(vocabulary, "can i get it overnight?", report, "yeah thats fine")
    assert facts["order_shipped"].value is False  # the agent's report, not the customer's yes to the fee


def test_a_price_in_reply_to_how_much_is_read_whole(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "cancel the extra jacket", "How much was the jacket?", "the second one was 119.99")
    assert facts["amount"].value == pytest.approx(119.99)


@pytest.mark.parametrize("report", [
    "I checked the code in our system, it's only valid for full price items, so it's not a system error.",
    "Our records show the code expired after seven days, so it's working as intended.",
    "I checked the system: the order was placed from your account, so it doesn't look like an error on our side.",
    "The code is working correctly, it's only valid on new arrivals.",
])
def test_the_agent_reporting_no_mistake_of_ours_is_heard(vocabulary: Vocabulary, report: str) -> None:
    facts = _hear(vocabulary, "my promo code doesn't work", report)
    assert facts["company_error"].value is False


def test_a_code_got_weeks_ago_is_not_a_purchase(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "the code i got for 20 percent off isnt working, i got it like three weeks ago")
    assert "purchase_age_days" not in facts


@pytest.mark.parametrize(("question", "said", "ours"), [
    ("How long has it been since the return went back?", "um, it's been like two and a half weeks?", True),
    ("How long ago did you send it back?", "uh i mailed it last thursday", False),
])
def test_a_credit_pending_more_than_seven_days_after_a_return_is_our_mistake(
    vocabulary: Vocabulary, question: str, said: str, ours: bool
) -> None:
    facts = _hear(vocabulary, "i returned some jeans and still haven't gotten my money back", question, said)
    assert facts["company_error"].value is ours


def test_a_return_asked_for_is_no_credit_pending(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "i want to send it back, i bought it two weeks ago")
    assert "company_error" not in facts and facts["purchase_age_days"].value == 14


def test_more_than_needs_a_number_reading_and_a_bool_fact() -> None:
    from pydantic import ValidationError

    from assist.policy.files.vocabulary import FactSpec
    with pytest.raises(ValidationError, match="more_than needs a days or money reading"):
        FactSpec.model_validate({"type": "bool", "heard": {"reading": "yes_no", "about": ["x"], "more_than": 7}})
    with pytest.raises(ValidationError, match="cannot give a int fact"):
        FactSpec.model_validate({"type": "int", "heard": {"reading": "days", "about": ["x"], "more_than": 7}})


def test_a_count_said_outright_wins_over_a_weekday_before_it(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "the email said it would be here Monday and it's Thursday now, so three days late")
    assert facts["days_late"].value == 3


@pytest.mark.parametrize(("said", "fact", "value"), [
    ("my package never showed up, it was supposed to be here like ten days ago", "days_late", 10),
    ("I kept the original bag and tissue paper and everything", "original_packaging", True),
])
def test_more_ways_of_saying_a_fact(vocabulary: Vocabulary, said: str, fact: str, value: object) -> None:
    assert _hear(vocabulary, said)[fact].value == value


def test_the_agent_saying_it_was_not_an_error_is_no_mistake_of_ours(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "my code is expired", "Our system shows the code expired, so that wasn't an error.")
    assert facts["company_error"].value is False


def test_a_no_after_the_fact_s_word_answers_no(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "it has a stain", "When did you buy it, and do you still have the receipt?",
                  "a month and a half ago. The receipt I don't have, I tossed it, but I kept the box")
    assert facts["has_receipt"].value is False and facts["purchase_age_days"].value == 45


@pytest.mark.parametrize("report", [
    "I've checked our system and that service was added to your account by mistake.",
    "It looks like the code was valid and the error was on our side, I'm sorry.",
    "I checked, and the credit is missing on our side.",
])
def test_the_agent_confirming_our_mistake_is_heard(vocabulary: Vocabulary, report: str) -> None:
    assert _hear(vocabulary, "something's wrong with my bill", report)["company_error"].value is True


def test_a_customer_ordering_twice_by_mistake_is_no_mistake_of_ours(vocabulary: Vocabulary) -> None:
    assert "company_error" not in _hear(vocabulary, "I ordered the same shirt twice by mistake")


def test_hundreds_dollars_and_cents_read_out(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "cancel the extra boots", "How much were the boots?", "one twenty nine ninety nine")
    assert facts["amount"].value == pytest.approx(129.99)


def test_an_opening_no_about_another_fact_leaves_this_one_to_its_own_clause(vocabulary: Vocabulary) -> None:
    asked = "Do you happen to have the receipt, or is it still in its original packaging?"
    kept = _values(_hear(vocabulary, "return this", asked, "No receipt, but yes, it's still in the garment bag"))
    assert kept["has_receipt"] is False and kept["original_packaging"] is True
    tossed = _values(_hear(vocabulary, "return this", asked, "no receipt, and no i tossed the bag it came in"))
    assert tossed["has_receipt"] is False and tossed["original_packaging"] is False


def test_keeping_the_box_said_in_passing_is_the_original_packaging(vocabulary: Vocabulary) -> None:
    said = "No receipt, but I did keep the box it came in"
    facts = _hear(vocabulary, "return this", "Do you have the receipt?", said)
    assert _values(facts)["original_packaging"] is True


@pytest.mark.parametrize(("said", "amount"), [
    ("It's normally nine dollars and it took fifteen, so I'm out six bucks.", 6),
    ("it renewed at $120 when it's supposed to be $99. That's twenty-one bucks I shouldn't have paid.", 21),
    ("I was charged $15 for shipping on a $40 order", 15),
])
def test_the_amount_in_dispute_is_the_one_its_words_single_out(
    vocabulary: Vocabulary, said: str, amount: float
) -> None:
    assert _values(_hear(vocabulary, said))["amount"] == amount


def test_the_agent_counting_back_from_now_tells_a_duration_a_policy_does_not(vocabulary: Vocabulary) -> None:
    told = _hear(vocabulary, "when is my payment due?", "It was actually due two days ago, so it's now past due.")
    assert told["days_late"].value == 2 and told["days_late"].turn == 1
    policy = "Unfortunately silver extensions only apply if you're one day late."
    assert "days_late" not in _hear(vocabulary, "can I get an extension?", policy)


def test_a_customer_echoing_a_policy_the_agent_stated_is_no_purchase_age(vocabulary: Vocabulary) -> None:
    stated = "Silver members can return within six months of purchase."
    assert "purchase_age_days" not in _hear(vocabulary, "what's your return policy?", stated, "Six months, nice.")


def test_an_order_not_flagged_as_our_error_is_no_mistake_of_ours(vocabulary: Vocabulary) -> None:
    report = "I've checked our system, and that order isn't flagged as an error on our side."
    assert _values(_hear(vocabulary, "a charge I never made", report))["company_error"] is False


def test_an_address_given_for_a_shipping_label_is_no_amount(vocabulary: Vocabulary) -> None:
    asked = "What's your full address so I can send a shipping label?"
    assert "amount" not in _hear(vocabulary, "can I send these back?", asked, "it's two twelve Birchwood Lane")
    assert _values(_hear(vocabulary, "the shipping was twelve ninety-nine, can you take it off?"))["amount"] == 12.99


@pytest.mark.parametrize(("said", "receipt", "packaging"), [
    ("nah, tossed the receipt along with the box ages ago.", False, False),
    ("The receipt I don't have, I tossed it, but I kept the box it came in", False, True),
])
def test_what_the_customer_threw_away_is_said_without_a_question(
    vocabulary: Vocabulary, said: str, receipt: bool, packaging: bool
) -> None:
    asked = "When did you buy them, and do you still have the receipt?"
    facts = _values(_hear(vocabulary, "can I return these boots?", asked, said))
    assert facts["has_receipt"] is receipt and facts["original_packaging"] is packaging


def test_a_customer_owning_the_mistake_is_no_mistake_of_ours_and_on_us_is(vocabulary: Vocabulary) -> None:
    assert "company_error" not in _hear(vocabulary, "Ah, my mistake. Okay, I'll give them a ring.")
    told = _hear(vocabulary, "my credit isn't back", "It's past the 7-day processing time, so this one's on us.")
    assert told["company_error"].value is True
    assert _values(_hear(vocabulary, "code expired?", "It did expire after 7 days, so that's expected."))[
        "company_error"] is False


def test_a_round_number_and_something_is_the_middle_of_its_ten(vocabulary: Vocabulary) -> None:
    assert _values(_hear(vocabulary, "I need to return a blazer, it was forty-something bucks"))["amount"] == 45


@pytest.mark.parametrize("report", [
    "Let me check the system... It looks like the morning slot was set on our end by mistake.",
    "Yes, I can see the second charge was a duplicate on our end.",
    "You're right, the code should still be active. Our system expired it early by mistake.",
])
def test_the_agent_reporting_a_mistake_of_ours_is_heard(vocabulary: Vocabulary, report: str) -> None:
    assert _hear(vocabulary, "something's wrong with my order", report)["company_error"].value is True


def test_the_agent_reporting_the_order_delivered_says_it_shipped(vocabulary: Vocabulary) -> None:
    facts = _hear(vocabulary, "can I add a scarf to my order?", "I can see that order has already been delivered.")
    assert facts["order_shipped"].value is True


def test_packaging_is_read_from_the_item_s_own_clause_not_from_where_the_receipt_is(vocabulary: Vocabulary) -> None:
    kept = _hear(vocabulary, "they don't fit", "Do you have the receipt?", "yep, still got it, it was in the box")
    assert _values(kept) == {"has_receipt": True}
    tags = _hear(vocabulary, "they don't fit", "Do you have the receipt?",
                 "no receipt, but they're still in the bag with the tags on")
    assert _values(tags) == {"has_receipt": False, "original_packaging": True}


@pytest.mark.parametrize(("report", "amount"), [
    ("I've checked your subscription status; the amount due is $99.", 99),
    ("Your subscription is active, and the next payment is $99 on the 15th.", 99),
    ("For silver members the overnight upgrade is a $20 fee, charged to the card on your account.", 20),
])
def test_an_amount_the_agent_reads_out_from_our_systems_is_heard(
    vocabulary: Vocabulary, report: str, amount: float
) -> None:
    assert _hear(vocabulary, "how much do I owe on my subscription?", report)["amount"].value == amount


@pytest.mark.parametrize("policy", [
    "Silver members get the refund only if the amount is under $10.",
    "When the amount isn't known we use the standard $50.",
    "Is the fee $12?",
])
def test_a_threshold_or_question_from_the_agent_states_no_amount(vocabulary: Vocabulary, policy: str) -> None:
    assert "amount" not in _hear(vocabulary, "I was charged twice for my subscription", policy)
