"""Moments the transcript reveals — life events and failed promises — found by editor-written cue patterns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from assist.call import Turn
from assist.policy.cues import CueClock, Pattern, negated, quote, sentence_span

MomentKind = Literal["life-event", "failed-promise"]
KINDS: tuple[str, ...] = get_args(MomentKind)


@dataclass(frozen=True)
class Moment:
    """A kind of moment (a move, a late parcel …): cues that reveal it, `unless` patterns that veto a cue."""

    id: str
    kind: str
    label: str
    cues: tuple[Pattern, ...]
    unless: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class MomentBook:
    """All moments of a knowledge base, and the words that negate a cue ("we have not moved")."""

    moments: tuple[Moment, ...] = ()
    negations: tuple[str, ...] = ()

    def names(self) -> frozenset[str]:
        """Moment ids and kinds, the names a policy's `applies_to.moments` may use."""
        return frozenset({m.id for m in self.moments} | {m.kind for m in self.moments} | set(KINDS))


@dataclass(frozen=True)
class Sighting:
    """A moment found in the transcript: which turn (1-based) and the words that revealed it."""

    moment: Moment
    turn: int
    quote: str


def find_moments(transcript: Sequence[Turn], book: MomentBook, clock: CueClock) -> list[Sighting]:
    """The first sighting of each moment in what the customer said, in transcript order.

    Words already claimed by an earlier moment of the file do not reveal a second one ("still hasn't arrived").
    Cues read at most `clock.max_chars` of each turn, and stop when the clock's budget is spent.
    """
    sightings: list[Sighting] = []
    for number, turn in enumerate(transcript, start=1):
        if turn.speaker != "customer":
            continue
        text = turn.text[: clock.max_chars]
        claimed: list[tuple[int, int]] = []
        for moment in book.moments:
            if any(s.moment.id == moment.id for s in sightings):
                continue
            span = _cue(text, moment, book.negations, claimed, clock)
            if span is not None:
                claimed.append(span)
                sightings.append(Sighting(moment, number, quote(text, *span)))
    return sightings


def _cue(
    text: str, moment: Moment, negations: tuple[str, ...], claimed: list[tuple[int, int]], clock: CueClock
) -> tuple[int, int] | None:
    """Where the first live cue of `moment` is in `text`: not negated, not vetoed, not already claimed."""
    for pattern in moment.cues:
        for match in clock.finditer(pattern, text):
            start, end = match.span()
            if any(start < e and s < end for s, e in claimed) or negated(text[:start], negations):
                continue
            head, tail = sentence_span(text, start, end)
            timeouts = clock.timeouts
            vetoed = any(clock.search(veto, text[head:tail]) for veto in moment.unless)
            if not vetoed and clock.timeouts == timeouts:  # a veto that ran out of time cannot clear the cue
                return start, end
    return None
