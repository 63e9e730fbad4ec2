"""Where the procedure a call follows stands: its steps' progress once the facts told, the decisions made and the
work the agent did under other steps' names are counted."""

from __future__ import annotations

from collections.abc import Sequence

from assist.call import Call
from assist.knowledge.articles import Article
from assist.policy.conditions import all_tests
from assist.policy.course.procedure import Course
from assist.policy.course.progress import Evidence, Progress, borrowed, call_progress, decided, reported, since_switch
from assist.policy.cues import CueClock, asks
from assist.policy.engine import Decision
from assist.policy.hearing.facts import in_answer
from assist.policy.hearing.speech import SpokenFact
from assist.policy.policyset import PolicySet
from assist.policy.rules import Outcome


def standing(policies: PolicySet, call: Call, progress: Progress, course: Course | None,
             spoken: dict[str, SpokenFact], decisions: Sequence[Decision], clock: CueClock) -> Progress:
    """`progress` with the followed procedure's steps done by facts told (the agent's report of our systems, or the
    customer's answer that settles a decision), counted since the need was raised, and by work the agent did under
    another step's name."""
    if course is None:
        return progress
    told = {**{n: Evidence(f.turn + 1, f.quote, speaker=call.transcript[f.turn].speaker)
               for n, f in spoken.items() if in_answer(call.transcript, f.turn)},
            **{n: Evidence(fact=n) for n in call.facts}}
    procedure = course.article
    progress = reported(progress, procedure.steps, told, policies.vocabulary)
    progress = since_switch(progress, course.since_turn, course.carried)
    progress = borrowed(progress, procedure.steps, _asked_elsewhere(policies, call, course, clock))
    settled = _settled(policies, procedure, decisions)
    return decided(progress, procedure.steps, settled, told, policies.vocabulary)


def _asked_elsewhere(policies: PolicySet, call: Call, course: Course, clock: CueClock) -> Progress:
    """What the agent asked for under the name of a step outside the procedure (since the need was raised, for a
    procedure switched to): the first asking turn of each such step. A step that a fact the procedure's policies
    decide on completes is no other work: asking it ("When was the payment due?") is the deciding step's."""
    vocabulary = policies.vocabulary
    deciding = {f for facts in policies.deciding_facts.get(course.article.id, {}).values() for f in facts}
    others = [s for s, c in vocabulary.completions.items()
              if c.cues and s not in course.article.steps and not deciding.intersection(c.facts)]
    found = call_progress(call, others, vocabulary, clock)
    asking = {s: e for s, e in found.items() if e.turn is not None and asks(call.transcript[e.turn - 1].text)}
    return since_switch(asking, course.since_turn, None if course.carried is None else frozenset())


def _settled(policies: PolicySet, procedure: Article, decisions: Sequence[Decision]) -> dict[str, tuple[str, ...]]:
    """The procedure's deciding steps whose decision is settled, each with the facts that settled it: those the
    allowing rule reads, or for a denial every fact the step's rules read (the denial follows from them all)."""
    deciding = policies.deciding_facts.get(procedure.id, {})
    settled: dict[str, tuple[str, ...]] = {}
    for decision in decisions:
        rule = policies.rule(decision.rule)
        if decision.source_article != procedure.id or decision.decision == Outcome.ASK or rule is None:
            continue
        step = rule.denial.after_step
        if step is None or step not in deciding:
            continue
        read = deciding[step] if decision.decision == Outcome.DENIED else \
            tuple(t.subject for t in all_tests(rule.when))
        settled[step] = tuple(dict.fromkeys([*settled.get(step, ()), *read]))
    return settled
