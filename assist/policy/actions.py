"""Next-best actions: facts to ask for, moments to acknowledge, then the procedure the decisions shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from assist.knowledge.articles import Article
from assist.policy.course.progress import Progress
from assist.policy.engine import Decision
from assist.policy.explanations import format_amount
from assist.policy.moments import Sighting
from assist.policy.policyset import PolicySet
from assist.policy.rules import Denial, Outcome

ASK_FOR_FACT = "ask-for-fact"
ACKNOWLEDGE = "acknowledge-life-event"
APOLOGIZE = "apologize"
EXPLAIN = "explain-decision"
OFFER_GOODWILL = "offer-goodwill"
CLARIFY = "clarify-need"


class StepStatus(StrEnum):
    """Where a procedure step stands: done (with evidence), the current one (the first not done), or to do."""

    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


@dataclass(frozen=True)
class NextAction:
    """One thing the agent should do next, and where that advice comes from; procedure steps have a status. A
    step `set_aside` stays listed where the procedure has it (numbers do not shift) but is not needed: a
    denial stopped the procedure before it."""

    action: str
    label: str
    reason: str
    source: str
    status: StepStatus | None = None
    set_aside: bool = False


def next_best_actions(
    procedure: Article | None, decisions: Sequence[Decision], policies: PolicySet, sightings: Sequence[Sighting],
    progress: Progress | None = None, alternative: Article | None = None,
) -> list[NextAction]:
    """Ordered advice: missing facts first, then what the customer revealed, then the procedure's steps.

    `sightings` are the moments found in the call; `progress` the steps already done, which the procedure's steps
    show as done, the first other as current; `alternative` another procedure that fits the call as well, which a
    clarifying question tells apart.
    """
    clarify = [_clarify(procedure, alternative)] if procedure and alternative else []
    return [
        *_asks(decisions, policies),
        *_moments(sightings, decisions, policies),
        *clarify,
        *_statuses(_procedure(procedure, decisions, policies), progress or {}),
    ]


def _clarify(procedure: Article, alternative: Article) -> NextAction:
    """A question that tells two equally likely procedures apart, by what each article is about."""
    label = f'Ask: is it about "{procedure.title}", or "{alternative.title}"?'
    reason = f"{procedure.id} and {alternative.id} fit the call about as well, and their procedures differ"
    return NextAction(CLARIFY, label, reason, f"article:{alternative.id}")


def _statuses(actions: list[NextAction], progress: Progress) -> list[NextAction]:
    """Mark steps in order: each step up to the last one with evidence is done (its reason gains the evidence,
    or says the agent went past it), the first step after it is current, the rest to do (a step set aside is
    done only on its own evidence; the first one that is not is current: where the procedure stopped)."""
    steps = [i for i, a in enumerate(actions) if a.status is not None and not a.set_aside]
    evidenced = [i for i in steps if actions[i].action in progress]
    last_done = evidenced[-1] if evidenced else -1
    marked: list[NextAction] = []
    current_seen = False
    for index, action in enumerate(actions):
        if action.status is None:
            marked.append(action)
        elif action.set_aside:  # done only if the agent did it all the same; the first other is where it stopped
            evidence = progress.get(action.action)
            if evidence:
                marked.append(replace(action, status=StepStatus.DONE, reason=f"{action.reason}; {evidence.describe()}"))
            else:
                marked.append(replace(action, status=StepStatus.TODO if current_seen else StepStatus.CURRENT))
                current_seen = True
        elif index <= last_done:
            evidence = progress.get(action.action)
            detail = evidence.describe() if evidence else "done: the agent has gone on to a later step"
            marked.append(replace(action, status=StepStatus.DONE, reason=f"{action.reason}; {detail}"))
        else:
            marked.append(replace(action, status=StepStatus.TODO if current_seen else StepStatus.CURRENT))
            current_seen = True
    return marked


def _asks(decisions: Sequence[Decision], policies: PolicySet) -> list[NextAction]:
    """One ask-for-fact per missing fact, in the order the decisions need them."""
    asked: dict[str, NextAction] = {}
    for decision in decisions:
        if decision.decision != Outcome.ASK:
            continue
        for need in decision.needs:
            if need not in asked:
                reason = f"'{decision.label}' depends on {need} (rule {decision.rule})"
                label = f"Ask: {policies.vocabulary.question(need)}"
                asked[need] = NextAction(ASK_FOR_FACT, label, reason, f"rule:{decision.rule}")
    return list(asked.values())


def _moments(
    sightings: Sequence[Sighting], decisions: Sequence[Decision], policies: PolicySet
) -> list[NextAction]:
    """Acknowledge life events; apologise for failed promises and offer the goodwill the segment allows."""
    actions: list[NextAction] = []
    promises = [s for s in sightings if s.moment.kind == "failed-promise"]
    for sighting in sightings:
        action = ACKNOWLEDGE if sighting.moment.kind == "life-event" else APOLOGIZE
        reason = f'the customer said "{sighting.quote}" (turn {sighting.turn})'
        actions.append(NextAction(action, sighting.moment.label, reason, f"transcript:turn-{sighting.turn}"))
    if promises:
        actions += _goodwill(promises[0], decisions, policies)
    return actions


def _goodwill(promise: Sighting, decisions: Sequence[Decision], policies: PolicySet) -> list[NextAction]:
    """The allowed decisions a failed promise brought in (those whose rule applies to that moment)."""
    offers: list[NextAction] = []
    names = {promise.moment.id, promise.moment.kind}
    for decision in decisions:
        rule = policies.rule(decision.rule)
        if decision.decision != Outcome.ALLOWED or rule is None or not names & set(rule.scope.moments):
            continue
        label = decision.label
        if decision.limit:
            label += f" of up to {format_amount(decision.limit.amount, decision.limit.currency)}"
        reason = f'rule {decision.rule} after "{promise.quote}" (turn {promise.turn}): {decision.explanation}'
        offers.append(NextAction(OFFER_GOODWILL, label, reason, f"rule:{decision.rule}"))
    return offers


def _procedure(
    procedure: Article | None, decisions: Sequence[Decision], policies: PolicySet
) -> list[NextAction]:
    """The article's steps in order; a denial adds an explanation after its step, and a stopping denial what
    follows it, setting aside the steps after it (still listed, so that the numbers hold)."""
    if procedure is None:
        return []
    denied = next((d for d in decisions if d.decision == Outcome.DENIED and d.source_article == procedure.id), None)
    rule = policies.rule(denied.rule) if denied else None
    denial = rule.denial if rule else None
    source = f"article:{procedure.id}"
    actions: list[NextAction] = []
    stopped = False
    for number, step in enumerate(procedure.steps, start=1):
        label = policies.vocabulary.step_label(step)
        reason = f"step {number} of {procedure.id}"
        if stopped and denied and denial:
            if step in denial.then:
                continue  # listed already, as what follows the denial
            reason += f"; not needed: '{denied.label}' is denied by rule {denied.rule}"
        actions.append(NextAction(step, label, reason, source, StepStatus.TODO, set_aside=stopped))
        if denied and denial and step == denial.after_step:
            actions += _after_denial(denied, denial, policies)
            stopped = denial.stop
    if denied and denial and denial.after_step not in procedure.steps:
        actions += _after_denial(denied, denial, policies)
    return actions


def _after_denial(decision: Decision, denial: Denial, policies: PolicySet) -> list[NextAction]:
    source = f"rule:{decision.rule}"
    reason = f"'{decision.label}' is denied by rule {decision.rule}"
    explain = NextAction(EXPLAIN, f"Explain: {decision.explanation}", reason, source)
    if not denial.stop:
        return [explain]
    label = decision.label[:1].lower() + decision.label[1:]
    actions = [NextAction(APOLOGIZE, f"Apologise that we cannot {label}", reason, source), explain]
    for step in denial.then:
        then_reason = f"what follows a denial under rule {decision.rule}"
        actions.append(NextAction(step, policies.vocabulary.step_label(step), then_reason, source, StepStatus.TODO))
    return actions
