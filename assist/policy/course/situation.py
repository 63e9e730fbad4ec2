"""The call's situation at one moment, before a procedure is chosen: the procedures that may apply, the work done,
and what the customer's words say of their need — not yet said, off topic, a gap, too vague, or a new one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from assist.call import Call, Turn
from assist.policy.course.elsewhere import placed_elsewhere
from assist.policy.course.needs import fact_fit, named_needs, states_need
from assist.policy.course.procedure import SWITCH_PHRASE_TERMS, Course
from assist.policy.course.progress import Progress, call_progress
from assist.policy.course.reading import SURE, Candidate, Reading, procedures
from assist.policy.course.turns import (
    answers_agent,
    asks_about,
    invites,
    last_customer_turn,
    moves_on,
    need_turn,
    requests,
)
from assist.policy.cues import CueClock
from assist.policy.policyset import PolicySet

# A customer turn raises a new need only when, on its own, it is answered at least this surely (calibrated
# confidence): real new needs ("can I return those instead?") score 0.9 and more, thanks and goodbyes 0.4 and
# less (measured on the dev calls, tests/data/calls_outside.jsonl).
NEW_NEED_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Situation:
    """Where the call is, before a procedure is chosen (`turn`: the customer's new words that may raise a need,
    `said`: the call with only those words)."""

    candidates: list[Candidate]
    pool: list[Candidate]  # the procedures the new words rank on their own
    progress: Progress
    fit: dict[str, float]
    named: bool  # the call names a need the policies know
    gap: bool  # the need is a gap or off topic
    placed: bool  # the customer's words place the need with another business
    sent_away: bool  # the agent said the matter is not ours
    answering: bool  # the customer's last turn only answers the agent
    turn: Turn | None
    said: Call | None
    naming: bool  # the new words name a need the policies know
    raised: frozenset[str]  # the articles the new words ask for by a need phrase
    vague: bool  # the new words say too little on their own to raise a need
    waiting: bool  # the customer has not said what they need


def read_situation(policies: PolicySet, call: Call, reading: Reading, clock: CueClock, held: Course | None,
                   fresh: Reading | None, turn: Turn | None, sent_away: bool) -> Situation:
    """The call's situation: `held` the procedure its last moment followed, `fresh` the ranking of its new words
    (`turn`) on their own, `sent_away` whether the agent sent the caller elsewhere."""
    candidates = procedures(reading.ranked)
    pool = procedures(fresh.ranked) if fresh is not None else []
    steps = [s for c in [*candidates, *pool] for s in c.article.steps] + list(policies.denial_steps)
    if held is not None:
        steps += held.article.steps
    progress = call_progress(call, steps, policies.vocabulary, clock)
    fit = fact_fit(policies, call, candidates)  # what the desktop sent and the need named
    # a turn that names a need the policies know ("can I return them?") is not off topic, however it ranks
    needs = [articles for _, articles in named_needs(policies, call)]
    named = any(c.article.id in articles for c in candidates for articles in needs)
    # a need stated in words that place it with another business, with nothing followed since, is not ours either
    placed = held is None and \
        placed_elsewhere(call.transcript[need_turn(call.transcript)].text, policies.vocabulary, clock) \
        if call.transcript else False
    gap = reading.outside or (reading.gap and not named) or sent_away or placed  # "dispute my electricity bill"
    if named and reading.gap and not gap:  # only the need it names lifts a call nothing else answers
        candidates = [c for c in candidates if any(c.article.id in articles for articles in needs)]
    answering, waiting = answers_agent(call.transcript), held is None and not states_need(policies, call)
    situation = Situation(candidates, pool, progress, fit, named, gap, placed, sent_away, answering,
                          None, None, False, frozenset(), False, waiting)
    return _new_words(policies, call, situation, held, fresh, turn)


def _new_words(policies: PolicySet, call: Call, situation: Situation, held: Course | None, fresh: Reading | None,
               turn: Turn | None) -> Situation:
    """The situation with what the customer's new words say: the needs they name or ask for, and whether they say
    too little on their own to raise one."""
    said = replace(call, transcript=(turn,)) if turn is not None else None
    # words that name a need the policies know ("cancel the order") are a need, however surely they rank
    phrases = named_needs(policies, said) if said is not None else []
    naming = any(c.article.id in articles for c in situation.pool for _, articles in phrases)
    asking = turn is not None and requests(turn.text)
    wondering = turn is not None and asks_about(turn.text) and not asking
    raised = frozenset(a for phrase, articles in phrases if asking or (len(phrase) >= SWITCH_PHRASE_TERMS
                                                                       and not wondering) for a in articles)
    vague = fresh is not None and fresh.confidence < NEW_NEED_CONFIDENCE and not naming
    if held is not None and fresh is not None and not naming and not situation.sent_away and \
            any(s in situation.progress for s in held.article.steps) and \
            not moves_on(call.transcript[last_customer_turn(call.transcript)].text):
        # a procedure under way gives way to words that neither name a need nor say they turn to another matter
        # only when those words on their own are surely answered ("I'm a silver member, if that helps" is not)
        vague = vague or fresh.confidence < SURE
    if situation.sent_away and fresh is not None and not naming and not _turns_again(call.transcript):
        vague = vague or fresh.confidence < SURE  # "ok, I'll call the number on the back of the card then"
    return replace(situation, turn=turn, said=said, naming=naming, raised=raised, vague=vague)


def _turns_again(transcript: Sequence[Turn]) -> bool:
    """Whether the customer's last turn turns to another matter ("well actually, since I have you…") or answers
    the agent asking what else they need: after being sent elsewhere, only such words raise a need at
    NEW_NEED_CONFIDENCE; others must be answered SURE-ly ("ok, I'll call the number on the back of the card")."""
    turn = last_customer_turn(transcript)
    if turn < 0:
        return False
    before = transcript[turn - 1] if turn > 0 else None
    return moves_on(transcript[turn].text) or (before is not None and before.speaker == "agent" and
                                               invites(before.text))
