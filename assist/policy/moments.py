"""Moments the transcript reveals — life events and failed promises — found by editor-written cue patterns."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assist.call import Turn
from assist.errors import Problem
from assist.knowledge.yamlfile import LinedList, LinedMap, read_yaml, string_list, unknown_keys
from assist.policy.cues import CueClock, Pattern, compile_cue

KINDS = ("life-event", "failed-promise")
_FILE_KEYS = frozenset({"negations", "moments"})
_MOMENT_KEYS = frozenset({"id", "kind", "label", "cues", "unless"})
_CLAUSE_END = re.compile(r"[.;:!?,]|\bbut\b|\band\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")
_WORD = re.compile(r"[\w']+")
_NEGATION_WINDOW = 3
_QUOTE_LIMIT = 120


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


def load_moments(path: Path) -> tuple[MomentBook, list[Problem]]:
    """Read moments.yaml; a bad pattern or key is a problem on its line."""
    data, problems = read_yaml(path)
    if data is None:
        return MomentBook(), problems
    if not isinstance(data, LinedMap):
        return MomentBook(), [*problems, Problem(path, 1, "moments.yaml must be a mapping with 'moments'")]
    problems += unknown_keys(data, _FILE_KEYS, path, "moments.yaml")
    negations = string_list(data.get("negations", []))
    if negations is None:
        problems.append(Problem(path, data.line_of("negations"), "'negations' must be a list of words"))
    items = data.get("moments")
    if not isinstance(items, LinedList):
        return MomentBook(), [*problems, Problem(path, data.line_of("moments"), "'moments' must be a list")]
    moments: list[Moment] = []
    for index, item in enumerate(items):
        moment = _moment(item, items.line_of(index), path, problems)
        if moment is not None and moment.id in {m.id for m in moments}:
            problems.append(Problem(path, items.line_of(index), f"duplicate moment id {moment.id!r}"))
        elif moment is not None:
            moments.append(moment)
    return MomentBook(tuple(moments), tuple(n.lower() for n in negations or ())), problems


def _moment(item: object, line: int, path: Path, problems: list[Problem]) -> Moment | None:
    if not isinstance(item, LinedMap):
        problems.append(Problem(path, line, "a moment must be a mapping (id, kind, label, cues)"))
        return None
    before = len(problems)
    problems += unknown_keys(item, _MOMENT_KEYS, path, "a moment")
    moment_id, kind, label = item.get("id"), item.get("kind"), item.get("label")
    if not isinstance(moment_id, str) or not moment_id:
        problems.append(Problem(path, line, "a moment needs an 'id'"))
    if kind not in KINDS:
        message = f"kind must be one of {', '.join(KINDS)}, not {kind!r}"
        problems.append(Problem(path, item.line_of("kind"), message))
    if not isinstance(label, str) or not label.strip():
        problems.append(Problem(path, line, "a moment needs a 'label' (what the agent does)"))
    cues = _patterns(item, "cues", path, problems)
    unless = _patterns(item, "unless", path, problems) if "unless" in item else ()
    if len(problems) > before:
        return None
    return Moment(str(moment_id), str(kind), str(label).strip(), cues, unless)


def _patterns(item: LinedMap, key: str, path: Path, problems: list[Problem]) -> tuple[Pattern, ...]:
    texts = item.get(key)
    if not isinstance(texts, LinedList) or not texts or not all(isinstance(t, str) for t in texts):
        problems.append(Problem(path, item.line_of(key), f"'{key}' must be a non-empty list of patterns"))
        return ()
    patterns: list[Pattern] = []
    for index, text in enumerate(texts):
        try:
            patterns.append(compile_cue(text))
        except ValueError as exc:
            problems.append(Problem(path, texts.line_of(index), f"bad pattern {text!r} in '{key}': {exc}"))
    return tuple(patterns)


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
                sightings.append(Sighting(moment, number, _quote(text, *span)))
    return sightings


def _cue(
    text: str, moment: Moment, negations: tuple[str, ...], claimed: list[tuple[int, int]], clock: CueClock
) -> tuple[int, int] | None:
    """Where the first live cue of `moment` is in `text`: not negated, not vetoed, not already claimed."""
    for pattern in moment.cues:
        for match in clock.finditer(pattern, text):
            start, end = match.span()
            if any(start < e and s < end for s, e in claimed) or _negated(text[:start], negations):
                continue
            head, tail = _sentence(text, start, end)
            timeouts = clock.timeouts
            vetoed = any(clock.search(veto, text[head:tail]) for veto in moment.unless)
            if not vetoed and clock.timeouts == timeouts:  # a veto that ran out of time cannot clear the cue
                return start, end
    return None


def _negated(before: str, negations: tuple[str, ...]) -> bool:
    """A negation among the last few words of the same clause ("we haven't moved", "not charged twice")."""
    clause = _CLAUSE_END.split(before)[-1].replace("\u2019", "'").lower()
    words = _WORD.findall(clause)[-_NEGATION_WINDOW:]
    return any(fnmatch.fnmatchcase(word, negation) for word in words for negation in negations)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end offsets of the sentence holding text[start:end]."""
    head = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    tail_match = _SENTENCE_END.search(text, end)
    return head, tail_match.start() if tail_match else len(text)


def _quote(text: str, start: int, end: int) -> str:
    """The sentence holding the cue, shortened around it when long."""
    head, tail = _sentence(text, start, end)
    sentence = text[head:tail].strip()
    if len(sentence) <= _QUOTE_LIMIT:
        return sentence
    margin = (_QUOTE_LIMIT - (end - start)) // 2
    left, right = max(head, start - margin), min(tail, end + margin)
    return ("…" if left > head else "") + text[left:right].strip() + ("…" if right < tail else "")
