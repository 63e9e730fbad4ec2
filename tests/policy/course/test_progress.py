"""Step progress: which procedure steps a call has completed, and on what evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.call import Call, Turn
from assist.policy.course.progress import Evidence, call_progress, reported
from assist.policy.cues import CueClock, compile_cue
from assist.policy.files.vocabulary import load_vocabulary
from assist.policy.vocabulary import Completion, Vocabulary

FUTURE = compile_cue(r"\b(i|we)('ll| will| am going to)\b")
VOCABULARY = Vocabulary(
    steps={"pull-up-account": "Pull up the account", "shipping-status": "Check shipping",
           "update-order": "Update the order"},
    completions={
        "pull-up-account": Completion(cues=(compile_cue(r"\baccount (id|number)\b"),
                                            compile_cue(r"\bpulled up (your|the) account\b"))),
        "shipping-status": Completion(facts=("order_shipped",), cues=(compile_cue(r"\btracking\b"),)),
        "update-order": Completion(cues=(compile_cue(r"\bupdated (the|your) order\b"),), unless=(FUTURE,)),
    },
    step_negations=("not", "*n't", "cannot", "before", "until"),
)
STEPS = ("pull-up-account", "shipping-status", "update-order")


def _call(*turns: tuple[str, str], facts: dict[str, object] | None = None) -> Call:
    return Call(transcript=tuple(Turn(s, t) for s, t in turns), facts=facts or {})  # type: ignore[arg-type]


def test_an_agent_turn_matching_a_cue_completes_the_step_with_the_turn_as_evidence() -> None:
    call = _call(("customer", "my parcel is late"), ("agent", "Sure. What's your account ID?"))
    done = call_progress(call, STEPS, VOCABULARY, CueClock())
    assert list(done) == ["pull-up-account"]
    assert done["pull-up-account"].turn == 2
    assert done["pull-up-account"].describe() == 'done: the agent said "What\'s your account ID" (turn 2)'


def test_the_customer_saying_it_completes_nothing() -> None:
    call = _call(("customer", "my account ID is 88123 and the tracking says delivered"))
    assert call_progress(call, STEPS, VOCABULARY, CueClock()) == {}


@pytest.mark.parametrize("said", [
    "I can't see the tracking yet.",
    "I have not pulled up your account so far.",
    "Before I look at the tracking, one thing.",
])
def test_a_negated_cue_does_not_complete_the_step(said: str) -> None:
    assert call_progress(_call(("agent", said)), STEPS, VOCABULARY, CueClock()) == {}


def test_an_unless_pattern_in_the_same_sentence_vetoes_the_cue() -> None:
    promised = _call(("agent", "Once we're done I will have updated your order."))
    assert "update-order" not in call_progress(promised, STEPS, VOCABULARY, CueClock())
    done = _call(("agent", "I will check. Right, I've updated your order."))
    assert "update-order" in call_progress(done, STEPS, VOCABULARY, CueClock())


def test_a_fact_the_desktop_sends_completes_its_step() -> None:
    done = call_progress(_call(("customer", "where is it?"), facts={"order_shipped": True}), STEPS, VOCABULARY,
                         CueClock())
    assert done["shipping-status"].fact == "order_shipped"
    assert done["shipping-status"].describe() == "done: order shipped is known"


def test_a_step_without_completion_rules_is_never_done() -> None:
    call = _call(("agent", "What's your account ID?"))
    assert call_progress(call, ("verify-identity",), VOCABULARY, CueClock()) == {}


def test_done_when_naming_an_undeclared_fact_is_an_error_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.yaml"
    path.write_text("facts:\n  amount: {type: number}\nsteps:\n  refund:\n    label: Refund\n"
                    "    done_when:\n      facts: [amount, ammount]\n")
    _, problems = load_vocabulary(path)
    assert [str(p) for p in problems] == [
        f"{path}:7: steps.refund.done_when.facts[1]: unknown fact 'ammount' (declare it first)"]


def test_done_when_needs_facts_or_cues_and_valid_patterns(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.yaml"
    path.write_text("steps:\n  a:\n    label: A\n    done_when: {}\n  b:\n    label: B\n"
                    "    done_when: {agent_says: ['(x+)+y']}\n")
    vocabulary, problems = load_vocabulary(path)
    assert vocabulary is None
    assert len(problems) == 2 and "done_when needs facts, agent_says or agent_answers" in str(problems[0])


@pytest.mark.parametrize(("said", "step"), [
    ("And it's still showing order received on your end?", "shipping-status"),
    ("Can you also give me the order ID associated with the subscription?", "verify-identity"),
    ("I checked the code: it ran out after the usual 7-day window.", "ask-the-oracle"),
    ("I've checked with our system and an evening slot is available.", "ask-the-oracle"),
    ("As a gold member the fee is waived. I'm upgrading it now so it arrives tomorrow.", "update-order"),
    ("I've escalated it, so the team will look into it.", "notify-team"),
    ("Done, it's ordered and will ship free of charge.", "make-purchase"),
    ("What's the new address?", "update-account"),
    ("I can't see your old password but I can make you a new one. Your PIN?", "make-password"),
    ("What does the status say on the order page?", "shipping-status"),
    ("How many days ago did you return them?", "record-reason"),
    ("Validated. How many days past the expected date is it now?", "record-reason"),
    ("And what amount should the refund be?", "offer-refund"),
    ("Thanks Owen. And the order ID on the charge?", "verify-identity"),
    ("Thanks Leo. Which jacket exactly?", "record-reason"),
    ("Thank you. What's the new street address?", "update-account"),
])
def test_bundled_cues_hear_the_agent_asking_for_a_step(said: str, step: str) -> None:
    vocabulary, problems = load_vocabulary(Path("knowledge/policies/vocabulary.yaml"))
    assert vocabulary is not None and problems == []
    assert step in call_progress(_call(("agent", said)), [step], vocabulary, CueClock())


def test_a_step_an_answer_completes_is_done_by_the_agent_s_first_answer_not_a_question_or_an_announcement() -> None:
    vocabulary = Vocabulary(steps={"select-faq": "Answer from the FAQ"},
                            completions={"select-faq": Completion(answers=True)})
    opening = (("customer", "do your bootcut jeans run small?"),)
    asked = _call(*opening, ("agent", "Which size did you order, and how do they fit?"))
    announced = _call(*opening, ("agent", "Let me look up the size guide for the bootcut jeans."))
    answered = _call(*opening, ("agent", "Let me see."), ("customer", "ok"),
                     ("agent", "They run about half a size small; most customers size up."))
    assert call_progress(asked, ["select-faq"], vocabulary, CueClock()) == {}
    assert call_progress(announced, ["select-faq"], vocabulary, CueClock()) == {}
    assert call_progress(answered, ["select-faq"], vocabulary, CueClock())["select-faq"].turn == 4


def test_a_fact_the_agent_reports_from_our_systems_completes_its_step_one_the_customer_volunteers_does_not() -> None:
    agent = Evidence(turn=6, quote="it hasn't shipped yet", speaker="agent")
    customer = Evidence(turn=1, quote="it hasn't even shipped", speaker="customer")
    assert reported({}, STEPS, {"order_shipped": agent}, VOCABULARY) == {"shipping-status": agent}
    assert reported({}, STEPS, {"order_shipped": customer}, VOCABULARY) == {}


def test_sympathy_or_an_offer_to_help_is_no_answer() -> None:
    vocabulary = Vocabulary(steps={"select-faq": "Answer from the FAQ"},
                            completions={"select-faq": Completion(answers=True)})
    for said in ("Oh no, I'm so sorry to hear that! Let's get this sorted out for you.",
                 "Hi! I'd be glad to help with that, happy to help."):
        call = _call(("customer", "my sweater came with a grease stain"), ("agent", said))
        assert call_progress(call, ["select-faq"], vocabulary, CueClock()) == {}
