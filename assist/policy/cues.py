"""Editor-written cue patterns: refused when they can backtrack without bound, matched under a time budget.

Cues are regular expressions that knowledge editors write (moments.yaml). A typo such as `(a+)+$` can take
exponential time on an unlucky turn; Python's `re` would hold the GIL meanwhile and stall every request.
So cues are compiled with the `regex` engine, which releases the GIL while matching and takes a per-call
timeout; patterns with an unbounded quantifier inside another are refused when the file is read; and the
text a cue runs over is capped.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import re._constants as sre_constants
import re._parser as sre_parser
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from assist.deadline import Deadline
from assist.knowledge.words import spoken_words
from assist.limits import CUE_CHARS, CUE_SECONDS

log = logging.getLogger(__name__)

MAX_PATTERN_CHARS = 500
_CLAUSE_END = re.compile(r"[.;:!?,]|\bbut\b|\band\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?](?!\d)|\n")  # not the point of "$4.99"
# An agent turn with a question mark, a polite request or the details it needs ("the username, the email on the
# order and the order ID") asks the customer something.
_ASKS = re.compile(r"\?|\b(?:can|could|may) (?:i|you|we)\b|\b(?:do|did|would) you\b|\bplease\b"
                   r"|\b(?:i|i'll|we|we'll) (?:will |also |just |still |first )?need\b|\bwhat(?:'s| is) your\b"
                   r"|\b(?:your|the) (?:full name|account id|order id|order number|user ?name|e-?mail)\b",
                   re.IGNORECASE)
_NEGATION_WINDOW = 3  # words before a cue that a negation may stand in: "we have not moved"
_QUOTE_LIMIT = 120  # characters of the sentence around a cue quoted back to the agent
_UNBOUNDED = sre_constants.MAXREPEAT
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)

Pattern = Any  # regex.Pattern[str]; the regex package ships no type information
Match = Any


def compile_cue(text: str) -> Pattern:
    """A case-insensitive cue pattern; ValueError says what is wrong with it."""
    if len(text) > MAX_PATTERN_CHARS:
        raise ValueError(f"pattern longer than {MAX_PATTERN_CHARS} characters")
    try:
        pattern = regex.compile(text, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise ValueError(str(exc)) from exc
    if _nested_repeat(text):
        raise ValueError("an unbounded repeat (+, *, {n,}) inside another unbounded repeat can take exponential "
                         "time on text that almost matches; remove the inner or the outer repeat")
    return pattern


def _nested_repeat(text: str) -> bool:
    """True when an unbounded repeat holds another unbounded repeat (star height above one)."""
    try:
        tree = sre_parser.parse(text, sre_constants.SRE_FLAG_IGNORECASE)
    except (sre_constants.error, RecursionError, OverflowError):
        return False  # syntax only `regex` knows; the match timeout still bounds it
    return _repeats(tree, inside=False)


def _repeats(items: Any, inside: bool) -> bool:
    """Whether `items` holds an unbounded repeat nested in another (`inside`: already under one)."""
    for op, av in list(items) if isinstance(items, sre_parser.SubPattern) else []:
        unbounded = op in _REPEATS and av[1] == _UNBOUNDED
        if unbounded and inside:
            return True
        if any(_repeats(child, inside or unbounded) for child in _children(op, av)):
            return True
    return False


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns directly under one node (groups, branches, repeats, lookarounds)."""
    if op in _REPEATS or op is sre_constants.POSSESSIVE_REPEAT:
        return [av[2]]
    if op is sre_constants.SUBPATTERN:
        return [av[3]]
    if op is sre_constants.BRANCH:
        return list(av[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[1]]
    if op is sre_constants.ATOMIC_GROUP:
        return [av]
    if op is sre_constants.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    return []


@dataclass(frozen=True)
class Limits:
    """What one suggestion may spend on editor-written cue patterns: time in all, and characters per turn."""

    cue_seconds: float = CUE_SECONDS
    cue_chars: int = CUE_CHARS

    def __post_init__(self) -> None:
        if self.cue_seconds <= 0 or self.cue_chars < 1:
            raise ValueError(f"cue limits must be positive, got {self.cue_seconds} s, {self.cue_chars} characters")

    def clock(self, deadline: Deadline | None = None) -> CueClock:
        """A clock started now, with the time these limits allow, or what is left before `deadline` if less."""
        seconds = self.cue_seconds if deadline is None else min(self.cue_seconds, deadline.left())
        return CueClock(seconds, self.cue_chars)


class CueClock:
    """How long all cue matching of one request may take, and how much of each text cues may read.

    Every match gets the time still left; a match that runs out is abandoned (logged), never waited for.
    """

    def __init__(self, seconds: float = CUE_SECONDS, max_chars: int = CUE_CHARS) -> None:
        if seconds < 0:
            raise ValueError(f"cue time budget must not be negative, got {seconds}")
        if max_chars < 1:
            raise ValueError(f"cue text cap must be at least 1 character, got {max_chars}")
        self.seconds = seconds
        self.max_chars = max_chars
        self._end = time.monotonic() + seconds
        self.timeouts = 0

    def left(self) -> float:
        """Seconds of the budget still unspent (0 when spent)."""
        return max(self._end - time.monotonic(), 0.0)

    def finditer(self, pattern: Pattern, text: str) -> Iterator[Match]:
        """Matches of `pattern` in the first `max_chars` of `text`, while the budget lasts."""
        left = self.left()
        if left <= 0:
            self._ran_out(pattern)
            return
        try:
            yield from pattern.finditer(text[: self.max_chars], timeout=left)
        except TimeoutError:
            self._ran_out(pattern)

    def search(self, pattern: Pattern, text: str) -> Match | None:
        """The first match of `pattern` in the first `max_chars` of `text`, or None (also when out of time)."""
        return next(self.finditer(pattern, text), None)

    def _ran_out(self, pattern: Pattern) -> None:
        self.timeouts += 1
        if self.timeouts == 1:
            log.warning("cue matching ran out of time; cue skipped", extra={
                "pattern": pattern.pattern, "budget_s": self.seconds})


def negated(before: str, negations: tuple[str, ...], window: int = _NEGATION_WINDOW) -> bool:
    """A negation among the last few words of the same clause ("we haven't moved", "not charged twice")."""
    clause = _CLAUSE_END.split(before)[-1].replace("\u2019", "'").lower()
    words = spoken_words(clause)[-window:]
    return any(fnmatch.fnmatchcase(word, negation) for word in words for negation in negations)


def asks(text: str) -> bool:
    """Whether a turn asks the other speaker something (a question mark, "can I have…", "I'll need…")."""
    return _ASKS.search(text) is not None


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end offsets of the sentence holding text[start:end]."""
    head = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    tail_match = SENTENCE_END.search(text, end)
    return head, tail_match.start() if tail_match else len(text)


def quote(text: str, start: int, end: int) -> str:
    """The sentence holding the cue, shortened around it when long."""
    head, tail = sentence_span(text, start, end)
    sentence = text[head:tail].strip()
    if len(sentence) <= _QUOTE_LIMIT:
        return sentence
    margin = (_QUOTE_LIMIT - (end - start)) // 2
    left, right = max(head, start - margin), min(tail, end + margin)
    return ("…" if left > head else "") + text[left:right].strip() + ("…" if right < tail else "")
