"""The policy front door over a whole call: the procedure held until a new need, gates on off-topic turns,
decisions only for the need, facts with their source, and a state that only a continuing transcript reuses."""

from __future__ import annotations

import datetime as dt

from assist.call import Call, FactValue, Turn
from assist.knowledge.articles import Article
from assist.policy.course.guidance import CallState, Guidance, guide, need_to_rank
from assist.policy.course.reading import Ranked, Reading
from assist.policy.cues import CueClock
from assist.policy.policyset import PolicySet

TODAY = dt.date(2026, 12, 7)
# what is tested here is the logic, not the cue budget: a first reading that loads a parser may take longer
CLOCK_SECONDS = 5.0
STAIN = "my new jacket arrived with a stain on the sleeve, I'd like to send it back"


def _ranked(articles: dict[str, Article], *scored: tuple[str, float]) -> list[Ranked]:
    return [Ranked(articles[article_id], score) for article_id, score in scored]


def _call(*turns: str, segment: str = "silver", facts: dict[str, FactValue] | None = None) -> Call:
    speakers = ("customer", "agent")
    return Call(transcript=tuple(Turn(speakers[i % 2], t) for i, t in enumerate(turns)),  # type: ignore[arg-type]
                segment=segment, facts=facts or {})


def _guide(policies: PolicySet, call: Call, ranked: list[Ranked], previous: CallState | None = None,
           gap: bool = False, fresh: Reading | None = None, relevance: float = 0.6,
           redirect: int | None = None) -> Guidance:
    reading = Reading(tuple(ranked), 0.2 if gap else 0.7, gap, relevance)
    return guide(policies, call, reading, TODAY, CueClock(CLOCK_SECONDS), previous, fresh, redirect)


def _steps(guidance: Guidance) -> list[str]:
    return [a.action for a in guidance.actions if a.status is not None]


def test_the_procedure_is_committed_with_the_turn_that_stated_the_need(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    first = _guide(policies, _call(STAIN), _ranked(articles, ("returns-stain-damage", 3.9), ("faq-jackets", 3.0)))
    assert first.course is not None and first.course.article.id == "returns-stain-damage"
    assert first.course.since_turn == 0 and STAIN[:40] in first.course.reason
    assert _steps(first)[0] == "pull-up-account"


def test_a_reply_keeps_the_procedure_however_the_ranking_drifts(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    start = _guide(policies, _call(STAIN), _ranked(articles, ("returns-stain-damage", 3.9), ("faq-jackets", 3.0)))
    call = _call(STAIN, "Sorry! To validate the purchase I'll need your username, email and order ID.",
                 "username dana1, email dana at example dot com, order 44120")
    assert need_to_rank(start.state, call.transcript) is None  # a reply to the agent's request raises no need
    drifted = _ranked(articles, ("recover-username", 4.5), ("returns-stain-damage", 2.0))
    later = _guide(policies, call, drifted, start.state)
    assert later.course == start.course


def test_a_new_need_on_its_own_switches_the_procedure_and_says_which_turn(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    turns = ["i started a refund last week, what's the status?", "It's in progress, started by phone."]
    start = _guide(policies, _call(*turns), _ranked(articles, ("refund-status", 4.5), ("refund-initiate", 3.5)))
    new = "oh and can i add another shirt to that refund? it was thirty dollars"
    call = _call(*turns, new)
    turn = need_to_rank(start.state, call.transcript)
    assert turn is not None and turn.text == new
    fresh = Reading(tuple(_ranked(articles, ("refund-add-item", 4.6), ("refund-status", 3.0))), 0.92)
    whole = _ranked(articles, ("refund-status", 4.1), ("refund-add-item", 4.0))  # the call still leans back
    later = _guide(policies, call, whole, start.state, fresh=fresh)
    assert later.course is not None and later.course.article.id == "refund-add-item"
    assert later.course.since_turn == 2 and "raised a new need" in later.course.reason


def test_thanks_on_their_own_raise_no_need(policies: PolicySet, articles: dict[str, Article]) -> None:
    start = _guide(policies, _call(STAIN), _ranked(articles, ("returns-stain-damage", 3.9)))
    call = _call(STAIN, "All done, the label is on its way.", "oh great, thank you so much")
    vague = Reading(tuple(_ranked(articles, ("site-search-not-working", 2.8))), 0.31)
    later = _guide(policies, call, _ranked(articles, ("site-search-not-working", 3.0)), start.state, fresh=vague)
    assert later.course == start.course


def test_an_off_topic_call_gets_no_decision_and_no_step(policies: PolicySet, articles: dict[str, Article]) -> None:
    off = _guide(policies, _call("are you guys hiring at the warehouse?"),
                 _ranked(articles, ("faq-timing", 2.6), ("returns-wrong-size", 2.2)), gap=True)
    assert off.course is None and off.unanswered
    assert off.decisions == () and _steps(off) == []


def test_a_need_the_customer_names_is_not_off_topic_however_weakly_it_ranks(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    named = _guide(policies, _call("the sneakers came a size small, can I return them?", segment="gold"),
                   _ranked(articles, ("faq-boots", 2.4), ("returns-wrong-size", 2.3)), gap=True)
    assert named.course is not None and named.course.article.id == "returns-wrong-size"
    assert [(d.action, str(d.decision)) for d in named.decisions] == [("return_item", "allowed")]


def test_decisions_come_only_from_the_procedure_followed(policies: PolicySet, articles: dict[str, Article]) -> None:
    guidance = _guide(policies, _call(STAIN, segment="gold"),
                      _ranked(articles, ("returns-stain-damage", 3.9), ("order-shipping-upgrade", 3.8),
                              ("billing-after-return", 3.7)))
    assert [d.action for d in guidance.decisions] == ["return_item"]


def test_facts_heard_are_listed_with_their_words_and_the_desktop_wins(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call(STAIN, "When did you buy it?", "about four months ago, and I still have the receipt",
                 facts={"has_receipt": False})
    guidance = _guide(policies, call, _ranked(articles, ("returns-stain-damage", 3.9)))
    facts = {f.name: f for f in guidance.facts}
    assert facts["purchase_age_days"].value == 120 and facts["purchase_age_days"].source == "speech"
    assert facts["purchase_age_days"].turn == 2 and "four months" in (facts["purchase_age_days"].quote or "")
    assert facts["has_receipt"].value is False and facts["has_receipt"].source == "desktop"
    assert [d.rule for d in guidance.decisions] == ["returns.silver.window"]


def test_facts_heard_are_listed_only_while_a_procedure_is_followed(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    said = "I bought a jacket two weeks ago, are you hiring at the warehouse?"
    off = _guide(policies, _call(said), _ranked(articles, ("faq-timing", 2.6)), gap=True)
    assert off.course is None and off.facts == ()
    on = _guide(policies, _call(said), _ranked(articles, ("returns-wrong-size", 3.9)))
    assert [(f.name, f.value, f.source) for f in on.facts] == [("purchase_age_days", 14, "speech")]


def test_a_transcript_that_does_not_extend_the_state_starts_the_call_afresh(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    start = _guide(policies, _call(STAIN), _ranked(articles, ("returns-stain-damage", 3.9)))
    assert start.state.continues(_call(STAIN, "Sorry to hear it.").transcript)
    other = _call("I'd like to change the address on my account please")
    assert not start.state.continues(other.transcript)
    fresh = _guide(policies, other, _ranked(articles, ("change-address", 4.2), ("returns-stain-damage", 3.0)),
                   start.state)
    assert fresh.course is not None and fresh.course.article.id == "change-address"


def test_a_sibling_with_the_same_steps_ranked_well_ahead_refines_the_procedure_without_a_switch(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    opening = "this shirt has a yellowish mark on the collar, can I send it back?"
    start = _guide(policies, _call(opening), _ranked(articles, ("returns-wrong-color", 3.2),
                                                     ("returns-stain-damage", 2.6)))
    assert start.course is not None and start.course.article.id == "returns-wrong-color"
    call = _call(opening, "Can I have your name?", "joyce wu")
    close = _guide(policies, call, _ranked(articles, ("returns-stain-damage", 3.3), ("returns-wrong-color", 3.1)),
                   start.state)
    assert close.course == start.course  # within SIBLING_MARGIN: no change
    ahead = _guide(policies, call, _ranked(articles, ("returns-stain-damage", 4.0), ("returns-wrong-color", 3.1)),
                   start.state)
    assert ahead.course is not None and ahead.course.article.id == "returns-stain-damage"
    assert ahead.course.since_turn == 0 and ahead.course.reason == start.course.reason
    assert _steps(ahead) == _steps(start)


def test_a_reply_that_turns_to_another_matter_raises_that_need(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    turns = ["we're moving on friday and i need to change my address on the account", "What's the new address?"]
    start = _guide(policies, _call(*turns[:1]), _ranked(articles, ("change-address", 4.9)))
    reply = "15 riverside drive. oh and actually, there's an order coming, can you make it overnight?"
    call = _call(*turns, reply)
    turn = need_to_rank(start.state, call.transcript)
    assert turn is not None and "15 riverside" not in turn.text and "order coming" in turn.text
    fresh = Reading(tuple(_ranked(articles, ("order-shipping-upgrade", 4.2), ("order-delivery-time", 2.6))), 0.85)
    later = _guide(policies, call, _ranked(articles, ("change-address", 4.3)), start.state, fresh=fresh)
    assert later.course is not None and later.course.article.id == "order-shipping-upgrade"
    plain = _call(*turns, "15 riverside drive, seattle")
    assert need_to_rank(start.state, plain.transcript) is None  # a plain reply raises nothing


def test_words_that_name_a_need_raise_it_however_surely_they_rank(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    turns = ["I saw these sneakers twenty dollars cheaper on another site", "Our prices change dynamically."]
    start = _guide(policies, _call(*turns), _ranked(articles, ("price-match-competitor", 3.8)))
    call = _call(*turns, "honestly i'd rather just cancel the order then")
    unsure = Reading(tuple(_ranked(articles, ("order-cancel", 3.95), ("order-shipping-downgrade", 3.6))), 0.58)
    later = _guide(policies, call, _ranked(articles, ("price-match-competitor", 3.2)), start.state, fresh=unsure)
    assert later.course is not None and later.course.article.id == "order-cancel"


def _status(guidance: Guidance) -> dict[str, str]:
    return {a.action: str(a.status) for a in guidance.actions if a.status is not None}


RETURN_CALL = (STAIN, "Sorry! Your full name or account ID?", "dana whitfield",
               "Thanks. Username, email and order ID?", "dwhit1, dana at example dot com, order 4827",
               "That checks out. When did you buy it?")


def test_the_deciding_step_is_done_once_the_customer_answers_with_the_fact_that_settles_it(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    ranked = _ranked(articles, ("returns-stain-damage", 3.9))
    asked = _guide(policies, _call(*RETURN_CALL), ranked)
    assert _status(asked)["membership"] == "current"
    answered = _guide(policies, _call(*RETURN_CALL, "about two months ago"), ranked)
    assert [d.decision for d in answered.decisions if d.action == "return_item"] == ["allowed"]
    assert _status(answered)["membership"] == "done" and _status(answered)["enter-details"] == "current"
    reason = next(a.reason for a in answered.actions if a.action == "membership")
    assert 'the customer said "about two months ago" (turn 7)' in reason


def test_a_fact_that_leaves_the_decision_open_does_not_complete_the_deciding_step(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    ranked = _ranked(articles, ("returns-stain-damage", 3.9))
    call = _call(*RETURN_CALL, "oh, maybe eight months ago", segment="bronze")  # bronze: receipt or box decides
    guidance = _guide(policies, call, ranked)
    assert [d.decision for d in guidance.decisions if d.action == "return_item"] == ["ask"]
    assert _status(guidance)["membership"] == "current"


def test_a_fact_volunteered_before_the_agent_asks_does_not_complete_the_deciding_step(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    early = (STAIN + " I bought it two months ago", *RETURN_CALL[1:5])
    guidance = _guide(policies, _call(*early), _ranked(articles, ("returns-stain-damage", 3.9)))
    assert _status(guidance)["membership"] == "current"


def test_a_later_turn_far_from_everything_raises_no_need_on_an_off_topic_call(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    pizza = "hi can i get a large pepperoni and some garlic knots for delivery"
    start = _guide(policies, _call(pizza), _ranked(articles, ("faq-shirts", 2.4)), gap=True, relevance=0.3)
    assert start.course is None and start.unanswered
    call = _call(pizza, "I think you have the wrong number, this is customer service for a clothing store.",
                 "oh my god, sorry. wrong number. my bad")
    fresh = Reading(tuple(_ranked(articles, ("change-phone", 2.6))), 0.63, gap=False, relevance=0.35)
    later = _guide(policies, call, _ranked(articles, ("change-phone", 2.6)), start.state, fresh=fresh)
    assert later.course is None and later.unanswered and not _steps(later)


def test_after_a_switch_only_the_steps_both_procedures_begin_with_count_earlier_work(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    turns = ["i forgot my password", "I can help. Your full name?", "harriet lowe",
             "Security question: what's your first pet's name?", "biscuit",
             "Your new password is Maple-4471."]
    start = _guide(policies, _call(*turns), _ranked(articles, ("recover-password", 4.2)))
    assert _status(start)["enter-details"] == "done"
    new = "great thanks. the cardigan i ordered is way more orange than the picture, can i return it?"
    call = _call(*turns, new)
    fresh = Reading(tuple(_ranked(articles, ("returns-wrong-color", 4.6), ("recover-password", 2.0))), 0.93)
    later = _guide(policies, call, _ranked(articles, ("returns-wrong-color", 4.0), ("recover-password", 3.9)),
                   start.state, fresh=fresh)
    assert later.course is not None and later.course.article.id == "returns-wrong-color"
    status = _status(later)
    assert status["pull-up-account"] == "done"  # the account was pulled up once for the call
    assert status["validate-purchase"] == "current" and status["enter-details"] == "todo"  # not the password's


def test_what_the_agent_asks_under_another_step_s_name_completes_the_current_step(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call("i forgot my password and can't log in", "I can help. Your full name or account ID?", "ryo tanaka",
                 "Thanks Ryo. What's your username?", "rtanaka2")  # a purchase's username: here, the details
    guidance = _guide(policies, call, _ranked(articles, ("recover-password", 4.2)))
    status = _status(guidance)
    assert status["enter-details"] == "done" and status["make-password"] == "current"


def test_asking_for_a_fact_the_policies_decide_on_is_not_another_step_s_work(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call("I need more time to pay my subscription", "Sure. Your full name?", "beth ramirez",
                 "Thanks. What's the order ID?", "BR-55019", "And your membership level?", "silver",
                 "When was the payment due?", "uh, like a week ago")
    guidance = _guide(policies, call, _ranked(articles, ("subscription-extension", 4.2)), )
    assert [str(d.decision) for d in guidance.decisions if d.action == "extend_subscription"] == ["denied"]
    status = _status(guidance)
    assert status["membership"] == "done" and status["update-account"] != "done"  # set aside, not done


def test_the_reply_to_the_step_before_does_not_complete_the_deciding_step(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call("so I returned a jacket and I'm still getting billed for it?", "Let me check. Your name?",
                 "Derek Olsen", "Thanks. Username, email and order ID?", "dolsen1, derek@example.com, DO-11209",
                 "How long ago did you return it?", "dropped it off on Monday so 4 days", segment="silver")
    guidance = _guide(policies, call, _ranked(articles, ("billing-after-return", 4.0)))
    status = _status(guidance)
    assert status["record-reason"] == "done" and status["membership"] == "current"


def test_facts_the_procedure_reads_are_listed_before_the_others_heard(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call("my parcel arrived this morning and the box was crushed, the lamp inside is broken",
                 "Sorry! When did you buy the lamp?", "about four months ago")
    guidance = _guide(policies, call, _ranked(articles, ("returns-stain-damage", 3.9)))
    assert [f.name for f in guidance.facts] == ["purchase_age_days", "order_shipped"]


def test_thanks_that_nothing_answers_do_not_drop_the_procedure(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    start = _guide(policies, _call(STAIN), _ranked(articles, ("returns-stain-damage", 3.9)))
    call = _call(STAIN, "Your refund is in progress; I've flagged it for my manager.", "ok. thank you, appreciate it")
    vague = Reading(tuple(_ranked(articles, ("refund-status", 2.0))), 0.13, gap=True)
    later = _guide(policies, call, _ranked(articles, ("refund-status", 2.0)), start.state, gap=True, fresh=vague)
    assert later.course == start.course


def test_a_need_best_answered_by_what_customer_service_does_not_handle_is_off_topic(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    call = _call("hi, are you hiring at the distribution center this winter?")
    ranked = _ranked(articles, ("outside-customer-service", 3.6), ("faq-timing", 3.1))
    guidance = _guide(policies, call, ranked)
    assert guidance.course is None and guidance.unanswered and not guidance.decisions and not _steps(guidance)


def test_a_turn_about_what_we_do_not_handle_ends_the_procedure_but_pushback_does_not(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    turns = [STAIN, "Sorry! Your full name or account ID?", "dana whitfield", "Thanks. Anything else I can do?"]
    start = _guide(policies, _call(*turns), _ranked(articles, ("returns-stain-damage", 3.9)))
    jobs = "yes actually, is your warehouse hiring for the holidays?"
    fresh = Reading(tuple(_ranked(articles, ("outside-customer-service", 3.8), ("faq-timing", 2.2))), 0.9)
    later = _guide(policies, _call(*turns, jobs), _ranked(articles, ("returns-stain-damage", 3.5)), start.state,
                   fresh=fresh)
    assert later.course is None and later.unanswered
    pushback = "i want to talk to somebody else then"
    vague = Reading(tuple(_ranked(articles, ("returns-stain-damage", 2.4))), 0.1, gap=True)
    kept = _guide(policies, _call(*turns, pushback), _ranked(articles, ("returns-stain-damage", 2.5)), start.state,
                  gap=True, fresh=vague)
    assert kept.course == start.course  # under way: a turn nothing answers does not end it


def test_before_any_step_is_done_the_customer_s_fuller_words_choose_the_procedure_again(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    first = "yeah hi, I've got a question about an order I placed last week"
    start = _guide(policies, _call(first), _ranked(articles, ("order-add-item", 4.1), ("shipping-status", 3.6)))
    assert start.course is not None and start.course.article.id == "order-add-item"
    said = "I got an email this morning saying my order has been delayed, is it still coming by friday?"
    call = _call(first, "Sure, what's the question?", said)
    later = _guide(policies, call, _ranked(articles, ("shipping-status", 3.9), ("order-add-item", 3.0)), start.state)
    assert later.course is not None and later.course.article.id == "shipping-status" and later.course.since_turn == 2
    worked = _call(first, "Sure. Can I have your full name or account ID?", said)  # under way: held
    held = _guide(policies, worked, _ranked(articles, ("shipping-status", 3.9), ("order-add-item", 3.0)), start.state)
    assert held.course is not None and held.course.article.id == "order-add-item"


def _next_turn(policies: PolicySet, articles: dict[str, Article], said: str,
               fresh: Reading) -> tuple[Guidance, Guidance]:
    """A stain return under way (the account asked for and given, the agent's statement after it), then the
    customer's next words ranked on their own as `fresh`: the guidance before and after them."""
    turns = [STAIN, "Sorry! Your full name or account ID?", "dana whitfield", "Thanks, I've checked the order."]
    start = _guide(policies, _call(*turns), _ranked(articles, ("returns-stain-damage", 3.9)))
    after = _guide(policies, _call(*turns, said), _ranked(articles, ("returns-stain-damage", 3.5)), start.state,
                   fresh=fresh)
    return start, after


def test_a_turn_that_says_it_turns_to_another_matter_leaves_for_what_we_do_not_handle_when_it_leads_the_rest(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    weak = Reading(tuple(_ranked(articles, ("outside-customer-service", 2.9), ("faq-timing", 2.4))), 0.4)
    random = "great. hey, totally random, but do you know a good pizza place?"
    _, moved = _next_turn(policies, articles, random, weak)
    assert moved.course is None and moved.off_topic
    start, kept = _next_turn(policies, articles, "great. do you know a good pizza place near downtown?", weak)
    assert kept.course == start.course
    # ... but not when it barely leads an answer of ours: that is the need raised
    close = Reading(tuple(_ranked(articles, ("outside-customer-service", 2.9), ("billing-after-return", 2.7))), 0.7)
    _, raised = _next_turn(policies, articles, "great. before that: where is the refund for my skirt?", close)
    assert raised.course is not None and raised.course.article.id == "billing-after-return" and not raised.off_topic


def test_a_procedure_under_way_gives_way_only_to_words_surely_answered_unless_they_say_they_turn_elsewhere(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    unsure = Reading(tuple(_ranked(articles, ("order-add-item", 3.8), ("faq-timing", 2.2))), 0.65)
    start, kept = _next_turn(policies, articles, "bummer. I'm a silver member, if that helps at all?", unsure)
    assert kept.course == start.course
    said = "ok. by the way, I forgot to add socks to my order, can you add them?"
    _, moved = _next_turn(policies, articles, said, unsure)
    assert moved.course is not None and moved.course.article.id == "order-add-item"


ELECTRICITY = "yeah hi, I want to dispute my bill, my electricity bill, it doubled since last month"
DOUBLED = "yeah hi, I want to dispute my bill, it doubled since last month and nobody's even been home"
SENT_AWAY = "I'm sorry, this is AcmeBrands, the clothing store. I think you're after your energy provider."


def test_a_need_the_agent_says_is_not_ours_is_off_topic_from_then_on(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    dispute = _ranked(articles, ("subscription-dispute-bill", 3.8), ("subscription-pay-bill", 3.2))
    start = _guide(policies, _call(DOUBLED, segment="gold"), dispute)
    assert start.course is not None and start.decisions  # the words alone sound like ours
    asked = _call(DOUBLED, SENT_AWAY, "oh for god's sake. do you have their number by any chance?", segment="gold")
    unsure = Reading(tuple(_ranked(articles, ("change-phone", 2.5))), 0.3, gap=True)
    away = _guide(policies, asked, dispute, start.state, fresh=unsure, redirect=1)
    assert away.course is None and away.off_topic and not away.decisions and not _steps(away)
    assert away.state.redirected == 1
    bye = _call(*[t.text for t in asked.transcript], "I'm afraid I don't, it should be on the bill.", "right. bye",
                segment="gold")
    later = _guide(policies, bye, dispute, away.state)  # the agent's later words say nothing of it: still off topic
    assert later.course is None and later.off_topic and not later.decisions


def test_a_need_raised_after_the_agent_sent_the_caller_elsewhere_is_followed_from_its_own_turn(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    first = "hi, do you know if Nordstrom is doing their half-yearly sale this month?"
    start = _guide(policies, _call(first), _ranked(articles, ("faq-timing", 3.3), ("price-drop-yesterday", 2.4)))
    promo = "ok, so I have a promo code from your email and at checkout it says invalid"
    call = _call(first, "I'm sorry, I can't speak to other stores' sales. Can I help with anything on our side?", promo)
    turn = need_to_rank(start.state, call.transcript, redirect=1)  # a reply, but the need is stated afresh
    assert turn is not None and turn.text == promo
    fresh = Reading(tuple(_ranked(articles, ("promo-code-invalid", 3.8), ("faq-timing", 3.0))), 0.94)
    later = _guide(policies, call, _ranked(articles, ("promo-code-invalid", 3.8)), start.state, fresh=fresh,
                   redirect=1)
    assert later.course is not None and later.course.article.id == "promo-code-invalid"
    assert later.course.since_turn == 2 and not later.off_topic


def test_after_being_sent_elsewhere_only_a_turn_to_another_matter_or_an_answer_to_an_invite_raises_a_need(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    first = "hi, my credit card got declined at the grocery store this morning, can you tell me why?"
    start = _guide(policies, _call(first), _ranked(articles, ("site-card-declined", 3.6)))
    declined = Reading(tuple(_ranked(articles, ("site-card-declined", 3.3), ("payment-methods", 2.6))), 0.62)
    away = "I'm sorry, we're a clothing retailer, so we can't see your card account."
    call = _call(first, away, "ok, i'll call the number on the back of the card then")
    stays = _guide(policies, call, _ranked(articles, ("site-card-declined", 3.6)), start.state, fresh=declined,
                   redirect=1)
    assert stays.course is None and stays.off_topic  # about the card we cannot see, however it ranks
    invited = _call(first, away + " Is there something with an order I can help with?",
                    "oh, yes: your checkout keeps saying my card is invalid")
    raised = _guide(policies, invited, _ranked(articles, ("site-card-declined", 3.6)), start.state, fresh=declined,
                    redirect=1)
    assert raised.course is not None and raised.course.article.id == "site-card-declined" and not raised.off_topic


def test_a_need_stated_in_words_that_place_it_with_another_business_is_off_topic_however_it_ranks(
    policies: PolicySet, articles: dict[str, Article]
) -> None:
    dispute = _ranked(articles, ("subscription-dispute-bill", 3.8), ("subscription-pay-bill", 3.2))
    placed = _guide(policies, _call(ELECTRICITY, segment="gold"), dispute)
    assert placed.course is None and placed.off_topic and not placed.decisions and not _steps(placed)
    ours = _guide(policies, _call("I want to dispute my bill, the premium subscription doubled", segment="gold"),
                  dispute)
    assert ours.course is not None and not ours.off_topic
