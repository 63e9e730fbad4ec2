"""Which answer the agent sees first, and what of it is read out: the procedure's article leads while the call
follows it, at the passage that says most of what the decisions say once the customer has told the deciding fact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assist.call import Call
from assist.knowledge.articles import Article
from assist.knowledge.words import terms
from assist.policy.actions import NextAction, StepStatus
from assist.policy.course.guidance import Guidance
from assist.policy.course.procedure import Course
from assist.policy.course.reading import Reading
from assist.policy.course.turns import last_customer_turn
from assist.policy.engine import Decision
from assist.policy.rules import Outcome


@dataclass(frozen=True)
class Order:
    """The answers as shown: indices into the ranking's, first shown first; `shown`, the index of the first
    answer's `more` passage to show in its place; what its reading out stresses (`about`: the terms of what the
    decisions say) and the procedure's step the agent is on (`step`, from 1), when the first is the procedure's."""

    indices: tuple[int, ...]
    shown: int | None = None
    about: frozenset[str] = frozenset()
    step: int | None = None


def answer_order(reading: Reading, guidance: Guidance, call: Call) -> Order:
    """The order of the ranking's answers for this moment of the call."""
    ranked = reading.ranked
    # what customer service does not handle is an answer only on a call off topic, and there the first one
    indices = [i for i, r in enumerate(ranked) if guidance.unanswered or not r.article.outside]
    if guidance.off_topic:
        indices.sort(key=lambda i: not ranked[i].article.outside)
    course = guidance.course
    # once the customer has told the fact that decides, the agent tells them what the decision says
    said = _decided(guidance.decisions, course) if _just_told(guidance, call) else frozenset()
    own = [i for i in indices if course is not None and ranked[i].article.id == course.article.id]
    if course is None or not own:
        return Order(tuple(indices))
    first, shown = own[0], None
    if said:
        def overlap(text: str) -> int:
            return len(said & set(terms(text)))
        first = max(own, key=lambda i: overlap(ranked[i].text))
        best = max(range(len(ranked[first].more)), key=lambda m: overlap(ranked[first].more[m]), default=None)
        if best is not None and overlap(ranked[first].more[best]) > overlap(ranked[first].text):
            shown = best
    indices.remove(first)
    return Order((first, *indices), shown, said, _current_step(guidance.actions, course.article))


def _current_step(actions: Sequence[NextAction], procedure: Article) -> int | None:
    """The number (from 1) of the procedure's step the agent is on, as its article lists it; None when none is
    (or only a step a denial set aside)."""
    return next((procedure.steps.index(a.action) + 1 for a in actions
                 if a.status == StepStatus.CURRENT and not a.set_aside and a.action in procedure.steps), None)


def _just_told(guidance: Guidance, call: Call) -> bool:
    """Whether the customer's last turn told a fact (the answer to the agent's question that decides)."""
    last = last_customer_turn(call.transcript)
    return any(f.source == "speech" and f.turn == last for f in guidance.facts)


def _decided(decisions: Sequence[Decision], course: Course | None) -> frozenset[str]:
    """The terms of what the decisions of the followed procedure say (none while they ask)."""
    if course is None:
        return frozenset()
    return frozenset(t for d in decisions if d.decision != Outcome.ASK and d.source_article == course.article.id
                     for t in terms(d.explanation))
