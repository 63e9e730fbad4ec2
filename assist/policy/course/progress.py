"""Where the call stands in a procedure: which steps the agent has completed, and the evidence for each.

Completion is declared by editors (`done_when` of a step in vocabulary.yaml), never guessed: a fact the
desktop sends, or an agent turn matching a cue pattern that no negation ("I can't pull up your account
yet") or `unless` pattern in the same sentence cancels. The step where a policy is decided (its denial's
`after_step`) is also done once the call tells a fact the policy reads ("I bought it eight months ago").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assist.call import Call
from assist.policy.cues import CueClock, asks, negated, quote, sentence_span
from assist.policy.vocabulary import Completion, Vocabulary


@dataclass(frozen=True)
class Evidence:
    """What completed a step: the agent's mark on the desk, a turn (1-based, quoted; the agent's unless
    `speaker` says otherwise) or a fact the desktop sent."""

    turn: int | None = None
    quote: str = ""
    fact: str | None = None
    marked: bool = False
    speaker: str = "agent"

    def describe(self) -> str:
        """The evidence as the agent reads it in the step's reason."""
        if self.marked:
            return "done: you marked it done"
        if self.fact is not None:
            return f"done: {self.fact.replace('_', ' ')} is known"
        return f'done: the {self.speaker} said "{self.quote}" (turn {self.turn})'


Progress = dict[str, Evidence]
# Agents hedge at more length than customers: "I haven't been able to check your membership yet".
NEGATION_WINDOW = 6
# An agent turn answers the customer when it asks nothing, neither announces what comes nor only sympathises
# ("Let me look that up", "Oh no, I'm so sorry to hear that! Let's get this sorted"), and says at least this
# many words.
ANSWER_WORDS = 6
_ANNOUNCES = re.compile(r"\b(?:let me|let'?s|i'?ll|i will|i'?m going to|one (?:moment|sec)|just a (?:moment|sec)"
                        r"|hold on|give me a|(?:glad|happy) to help|sorry to hear|i'?m (?:so |very )?sorry)\b",
                        re.IGNORECASE)


def call_progress(call: Call, steps: Iterable[str], vocabulary: Vocabulary, clock: CueClock) -> Progress:
    """The steps among `steps` that the call has completed, each with its first evidence (the agent's mark on
    the desk first)."""
    done: Progress = {}
    for step in dict.fromkeys(steps):
        completion = vocabulary.completions.get(step)
        if step in call.marked:
            done[step] = Evidence(marked=True)
        elif completion is not None:
            evidence = _by_fact(call, completion) or _by_turn(call, completion, vocabulary.step_negations, clock) \
                or _by_answer(call, completion)
            if evidence is not None:
                done[step] = evidence
    return done


def _by_fact(call: Call, completion: Completion) -> Evidence | None:
    fact = next((name for name in completion.facts if call.facts.get(name) is not None), None)
    return Evidence(fact=fact) if fact is not None else None


def _by_turn(call: Call, completion: Completion, negations: tuple[str, ...], clock: CueClock) -> Evidence | None:
    """The first agent turn where a cue of the step stands unnegated and unvetoed."""
    for number, turn in enumerate(call.transcript, start=1):
        if turn.speaker != "agent":
            continue
        text = turn.text[: clock.max_chars]
        for pattern in completion.cues:
            for match in clock.finditer(pattern, text):
                start, end = match.span()
                if negated(text[:start], negations, NEGATION_WINDOW):
                    continue
                head, tail = sentence_span(text, start, end)
                timeouts = clock.timeouts
                vetoed = any(clock.search(veto, text[head:tail]) for veto in completion.unless)
                if not vetoed and clock.timeouts == timeouts:
                    return Evidence(turn=number, quote=quote(text, start, end))
    return None


def _by_answer(call: Call, completion: Completion) -> Evidence | None:
    """The first agent turn after the customer has spoken that answers them (see ANSWER_WORDS), for a step
    that an answer completes."""
    if not completion.answers:
        return None
    spoken = False
    for number, turn in enumerate(call.transcript, start=1):
        if turn.speaker == "customer":
            spoken = spoken or bool(turn.text.strip())
            continue
        text = turn.text.strip()
        if spoken and len(text.split()) >= ANSWER_WORDS and not asks(text) and not _ANNOUNCES.search(text):
            return Evidence(turn=number, quote=quote(text, 0, len(text)))
    return None


def decided(progress: Progress, steps: Sequence[str], deciding: Mapping[str, tuple[str, ...]],
            told: Mapping[str, Evidence], vocabulary: Vocabulary) -> Progress:
    """`progress` with each deciding step of the procedure `steps` (`deciding`: the step -> the facts that
    settled its decision) done once such a fact was told (`told`: fact name -> where) after the step before it
    was done, and not in the reply to that step ("How long ago did you return it?" is the reason recorded, not the
    membership checked): the agent asked, the customer answered, the decision is made. A fact that completes an
    earlier step ("it hasn't shipped" completes the shipping status) does not also answer the deciding step after
    it."""
    done = dict(progress)
    for index, step in enumerate(steps):
        before = done.get(steps[index - 1]) if index > 0 else Evidence(turn=0)
        if step in done or step not in deciding or before is None:
            continue
        earlier = {fact for s in steps[:index] if (c := vocabulary.completions.get(s)) for fact in c.facts}
        since = before.turn or 0
        evidence = next((told[fact] for fact in deciding[step]
                         if fact in told and fact not in earlier and (told[fact].turn or 0) > since + 1), None)
        if evidence is not None:
            done[step] = evidence
    return done


def reported(progress: Progress, steps: Sequence[str], told: Mapping[str, Evidence],
             vocabulary: Vocabulary) -> Progress:
    """`progress` with each step of `steps` that a fact completes (its `done_when.facts`) done once the agent
    reported that fact from our systems ("I can see it hasn't shipped yet": the shipping status is checked)."""
    done = dict(progress)
    for step in steps:
        completion = vocabulary.completions.get(step)
        if step in done or completion is None:
            continue
        evidence = next((told[fact] for fact in completion.facts
                         if fact in told and told[fact].turn is not None and told[fact].speaker == "agent"), None)
        if evidence is not None:
            done[step] = evidence
    return done


def since_switch(progress: Progress, since_turn: int, carried: frozenset[str] | None) -> Progress:
    """The progress a procedure the call switched to at `since_turn` (an index into the transcript) counts:
    evidence from turns before it only for the `carried` steps (None: all of it)."""
    if carried is None:
        return progress
    return {step: evidence for step, evidence in progress.items()
            if step in carried or evidence.turn is None or evidence.turn > since_turn}


def borrowed(progress: Progress, steps: Sequence[str], foreign: Progress) -> Progress:
    """`progress` with the procedure's current step done by work the agent did under another step's name
    (`foreign`: steps outside the procedure that the agent asks for; "What's your username?" in a password reset
    is its "enter the details" step): each such turn, in turn order, completes the first step of `steps` not
    yet done, when it comes after the last one done."""
    done = dict(progress)
    for evidence in sorted((e for e in foreign.values() if e.turn is not None), key=lambda e: e.turn or 0):
        current = next((step for step in steps if step not in done), None)
        if current is None:
            break
        last = max((done[step].turn or 0 for step in steps if step in done), default=0)
        if (evidence.turn or 0) > last:
            done[current] = evidence
    return done
