"""Procedure choice: the procedure under way goes on through short answers; otherwise the facts the desktop
sent pick among procedures that score about equally, and never one far down the ranking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assist.call import Call, Turn
from assist.knowledge.articles import Article
from assist.policy import conditions
from assist.policy.course.needs import NAMED_MARGIN, fact_fit
from assist.policy.course.procedure import (
    FACT_MARGIN,
    NEW_MATTER_MARGIN,
    SWITCH_MARGIN,
    Course,
    choose_procedure,
    follow,
)
from assist.policy.course.progress import call_progress
from assist.policy.course.reading import Candidate
from assist.policy.cues import CueClock, compile_cue
from assist.policy.policyset import PolicySet
from assist.policy.rules import Outcome, Rule, RuleFile
from assist.policy.scope import Scope
from assist.policy.vocabulary import Completion, Vocabulary

VOCABULARY = Vocabulary(
    steps={"pull-up-account": "Pull up the account", "shipping-status": "Check shipping",
           "update-order": "Update the order", "search-faq": "Open the FAQ"},
    completions={"pull-up-account": Completion(cues=(compile_cue(r"\baccount (id|number)\b"),)),
                 "shipping-status": Completion(facts=("order_shipped",))},
)
STEPS = ("pull-up-account", "shipping-status", "update-order")
FAQ = Article(id="faq-jeans", title="Jeans", body="", path=Path("faq-jeans.md"), body_line=1, content_hash="x",
              steps=("search-faq",))
RETURNS = Article(id="returns-size", title="Returns", body="", path=Path("returns-size.md"), body_line=1,
                  content_hash="x", steps=("pull-up-account", "update-order"))
DELIVERY = Article(id="late-delivery", title="Late", body="", path=Path("late-delivery.md"), body_line=1,
                   content_hash="x", steps=("pull-up-account", "shipping-status"), tags=("shipping",))


def _rule(rule_id: str, fact: str, articles: tuple[str, ...] = (), tags: tuple[str, ...] = ()) -> Rule:
    return Rule(id=rule_id, action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                scope=Scope(articles=articles, tags=tags), when=conditions.Test(fact, "at_most", 30))


def _policies(*rules: Rule) -> PolicySet:
    tags = {a.id: a.tags for a in (FAQ, RETURNS, DELIVERY)}
    return PolicySet(VOCABULARY, (RuleFile(Path("p.yaml"), "test", rules),), article_tags=tags)


def _call(*turns: tuple[str, str], facts: dict[str, object] | None = None) -> Call:
    return Call(transcript=tuple(Turn(s, t) for s, t in turns), facts=facts or {})  # type: ignore[arg-type]


def test_fact_readers_are_the_articles_a_rule_applies_to_by_id_or_tag() -> None:
    policies = _policies(_rule("r1", "purchase_age_days", articles=("returns-size",)),
                         _rule("r2", "days_late", tags=("shipping",)))
    assert policies.fact_readers == {"purchase_age_days": ("returns-size",), "days_late": ("late-delivery",)}


def test_a_fact_read_by_fewer_articles_points_more_plainly() -> None:
    policies = _policies(_rule("r1", "purchase_age_days", articles=("returns-size",)),
                         _rule("r2", "amount", articles=("returns-size", "late-delivery")))
    fit = fact_fit(policies, _call(facts={"purchase_age_days": 40, "amount": 9.99, "unread": 1, "days_late": None}))
    assert fit == {"returns-size": 1.5, "late-delivery": 0.5}


def test_the_facts_sent_pick_the_procedure_among_those_scoring_about_equally() -> None:
    candidates = [Candidate(FAQ, 3.4), Candidate(RETURNS, 3.4 - FACT_MARGIN + 0.1)]
    assert choose_procedure(candidates, {}, answering=False, fit={"returns-size": 1.0}) is RETURNS
    assert choose_procedure(candidates, {}, answering=False, fit={}) is FAQ


def test_facts_never_pick_a_procedure_far_down_the_ranking() -> None:
    candidates = [Candidate(FAQ, 3.4), Candidate(RETURNS, 3.4 - FACT_MARGIN - 0.1)]
    assert choose_procedure(candidates, {}, answering=False, fit={"returns-size": 1.0}) is FAQ


def test_an_answer_keeps_the_procedure_the_agent_is_working_through() -> None:
    progress = call_progress(_call(("agent", "What's your account ID?")), STEPS, VOCABULARY, CueClock())
    candidates = [Candidate(FAQ, 3.0), Candidate(RETURNS, 1.0)]
    assert choose_procedure(candidates, progress, answering=True, fit={}) is RETURNS
    assert choose_procedure(candidates, progress, answering=False, fit={}) is FAQ
    assert choose_procedure(candidates, {}, answering=True, fit={}) is FAQ
    assert choose_procedure([], progress, answering=True, fit={}) is None


def test_an_answer_between_procedures_equally_under_way_goes_to_the_one_the_facts_fit() -> None:
    progress = call_progress(_call(("agent", "What's your account ID?")), STEPS, VOCABULARY, CueClock())
    candidates = [Candidate(DELIVERY, 3.0), Candidate(RETURNS, 2.8)]
    assert choose_procedure(candidates, progress, answering=True, fit={"returns-size": 1.0}) is RETURNS
    assert choose_procedure(candidates, progress, answering=True, fit={}) is DELIVERY


def test_a_fact_alone_does_not_make_a_procedure_under_way() -> None:
    progress = call_progress(_call(("customer", "yes"), facts={"order_shipped": True}), STEPS, VOCABULARY,
                             CueClock())
    candidates = [Candidate(RETURNS, 3.0), Candidate(DELIVERY, 1.0)]
    assert choose_procedure(candidates, progress, answering=True, fit={}) is RETURNS


def test_a_need_phrase_a_rival_title_also_holds_names_a_shared_topic_not_a_procedure() -> None:
    rule = Rule(id="refund", action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                scope=Scope(articles=("returns-size",), issues=("refund",)))
    policies = _policies(rule)
    call = _call(("customer", "what's the status of my refund?"))
    status = Article(id="refund-status", title="Checking the status of a refund", body="", path=Path("s.md"),
                     body_line=1, content_hash="x", steps=("pull-up-account",))
    assert fact_fit(policies, call, [Candidate(FAQ, 3.5), Candidate(RETURNS, 3.0)]) == {"returns-size": 1.0}
    assert fact_fit(policies, call, [Candidate(status, 3.5), Candidate(RETURNS, 3.0)]) == {}


def test_a_rival_ranked_below_the_phrase_s_article_does_not_take_the_phrase() -> None:
    rule = Rule(id="cancel", action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                scope=Scope(articles=("returns-size",), issues=("cancel",)))
    store = Article(id="faq-store", title="Cancelling a premium plan", body="", path=Path("f.md"),
                    body_line=1, content_hash="x", steps=("search-faq",))
    call = _call(("customer", "i ordered a dress twice, please cancel one"))
    assert fact_fit(_policies(rule), call, [Candidate(RETURNS, 3.5), Candidate(store, 3.4)]) == {"returns-size": 1.0}
    assert fact_fit(_policies(rule), call, [Candidate(store, 3.5), Candidate(RETURNS, 3.4)]) == {}
    examples = replace(store, title="Store policy questions (cancelling premium, refunds)")  # subject, not examples
    assert fact_fit(_policies(rule), call, [Candidate(examples, 3.5), Candidate(RETURNS, 3.4)]) == {"returns-size": 1.0}


def test_a_need_phrase_lifts_its_procedure_over_another_with_policies_only_when_they_score_about_equally() -> None:
    phrase = Rule(id="cancel", action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                  scope=Scope(articles=("returns-size",), issues=("cancel",)))
    policies = _policies(phrase, _rule("late", "days_late", articles=("late-delivery",)))
    call = _call(("customer", "it won't get here in time so i need to cancel it"))
    near = [Candidate(DELIVERY, 3.3), Candidate(RETURNS, 3.3 - NAMED_MARGIN + 0.1)]
    far = [Candidate(DELIVERY, 3.3), Candidate(RETURNS, 3.3 - NAMED_MARGIN - 0.1)]
    assert fact_fit(policies, call, near) == {"returns-size": 1.0}
    assert fact_fit(policies, call, far) == {}


def test_a_need_phrase_holds_with_a_word_or_two_between_its_terms() -> None:
    rule = Rule(id="return", action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                scope=Scope(articles=("returns-size",), issues=("send back",)))
    assert fact_fit(_policies(rule), _call(("customer", "can i send them back?"))) == {"returns-size": 1.0}
    assert fact_fit(_policies(rule), _call(("customer", "send the parcel to my mum, she's back"))) == {}


def test_a_need_phrase_the_customer_declines_names_no_need() -> None:
    rule = Rule(id="return", action="grant", decision=Outcome.ALLOWED, explanation="", path=Path("p.yaml"), line=1,
                scope=Scope(articles=("returns-size",), issues=("return",)))
    declined = "I don't want to return it or anything, I love it, I just want to get the stain out"
    assert fact_fit(_policies(rule), _call(("customer", declined))) == {}
    meant = "it's not going to fit in time so I want to return it"
    assert fact_fit(_policies(rule), _call(("customer", meant))) == {"returns-size": 1.0}


def test_a_need_phrase_in_a_new_turn_switches_to_its_procedure_when_it_ranks_near_the_turn_s_best_other() -> None:
    call = _call(("customer", "do these jeans shrink?"), ("agent", "A little, in the first hot wash."),
                 ("customer", "then I'd rather send them back and get a smaller size"))
    held = Course(FAQ, 0, "the customer asked")
    near = [Candidate(FAQ, 3.4), Candidate(DELIVERY, 2.9), Candidate(RETURNS, 2.9 - NAMED_MARGIN + 0.1)]
    far = [Candidate(FAQ, 3.4), Candidate(DELIVERY, 2.9), Candidate(RETURNS, 2.9 - NAMED_MARGIN - 0.1)]
    named = frozenset({"returns-size"})
    switched = follow(held, near, {}, call, {}, near, {}, named)
    assert switched is not None and switched.article is RETURNS and switched.since_turn == 2
    assert follow(held, near, {}, call, {}, near, {}) is held  # no phrase: SWITCH_MARGIN holds it
    assert follow(held, far, {}, call, {}, far, {}, named) is held


def test_a_turn_that_says_it_turns_to_another_matter_switches_on_a_smaller_lead() -> None:
    lead = (NEW_MATTER_MARGIN + SWITCH_MARGIN) / 2
    fresh = [Candidate(DELIVERY, 3.0 + lead), Candidate(FAQ, 3.0)]
    held = Course(FAQ, 0, "the customer asked")
    opening = (("customer", "do these jeans shrink?"), ("agent", "Only a little."))
    said = _call(*opening, ("customer", "ok. while I've got you, my parcel is three days late"))
    plain = _call(*opening, ("customer", "ok. my parcel is three days late, where is it"))
    switched = follow(held, fresh, {}, said, {}, fresh, {})
    assert switched is not None and switched.article is DELIVERY
    assert follow(held, fresh, {}, plain, {}, fresh, {}) is held
