"""The policy front door: for one moment of a call, the procedure it follows, the facts known, the decisions
and the next-best actions — carried over from the call's previous moment so that they hold steady.

The service ranks; this decides. A call's `CallState` is what one moment leaves the next: the procedure
committed to (switching only when the customer raises a new need) and how much of the transcript was read, so
that a transcript that does not extend it starts the call afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from assist.call import Call, FactValue, Turn
from assist.digest import sha256
from assist.knowledge.articles import Article
from assist.policy.actions import CLARIFY, NextAction, next_best_actions
from assist.policy.conditions import all_tests
from assist.policy.cues import CueClock, asks
from assist.policy.elsewhere import placed_elsewhere
from assist.policy.engine import Decision, decide
from assist.policy.moments import find_moments
from assist.policy.policyset import PolicySet
from assist.policy.procedure import (
    NEW_MATTER_MARGIN,
    SWITCH_MARGIN,
    SWITCH_PHRASE_TERMS,
    Candidate,
    Course,
    answers_agent,
    asks_about,
    fact_fit,
    follow,
    invites,
    last_customer_turn,
    moves_on,
    named_needs,
    need_turn,
    new_need,
    requests,
    states_need,
    turns_to_new_matter,
)
from assist.policy.progress import Evidence, Progress, borrowed, call_progress, decided, reported, since_switch
from assist.policy.rules import Outcome
from assist.policy.speech import SpokenFact, hear

# The best-ranked articles with steps that may be the procedure the call follows.
PROCEDURES = 5
# A procedure is followed only when its article answers nearly as well as the best answer (weighted features:
# a top answer scores about 3-4): a far weaker article with steps is not what the customer asked about.
PROCEDURE_REACH = 1.5
# A customer turn raises a new need only when, on its own, it is answered at least this surely (calibrated
# confidence): real new needs ("can I return those instead?") score 0.9 and more, thanks and goodbyes 0.4 and
# less (measured on the dev calls, tests/data/calls_outside.jsonl).
NEW_NEED_CONFIDENCE = 0.6
# A need stated first is off topic when nothing the knowledge base holds comes this close in meaning (the best
# cosine to any passage) and it is not answered SURE-ly: on 45 off-topic questions (tests/data/
# offtopic_questions.jsonl) and 178 first turns of real needs (the case books and tests/data/calls_outside.jsonl),
# this with the knowledge-gap gate flags 0.87 of the off-topic questions and 0.02 of the needs, where the
# knowledge-gap gate alone flags 0.62 and 0.01.
NEED_RELEVANCE = 0.44
SURE = 0.8
# Two procedures whose best answers score this close (weighted features, a top answer scores about 3-4) are
# equally likely: the agent gets a clarifying question.
CLARIFY_MARGIN = 0.3


@dataclass(frozen=True)
class KnownFact:
    """A fact the decisions may read: its value, and where it came from (the desktop, or a turn's words)."""

    name: str
    label: str
    value: FactValue
    source: Literal["desktop", "speech"]
    turn: int | None = None
    quote: str | None = None


@dataclass(frozen=True)
class CallState:
    """What one moment of a call leaves for the next: the transcript it read (length and digest) and the
    procedure followed."""

    turns: int
    digest: str
    course: Course | None
    need_confidence: float | None = None  # how surely the knowledge base answered the need when it was raised
    redirected: int | None = None  # the agent's turn that told the caller the matter is not ours (elsewhere.py)

    def continues(self, transcript: Sequence[Turn]) -> bool:
        """Whether `transcript` is the one this state read, or extends it."""
        return len(transcript) >= self.turns and _digest(transcript[: self.turns]) == self.digest


@dataclass(frozen=True)
class Guidance:
    """What policy says for one moment of a call."""

    course: Course | None
    facts: tuple[KnownFact, ...]
    decisions: tuple[Decision, ...]
    actions: tuple[NextAction, ...]
    state: CallState
    unanswered: bool = False  # no procedure, and the customer's need is a gap or off topic
    off_topic: bool = False  # unanswered, and what customer service does not handle answers it best


@dataclass(frozen=True)
class Ranked:
    """An article the ranking returned for the call, best first, with its best answer's score."""

    article: Article
    score: float


@dataclass(frozen=True)
class Reading:
    """A ranking as policy reads it: the articles of its answers (best first), how surely the first is right,
    whether that is a knowledge gap, and how close in meaning the customer's last words come to anything the
    knowledge base holds (`relevance`: the best cosine of any candidate)."""

    ranked: tuple[Ranked, ...]
    confidence: float
    gap: bool = False
    relevance: float = 1.0

    @property
    def outside(self) -> bool:
        """Whether the best answer is an article on what customer service does not handle: off topic."""
        return bool(self.ranked) and self.ranked[0].article.outside


def guide(policies: PolicySet, call: Call, reading: Reading, today: dt.date, clock: CueClock,
          previous: CallState | None = None, fresh: Reading | None = None, redirect: int | None = None) -> Guidance:
    """The call's procedure, facts, decisions and next-best actions at this moment.

    `reading`: the ranking of the call; `previous`: the state the call's last moment left (ignored unless this
    transcript extends the one it read); `fresh`: the ranking of the turn `need_to_rank` named, on its own;
    `redirect`: the agent's newest turn, when it told the caller the matter is not ours. A call whose need is a
    gap (or off topic) and that follows no procedure gets no decision and no procedure step: only the
    acknowledgement of what the customer revealed.
    """
    if previous is not None and not previous.continues(call.transcript):
        previous = None
    redirect = _redirected(previous, redirect)
    sent_away = away(previous, redirect)  # the need stated before the agent said it is not ours is off topic
    spoken = hear(call.transcript, policies.vocabulary, today, clock)
    heard = replace(call, facts={**{n: f.value for n, f in spoken.items()}, **call.facts})
    ranked = reading.ranked
    candidates = _procedures(ranked)
    pool = _procedures(fresh.ranked) if fresh is not None else []
    steps = [s for c in [*candidates, *pool] for s in c.article.steps] + list(policies.denial_steps)
    if previous is not None and previous.course is not None:
        steps += previous.course.article.steps
    progress = call_progress(call, steps, policies.vocabulary, clock)
    fit = fact_fit(policies, call, candidates)  # what the desktop sent and the need named
    # a turn that names a need the policies know ("can I return them?") is not off topic, however it ranks
    needs = [articles for _, articles in named_needs(policies, call)]
    named = any(c.article.id in articles for c in candidates for articles in needs)
    # a need stated in words that place it with another business, with nothing followed since, is not ours either
    placed = (previous is None or previous.course is None) and \
        placed_elsewhere(call.transcript[need_turn(call.transcript)].text, policies.vocabulary, clock) \
        if call.transcript else False
    gap = reading.outside or (reading.gap and not named) or sent_away or placed  # "dispute my electricity bill"
    if named and reading.gap and not gap:  # only the need it names lifts a call nothing else answers
        candidates = [c for c in candidates if any(c.article.id in articles for articles in needs)]
    answering = answers_agent(call.transcript)
    turn = new_need(previous.turns, call.transcript, previous.course is not None) if previous is not None else None
    said = replace(call, transcript=(turn,)) if turn is not None else None
    # words that name a need the policies know ("cancel the order") are a need, however surely they rank
    phrases = named_needs(policies, said) if said is not None else []
    naming = any(c.article.id in articles for c in pool for _, articles in phrases)
    asking = turn is not None and requests(turn.text)
    wondering = turn is not None and asks_about(turn.text) and not asking
    raised = frozenset(a for phrase, articles in phrases if asking or (len(phrase) >= SWITCH_PHRASE_TERMS
                                                                       and not wondering) for a in articles)
    vague = fresh is not None and fresh.confidence < NEW_NEED_CONFIDENCE and not naming
    if previous is not None and previous.course is not None and fresh is not None and not naming and not sent_away and \
            any(s in progress for s in previous.course.article.steps) and \
            not moves_on(call.transcript[last_customer_turn(call.transcript)].text):
        # a procedure under way gives way to words that neither name a need nor say they turn to another matter
        # only when those words on their own are surely answered ("I'm a silver member, if that helps" is not)
        vague = vague or fresh.confidence < SURE
    if sent_away and fresh is not None and not naming and not _turns_again(call.transcript):
        vague = vague or fresh.confidence < SURE  # "ok, I'll call the number on the back of the card then"
    waiting = (previous is None or previous.course is None) and not states_need(policies, call)
    if waiting:  # "hi, I have a question about an order": nothing to follow or decide yet
        course = None
    elif previous is None:  # the first moment seen of this call: a reply may follow a need stated before it
        stating = need_turn(call.transcript) == last_customer_turn(call.transcript)  # the need's own words
        vague = vague or (stating and _far(reading) and not named and not answering)
        course = None if (gap or vague) and not answering else follow(None, candidates, progress, call, fit)
    else:
        held = previous.course
        fresh_fit = fact_fit(policies, said, pool) if said is not None else None
        # "by the way, are you hiring?": answered on its own by what customer service does not handle (surely, or
        # at all in a turn that says it turns to another matter), and far ahead of the procedure followed
        moved_off = fresh is not None and fresh.outside and not naming and _leads(fresh, NEW_MATTER_MARGIN) and \
            (fresh.confidence >= NEW_NEED_CONFIDENCE or (turn is not None and turns_to_new_matter(turn.text))) \
            and previous.course is not None and not _within(fresh, previous.course.article, SWITCH_MARGIN)
        # a procedure not yet under way gives way to a turn nothing answers; one under way only to a turn about
        # what we do not handle ("by the way, are you hiring?"): pushback ("can I talk to someone else") is no new need
        started = held is not None and any(s in progress for s in held.article.steps)
        if held is not None and sent_away:
            held = None
        elif held is not None and (moved_off or (gap and not started and not answering)) and \
                (said is None or states_need(policies, said)):
            held = None  # the customer moved on: the procedure no longer applies
        if held is None:  # no need yet: a new turn that is a gap or far from everything raises none either
            vague = vague or (fresh is not None and not naming and (fresh.gap or fresh.outside or _far(fresh)))
            if gap and fresh is not None and not vague:  # the call so far was off topic; its new turn is not
                course = follow(None, pool, progress, call, fresh_fit or {},
                                raised_at=last_customer_turn(call.transcript))
            else:
                course = None if gap or vague else follow(None, candidates, progress, call, fit)
        else:
            # a turn that says little on its own raises no need
            new = ([] if vague else pool) if fresh is not None and turn is not None else None
            course = follow(held, candidates, progress, call, fit, new, fresh_fit, raised)
    sightings = find_moments(call.transcript, policies.moments, clock)
    unanswered = course is None and (gap or vague) and not waiting
    if unanswered or waiting:
        decisions: list[Decision] = []
        sightings = [s for s in sightings if s.moment.kind == "life-event"]
    else:
        articles = [course.article.id] if course is not None else [ranked[0].article.id] if ranked else []
        decisions = decide(policies, heard, articles, today, sightings)
    procedure = course.article if course is not None else None
    told = {**{n: Evidence(f.turn + 1, f.quote, speaker=call.transcript[f.turn].speaker)
               for n, f in spoken.items() if _in_answer(call.transcript, f.turn)},
            **{n: Evidence(fact=n) for n in call.facts}}
    if course is not None:
        progress = reported(progress, course.article.steps, told, policies.vocabulary)
        progress = since_switch(progress, course.since_turn, course.carried)
        progress = borrowed(progress, course.article.steps, _asked_elsewhere(policies, call, course, clock))
    if procedure is not None:
        settled = _settled(policies, procedure, decisions)
        progress = decided(progress, procedure.steps, settled, told, policies.vocabulary)
    rival = _rival(candidates, procedure, progress, fit)
    actions = next_best_actions(heard, procedure, decisions, policies, sightings, progress, rival)
    if waiting:
        turn_number = last_customer_turn(call.transcript) + 1
        ask = NextAction(CLARIFY, "Ask what the customer needs", "the customer has not said what they need yet",
                         f"transcript:turn-{turn_number}")
        actions = [ask, *actions]
    facts = _known(policies, call, spoken, procedure)
    carried = previous.need_confidence if previous is not None and course is not None and \
        previous.course is not None and course.since_turn == previous.course.since_turn else None
    state = CallState(len(call.transcript), _digest(call.transcript), course, carried, redirect)
    off_topic = unanswered and (reading.outside or sent_away or placed or (fresh is not None and fresh.outside))
    return Guidance(course, tuple(facts), tuple(decisions), tuple(actions), state, unanswered, off_topic)


def _within(reading: Reading, article: Article, margin: float) -> bool:
    """Whether the article ranks within `margin` of the best answer in the reading."""
    best = reading.ranked[0].score if reading.ranked else 0.0
    return any(r.article.id == article.id and r.score >= best - margin for r in reading.ranked)


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


def _leads(reading: Reading, margin: float) -> bool:
    """Whether the best answer's article scores `margin` more than any other article in the reading."""
    if not reading.ranked:
        return False
    first = reading.ranked[0]
    return all(r.score <= first.score - margin for r in reading.ranked if r.article.id != first.article.id)


def _far(reading: Reading) -> bool:
    """Whether a need ranked so is far from everything the knowledge base holds (see NEED_RELEVANCE)."""
    return reading.relevance < NEED_RELEVANCE and reading.confidence < SURE


def need_to_rank(previous: CallState | None, transcript: Sequence[Turn], redirect: int | None = None) -> Turn | None:
    """The customer's turn the service should rank on its own for `guide` (its `fresh`), or None: a new turn of
    a call already under way that may raise a new need (after the agent sent the caller elsewhere, `redirect`,
    any that says more than an answer)."""
    if previous is None or not previous.continues(transcript):
        return None
    return new_need(previous.turns, transcript, previous.course is not None and not away(previous, redirect))


def away(previous: CallState | None, redirect: int | None) -> bool:
    """Whether the call was sent elsewhere: the agent said the matter is not ours (`redirect`, this moment's, or
    else the one the call's last moment kept) and no procedure was taken up after that."""
    redirect = _redirected(previous, redirect)
    if redirect is None:
        return False
    return previous is None or previous.course is None or previous.course.since_turn <= redirect


def _redirected(previous: CallState | None, redirect: int | None) -> int | None:
    """The agent's turn that sent the caller elsewhere: this moment's, or else the one the last moment kept."""
    return redirect if redirect is not None or previous is None else previous.redirected


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


def _in_answer(transcript: Sequence[Turn], turn: int) -> bool:
    """Whether the turn at this index is the agent's, or the customer's answer to something the agent asked."""
    if transcript[turn].speaker == "agent":
        return True
    return turn > 0 and transcript[turn - 1].speaker == "agent" and asks(transcript[turn - 1].text)


def _digest(transcript: Sequence[Turn]) -> str:
    return sha256("\x1e".join(f"{t.speaker}\x1f{t.text}" for t in transcript))


def _procedures(ranked: Sequence[Ranked]) -> list[Candidate]:
    """The best-ranked articles that lay out steps to follow, each with its best answer's score, among the
    answers within PROCEDURE_REACH of the best one."""
    found: dict[str, Candidate] = {}
    for item in ranked:
        if item.article.steps and item.score >= ranked[0].score - PROCEDURE_REACH:
            found.setdefault(item.article.id, Candidate(item.article, item.score))
    return list(found.values())[:PROCEDURES]


def _rival(candidates: Sequence[Candidate], procedure: Article | None, progress: Progress,
           fit: dict[str, float]) -> Article | None:
    """Before a procedure is under way, another procedure whose best answer scores within CLARIFY_MARGIN of
    the procedure's best, and that the call's facts fit as well: the call fits both about as well, so the
    agent should ask which the customer means."""
    chosen = next((c for c in candidates if c.article is procedure), None)
    if procedure is None or chosen is None or any(s in progress for s in procedure.steps):
        return None
    return next((c.article for c in candidates if c.article.steps != procedure.steps
                 and abs(c.score - chosen.score) <= CLARIFY_MARGIN
                 and fit.get(c.article.id, 0.0) >= fit.get(procedure.id, 0.0)), None)


def _known(policies: PolicySet, call: Call, spoken: dict[str, SpokenFact],
           procedure: Article | None) -> list[KnownFact]:
    """The facts the desktop sent, then, while the call follows a procedure, those speech told (the desktop's
    value wins), those the procedure's policies read first: the agent sees each with its words and can
    correct it."""
    vocabulary = policies.vocabulary
    known = [KnownFact(name, _label(policies, name), value, "desktop") for name, value in call.facts.items()]
    readers = policies.fact_readers
    read = {name for name, articles in readers.items() if procedure is not None and procedure.id in articles}
    for name, fact in sorted(spoken.items(), key=lambda item: item[0] not in read):
        if name in call.facts or procedure is None:
            continue
        term = vocabulary.facts[name]
        known.append(KnownFact(name, term.label, fact.value, "speech", fact.turn, fact.quote))
    return known


def _label(policies: PolicySet, name: str) -> str:
    term = policies.vocabulary.facts.get(name)
    return term.label if term is not None else name.replace("_", " ").capitalize()

