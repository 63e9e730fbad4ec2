"""The order of the answers: what we do not handle only on a call off topic (and there first), the procedure's
article first while the call follows it, at the passage that says most of what the decisions say once the
customer has told the deciding fact."""

from __future__ import annotations

from assist.call import Call, Turn
from assist.knowledge.articles import Article
from assist.policy.actions import NextAction, StepStatus
from assist.policy.course.answers import answer_order
from assist.policy.course.guidance import CallState, Guidance
from assist.policy.course.procedure import Course
from assist.policy.course.reading import Ranked, Reading
from assist.policy.engine import Decision
from assist.policy.hearing.facts import KnownFact
from assist.policy.rules import Outcome

CALL = Call(transcript=(Turn("customer", "my jacket has a stain, I bought it two weeks ago"),))


def _guidance(course: Course | None = None, unanswered: bool = False, off_topic: bool = False,
              decisions: tuple[Decision, ...] = (), facts: tuple[KnownFact, ...] = (),
              actions: tuple[NextAction, ...] = ()) -> Guidance:
    return Guidance(course, facts, decisions, actions, CallState(1, "", course), unanswered, off_topic)


def _reading(*ranked: Ranked) -> Reading:
    return Reading(ranked, 0.7)


def test_what_we_do_not_handle_is_left_out_of_a_call_that_is_not_off_topic(articles: dict[str, Article]) -> None:
    reading = _reading(Ranked(articles["outside-customer-service"], 3.0), Ranked(articles["faq-jackets"], 2.0))
    assert answer_order(reading, _guidance(), CALL).indices == (1,)
    assert answer_order(reading, _guidance(unanswered=True), CALL).indices == (0, 1)


def test_on_a_call_off_topic_what_we_do_not_handle_comes_first(articles: dict[str, Article]) -> None:
    reading = _reading(Ranked(articles["faq-jackets"], 3.0), Ranked(articles["outside-customer-service"], 2.0))
    assert answer_order(reading, _guidance(unanswered=True, off_topic=True), CALL).indices == (1, 0)


def test_the_procedure_s_article_comes_first_with_the_step_the_agent_is_on(articles: dict[str, Article]) -> None:
    procedure = articles["returns-stain-damage"]
    reading = _reading(Ranked(articles["faq-jackets"], 3.0), Ranked(procedure, 2.5))
    step = NextAction(procedure.steps[1], "", "", "", StepStatus.CURRENT)
    order = answer_order(reading, _guidance(Course(procedure, 0, ""), actions=(step,)), CALL)
    assert order.indices == (1, 0) and order.step == 2 and order.shown is None and not order.about


def test_once_the_deciding_fact_is_told_the_passage_saying_the_decision_is_shown(
    articles: dict[str, Article]
) -> None:
    procedure = articles["returns-stain-damage"]
    said = Decision("return_item", "Accept the return", Outcome.ALLOWED, None, (), "r", "Refunds go to the card",
                    procedure.id)
    told = KnownFact("purchase_age_days", "Purchase age", 14, "speech", turn=0)
    ranked = Ranked(procedure, 2.5, "Pull up the account.", ("Ship the label.", "Refunds go back to the card."))
    guidance = _guidance(Course(procedure, 0, ""), decisions=(said,), facts=(told,))
    order = answer_order(_reading(ranked), guidance, CALL)
    assert order.indices == (0,) and order.shown == 1 and {"refund", "card"} <= order.about
