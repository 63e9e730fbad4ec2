"""Facts from speech: what was said on the call that a policy reads, when the desktop did not send it.

Editors declare how each fact is heard (`heard` in vocabulary.yaml: a reading and the cues that say a sentence
is about the fact); this module finds the words about each fact, `quantities` reads the days or the money in
them and `replies` a yes or a no. A later statement of a fact replaces an earlier one (the customer corrects
themselves); every value keeps the turn and the words it came from. Amounts and durations are read from the
customer's words, durations also from the agent's when counted back from now ("it was due two days ago"; the
agent's turns quote policy windows: "within the 90 day window"); yes/no facts also from the agent's report of
what our systems show ("I can see it hasn't shipped yet").
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from cachetools import LRUCache

from assist.call import FactValue, Turn
from assist.policy.cues import SENTENCE_END, CueClock, Pattern, negated, sentence_span
from assist.policy.hearing.quantities import AGO, COUNTED, MONEY, days_ago, digits, disputed, money
from assist.policy.hearing.replies import CONDITION, NEGATIONS, answer, questions, stated
from assist.policy.vocabulary import FactTerm, Heard, Vocabulary

_AMOUNT_QUESTION = re.compile(r"\bhow much\b|\bwhat (?:amount|was the (?:charge|fee|price|amount))\b", re.IGNORECASE)
# An amount the agent reads out from our systems: "the amount due is $99", "the next payment is $99 on the 15th",
# "the overnight upgrade is a $20 fee"; not a policy's threshold ("only under $10", "up to $50").
_READ_OUT_AMOUNT = re.compile(r"\b(?:amount (?:due|owed|outstanding)|balance(?: due)?|payment|fee|charge|total|bill|"
                              r"upgrade|price)\b(?: [\w-]+){0,3}? (?:is|was|comes to|came to|will be)\s+(?:a |an |just "
                              r"|only )?\$\s?\d", re.IGNORECASE)
_THRESHOLD = re.compile(r"\b(?:under|over|below|above|less than|more than|up to|at most|at least|standard|usual|"
                        r"normally|usually)\b", re.IGNORECASE)
# Where a sentence goes on to another clause with its own subject: "she passed away last month | and I've been
# returning what she bought"; the time said in one clause is not the time of the other's event.
_NEXT_CLAUSE = re.compile(r"[;:]|\b(?:and|but|because|cause|so|while|when|though|although)\s+(?=(?:i|i'm|i've|i'd|we"
                          r"|we're|we've|she|he|they|it|it's|my|our|the|this|that|there|today|yesterday)\b)",
                          re.IGNORECASE)
QUOTE_CHARS = 120  # the words a fact came from, as the desk shows them
TURN_CACHE = 8192  # turns whose facts are kept: a call's turns are re-sent with every request


@dataclass(frozen=True)
class SpokenFact:
    """A fact read from the transcript: its value, the turn (index into the transcript) and the words."""

    name: str
    value: FactValue
    turn: int
    quote: str


def hear(transcript: Sequence[Turn], vocabulary: Vocabulary, today: dt.date, clock: CueClock) -> dict[str, SpokenFact]:
    """Every fact the vocabulary says speech can tell, as last said on the call.

    What a turn tells depends only on the turn, the agent's turn before it and the day, so it is kept (the
    desktop re-sends the growing transcript: a request reads only its new turns); a reading that ran out of
    cue time is not kept.
    """
    terms = tuple(t for t in vocabulary.facts.values() if t.heard is not None)
    heard: dict[str, SpokenFact] = {}
    asked = ""  # the agent's turn just before a customer's turn: the question it answers
    for index, turn in enumerate(transcript):
        text = turn.text[: clock.max_chars]
        for name, (value, words) in _turn_facts(terms, turn.speaker == "customer", text, asked, today, clock):
            heard[name] = SpokenFact(name, value, index, words)
        asked = text if turn.speaker == "agent" else ""
    return heard




_Told = tuple[tuple[str, tuple[FactValue, str]], ...]
_TOLD: LRUCache[tuple[object, ...], _Told] = LRUCache(maxsize=TURN_CACHE)
_TOLD_LOCK = threading.Lock()


def _turn_facts(terms: tuple[FactTerm, ...], customer: bool, text: str, asked: str, today: dt.date,
                clock: CueClock) -> _Told:
    """The facts one turn tells, each with its value and words (cached by everything they depend on)."""
    key = (terms, customer, text, asked, today)
    with _TOLD_LOCK:
        told = _TOLD.get(key)
    if told is not None:
        return told
    timeouts = clock.timeouts
    found = [(t.name, _read(t, t.heard, customer, text, asked, today, clock,  # type: ignore[arg-type]
                            _others(terms, t))) for t in terms]
    told = tuple((name, value) for name, value in found if value is not None)
    if clock.timeouts == timeouts:
        with _TOLD_LOCK:
            _TOLD[key] = told
    return told


def _others(terms: tuple[FactTerm, ...], term: FactTerm) -> tuple[Pattern, ...]:
    """The topic cues of the other yes/no facts: what an opening "no" may be about instead ("No receipt, but …")."""
    return tuple(p for t in terms if t is not term and t.heard is not None and t.heard.reading == "yes_no"
                 for p in t.heard.about)


def _read(term: FactTerm, heard: Heard, customer: bool, text: str, asked: str, today: dt.date,
          clock: CueClock, others: tuple[Pattern, ...] = ()) -> tuple[FactValue, str] | None:
    """The value of one fact this turn states, with the quote; None when it states none. Durations come from
    the customer's words, or from the agent's when counted outright ("it was due two days ago": what our
    systems show)."""
    said = stated(heard, text, clock)
    if said is not None or heard.reading is None:
        return said
    if not customer:
        if heard.reading == "money":
            return _read_out(text)
        return _counted(heard, text, today, clock) if heard.reading == "days" else None
    if heard.reading == "yes_no":
        return answer(heard, text, asked, clock, others)
    replying = heard.reading == "money" and _AMOUNT_QUESTION.search(asked) is not None
    parts = [text] if replying else _about(heard, text, asked, clock)  # "How much was it?" asks the amount
    if heard.reading == "days":  # "due on monday | so I'm three days late": the count says it outright
        parts.sort(key=lambda part: COUNTED.search(digits(part)) is None)
    if heard.reading == "money":  # "renewed at $120, not $99. That's $21 I shouldn't have paid": the 21
        parts.sort(key=lambda part: not any(disputed(d, m) for d in [digits(part)] for m in MONEY.finditer(d)))
    for sentence in parts:
        number = days_ago(sentence, today) if heard.reading == "days" else money(sentence, replying)
        if number is None:
            continue
        if heard.more_than is not None:
            return number > heard.more_than, _short(sentence)
        return (round(number) if term.type == "int" else number), _short(sentence)
    return None


def _read_out(text: str) -> tuple[FactValue, str] | None:
    """An amount the agent reads out from our systems ("the amount due is $99"); a policy's threshold or a
    condition ("only if it's under $10") is none."""
    for sentence in SENTENCE_END.split(text):
        if _READ_OUT_AMOUNT.search(sentence) and not _THRESHOLD.search(sentence) and not CONDITION.search(sentence) \
                and not sentence.rstrip().endswith("?"):
            number = money(sentence)
            if number is not None:
                return number, _short(sentence)
    return None


def _counted(heard: Heard, text: str, today: dt.date, clock: CueClock) -> tuple[FactValue, str] | None:
    """An agent's duration counted back from now in a sentence about the fact ("your payment was due two days
    ago"); a policy ("within 90 days", "only if you're one day late") counts nothing."""
    for sentence in SENTENCE_END.split(text):
        if not any(clock.search(p, sentence) for p in heard.about):
            continue
        if AGO.search(digits(sentence)) is None or sentence.rstrip().endswith("?") or CONDITION.search(sentence):
            continue
        number = days_ago(sentence, today)
        if number is not None:
            return (number > heard.more_than if heard.more_than is not None else round(number)), _short(sentence)
    return None


def _about(heard: Heard, text: str, asked: str, clock: CueClock) -> list[str]:
    """The parts of a customer turn that talk about the fact: all of it when it answers an agent question
    about the fact, else the clauses where an `about` cue stands (see _NEXT_CLAUSE)."""
    if any(clock.search(p, question) for question in questions(asked) for p in heard.about):
        return [text]
    spans = []
    for pattern in heard.about:
        for match in clock.finditer(pattern, text):
            if heard.reading == "days" and negated(text[: match.start()], NEGATIONS):
                continue  # "I haven't ordered from you since christmas": no purchase of this call's
            spans.append(_clause_span(text, *match.span()))
    return [text[head:tail] for head, tail in sorted(set(spans))]


def _clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end offsets of the clause holding text[start:end]: its sentence, cut where another clause begins."""
    head, tail = sentence_span(text, start, end)
    head = max((m.end() for m in _NEXT_CLAUSE.finditer(text, head, start)), default=head)
    after = _NEXT_CLAUSE.search(text, end, tail)
    return head, after.start() if after is not None else tail




def _short(sentence: str) -> str:
    text = " ".join(sentence.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"
