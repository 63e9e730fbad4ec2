"""Where the call stands in a procedure: which steps the agent has completed, and the evidence for each.

Completion is declared by editors (`done_when` of a step in vocabulary.yaml), never guessed: a fact the
desktop sends, or an agent turn matching a cue pattern that no negation ("I can't pull up your account
yet") or `unless` pattern in the same sentence cancels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assist.call import Call
from assist.policy.cues import CueClock, negated, quote, sentence_span
from assist.policy.vocabulary import Completion, Vocabulary


@dataclass(frozen=True)
class Evidence:
    """What completed a step: the agent's mark on the desk, an agent turn (1-based, quoted) or a fact the
    desktop sent."""

    turn: int | None = None
    quote: str = ""
    fact: str | None = None
    marked: bool = False

    def describe(self) -> str:
        """The evidence as the agent reads it in the step's reason."""
        if self.marked:
            return "done: you marked it done"
        if self.fact is not None:
            return f"done: {self.fact.replace('_', ' ')} is known"
        return f'done: the agent said "{self.quote}" (turn {self.turn})'


Progress = dict[str, Evidence]
# Agents hedge at more length than customers: "I haven't been able to check your membership yet".
NEGATION_WINDOW = 6


def call_progress(call: Call, steps: Iterable[str], vocabulary: Vocabulary, clock: CueClock) -> Progress:
    """The steps among `steps` that the call has completed, each with its first evidence (the agent's mark on
    the desk first)."""
    done: Progress = {}
    for step in dict.fromkeys(steps):
        completion = vocabulary.completions.get(step)
        if step in call.marked:
            done[step] = Evidence(marked=True)
        elif completion is not None:
            evidence = _by_fact(call, completion) or _by_turn(call, completion, vocabulary.step_negations, clock)
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
