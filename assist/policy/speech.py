"""Facts from speech: what was said on the call that a policy reads, when the desktop did not send it.

Editors declare how each fact is heard (`heard` in vocabulary.yaml: a reading and the cues that say a sentence
is about the fact); this module reads the transcript with maintained parsers — text2num turns number words into
digits ("about four months ago" → "about 4 months ago"), dateparser turns calendar phrases ("last Tuesday", "in
January") into dates. A later statement of a fact replaces an earlier one (the customer corrects themselves);
every value keeps the turn and the words it came from. Amounts and durations are read from the customer's
words only (the agent's turns quote policy windows: "within the 90 day window"); yes/no facts also from the
agent's report of what our systems show ("I can see it hasn't shipped yet").
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import dateparser
import holidays
from cachetools import LRUCache
from text_to_num import alpha2digit

from assist.call import FactValue, Turn
from assist.policy.cues import SENTENCE_END, CueClock, Pattern, asks, negated, quote, sentence_span
from assist.policy.vocabulary import FactTerm, Heard, Vocabulary

DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_PART_DAY = {"early": 5, "mid": 15, "late": 25}
_MONTHS = ("january|february|march|april|june|july|august|september|october|november|december"
           "|jan|feb|aug|sept|oct|nov|dec")
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DURATION = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|an?|a couple(?: of)?|couple(?: of)?)(?P<and_a_half> and a half)?"
    r"\s+(?P<unit>day|week|month|year)s?"
    r"(?P<half> and a half)?\b")
# A duration counted outright against now: "three days late", "ten days ago", "a week overdue".
_COUNTED = re.compile(_DURATION.pattern + r"\s+(?:late|overdue|behind|past due|ago|back)\b")
_AGO = re.compile(_DURATION.pattern + r"\s+ago\b")
_CALENDAR = re.compile(
    rf"\b(?:the day before yesterday|yesterday|today|this morning|last (?:week|month|year|{_WEEKDAYS})"
    rf"|(?:on |this past )?(?<!this )(?<!next )(?<!coming )(?:{_WEEKDAYS})"
    rf"|(?:on |in |back in )?(?:(?P<part>early|mid|late) )?"
    rf"(?P<month>(?:{_MONTHS}|may(?= \d))(?: \d{{1,2}}(?:st|nd|rd|th)?)?)"
    rf"|(?:in |back in )(?P<may>may)\b|\d{{1,2}}(?:st|nd|rd|th)? of (?:{_MONTHS}|may))\b")
# Holidays said as the day something happened ("I bought it on black friday"): the US holiday (by its name in
# `holidays`) or a fixed month and day, and the days after it the phrase names.
_HOLIDAYS: dict[str, tuple[str | tuple[int, int], int]] = {
    "black friday": ("Thanksgiving Day", 1), "cyber monday": ("Thanksgiving Day", 4),
    "thanksgiving": ("Thanksgiving Day", 0), "memorial day": ("Memorial Day", 0), "labor day": ("Labor Day", 0),
    "christmas eve": ((12, 24), 0), "christmas": ((12, 25), 0), "boxing day": ((12, 26), 0),
    "new year's eve": ((12, 31), 0), "new year's day": ((1, 1), 0), "new year's": ((1, 1), 0),
    "fourth of july": ((7, 4), 0), "july 4th": ((7, 4), 0), "independence day": ((7, 4), 0),
    "halloween": ((10, 31), 0), "valentine's day": ((2, 14), 0), "valentines day": ((2, 14), 0),
}
_HOLIDAY = re.compile(r"\b(?:" + "|".join(re.escape(name) for name in sorted(_HOLIDAYS, key=len, reverse=True))
                      + r")(?!\w)")
_MONEY = re.compile(r"(?:\$\s?(?P<a>\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)"
                    r"|\b(?P<b>\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)\s?(?:dollars?|bucks|usd)\b)")
# "eight ninety five" (8 95): dollars and cents read out, not part of a number read digit by digit.
# "one twenty nine ninety nine" (1 29 99): hundreds, dollars and cents read out.
# The amount a dispute is about when a turn names several: "it's normally 9 dollars and it took 15, so I'm out 6
# bucks", "renewed at $120 instead of $99, that's 21 bucks I shouldn't have paid".
_DISPUTED_BEFORE = re.compile(r"\b(?:out|overcharged(?: me)?(?: by)?|extra|difference(?: of| is)?|an additional|by)"
                              r"\s*$", re.IGNORECASE)
_DISPUTED_AFTER = re.compile(r"^\s*(?:more|extra|too much|over|(?:that )?i (?:shouldn'?t|should not) have (?:paid|been "
                             r"charged)|i (?:didn'?t|did not|don'?t) owe)\b", re.IGNORECASE)
# A round number and "something": the middle of its ten ("forty-something" → 45).
_SOMETHING = re.compile(r"\b([1-9])0[- ]?something\b")
_SPOKEN_HUNDREDS = re.compile(r"(?<!\d )\b([1-9]) ([1-9]\d) ([1-9]\d)\b(?! \d)")
_SPOKEN_PRICE = re.compile(r"(?<!\d )\b([1-9]\d{0,2}) ([1-9]\d)\b(?! \d)")
_PAID = re.compile(r"\b(?:paid|pay|charged|costs?|priced at)\s+\$?(\d{1,6}(?:\.\d{1,2})?)\b(?! \d)")
_AMOUNT_QUESTION = re.compile(r"\bhow much\b|\bwhat (?:amount|was the (?:charge|fee|price|amount))\b", re.IGNORECASE)
# A clause of a reply, with the punctuation that ends it; a question among an agent's sentences.
_CLAUSE = re.compile(r"[^,.;!?]+(?:[,.;!?]+|$)|[,.;!?]+")
_QUESTION = re.compile(r"[^.!?]*\?")
# A negation in the few words after the fact's word: "the receipt I don't have", "the box, nope".
_NEGATED_AFTER = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:don'?t|do not|didn'?t|haven'?t|no|nope|not|never)\b",
                            re.IGNORECASE)
# Words that leave a yes/no fact unknown: "receipt, no idea".
_UNSURE = re.compile(r"\b(?:no idea|not sure|unsure|don'?t know|dunno|can'?t remember|not certain)\b", re.IGNORECASE)
# Words that make what follows a condition, not a statement: "unless you have the receipt".
_CONDITION = re.compile(r"\b(?:if|unless|whether|provided|as long as|in case)\b", re.IGNORECASE)
# Where a sentence goes on to another clause with its own subject: "she passed away last month | and I've been
# returning what she bought"; the time said in one clause is not the time of the other's event.
_NEXT_CLAUSE = re.compile(r"[;:]|\b(?:and|but|because|cause|so|while|when|though|although)\s+(?=(?:i|i'm|i've|i'd|we"
                          r"|we're|we've|she|he|they|it|it's|my|our|the|this|that|there|today|yesterday)\b)",
                          re.IGNORECASE)
# A weekday said after what something was for names that occasion's day: "a dress for my grandmother's funeral on
# friday" is not when the dress was bought.
_OCCASION = re.compile(r"\bfor (?:my|the|a|an|our|his|her|their) (?:[\w']+ ){0,3}$", re.IGNORECASE)
SHORT_QUESTION = 6  # words: a question this short leans on the sentence before it
_PRICE = re.compile(r"\b(\d{1,6}\.\d{2})\b")
_BARE_NUMBER = re.compile(r"(?<!\d )\b(\d{1,6}(?:\.\d{1,2})?)\b(?! \d)")
_FILLER = r"(?:(?:um+|uh+|oh|ah|well|hmm+|so|ok(?:ay)?|and)\W+)*"
_YES = re.compile(rf"^\W*{_FILLER}(?:yes|yeah|yep|yup|ya|sure|correct|right|absolutely|definitely|of course"
                  r"|i do|i did|i have|i still (?:do|have)|still have|i kept)\b", re.IGNORECASE)
_NO = re.compile(rf"^\W*{_FILLER}(?:no|nope|nah|not really|i don'?t|i do not|i didn'?t|i haven'?t|unfortunately not"
                 r"|afraid not|i threw|i lost)\b", re.IGNORECASE)
# English words that turn "it has shipped" into its opposite when they stand just before the cue.
QUOTE_CHARS = 120  # the words a fact came from, as the desk shows them
TURN_CACHE = 8192  # turns whose facts are kept: a call's turns are re-sent with every request
NEGATIONS = ("not", "no", "never", "*n't", "cannot", "cant", "without", "neither", "nor")


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


def warm_up() -> None:
    """Load dateparser's language data now (≈ 0.1 s), not in the first request that hears a date."""
    dateparser.parse("last tuesday", languages=["en"])


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
    found = [(t.name, _read(t, t.heard, customer, text, asked, today, clock, _others(terms, t)))  # type: ignore[arg-type]
             for t in terms]
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
    stated = _stated(heard, text, clock)
    if stated is not None or heard.reading is None:
        return stated
    if not customer:
        return _counted(heard, text, today, clock) if heard.reading == "days" else None
    if heard.reading == "yes_no":
        return _answer(heard, text, asked, clock, others)
    replying = heard.reading == "money" and _AMOUNT_QUESTION.search(asked) is not None
    parts = [text] if replying else _about(heard, text, asked, clock)  # "How much was it?" asks the amount
    if heard.reading == "days":  # "due on monday | so I'm three days late": the count says it outright
        parts.sort(key=lambda part: _COUNTED.search(_digits(part)) is None)
    if heard.reading == "money":  # "renewed at $120, not $99. That's $21 I shouldn't have paid": the 21
        parts.sort(key=lambda part: not any(_disputed(d, m) for d in [_digits(part)] for m in _MONEY.finditer(d)))
    for sentence in parts:
        number = _days(sentence, today) if heard.reading == "days" else _money(sentence, replying)
        if number is None:
            continue
        if heard.more_than is not None:
            return number > heard.more_than, _short(sentence)
        return (round(number) if term.type == "int" else number), _short(sentence)
    return None


def _counted(heard: Heard, text: str, today: dt.date, clock: CueClock) -> tuple[FactValue, str] | None:
    """An agent's duration counted back from now in a sentence about the fact ("your payment was due two days
    ago"); a policy ("within 90 days", "only if you're one day late") counts nothing."""
    for sentence in SENTENCE_END.split(text):
        if not any(clock.search(p, sentence) for p in heard.about):
            continue
        if _AGO.search(_digits(sentence)) is None or sentence.rstrip().endswith("?") or _CONDITION.search(sentence):
            continue
        number = _days(sentence, today)
        if number is not None:
            return (number > heard.more_than if heard.more_than is not None else round(number)), _short(sentence)
    return None


def _stated(heard: Heard, text: str, clock: CueClock) -> tuple[FactValue, str] | None:
    """A yes/no fact said outright: the first `says_true` cue (false when a negation stands before it) or
    `says_false` cue."""
    first: tuple[int, int, bool] | None = None
    for patterns, value in ((heard.says_true, True), (heard.says_false, False)):
        for pattern in patterns:
            match = next((m for m in clock.finditer(pattern, text)
                          if not _asking(text, *m.span()) and not _CONDITION.search(_clause_before(text, m.start()))),
                         None)
            if match is not None and (first is None or match.start() < first[0]):
                first = (*match.span(), value)
    if first is None:
        return None
    start, end, value = first
    return (value and not negated(text[:start], NEGATIONS)), quote(text, start, end)


def _clause_before(text: str, start: int) -> str:
    head, _ = sentence_span(text, start, start)
    return re.split(r"[,;]", text[head:start])[-1]


def _asking(text: str, start: int, end: int) -> bool:
    """Whether the words at start:end stand in a question ("do you have the receipt?"), which states nothing."""
    _, tail = sentence_span(text, start, end)
    return text[tail : tail + 1] == "?"


def _answer(heard: Heard, text: str, asked: str, clock: CueClock,
            others: tuple[Pattern, ...] = ()) -> tuple[FactValue, str] | None:
    """The customer's yes or no to an agent question about the fact: a reply that opens with yes or no (unless
    the words after it name another fact: "No receipt, but …"), or, further in, the clause that names the fact
    ("... and no receipt, I threw it out": no) or answers yes ("... but yes, it's still in the bag")."""
    if not any(clock.search(p, question) for question in _questions(asked) for p in heard.about):
        return None
    if _stated(heard, asked, clock) is not None:
        return None  # "Since it hasn't shipped I can waive the fee. Shall I?": the agent told it, the yes is to the fee
    reply = text.strip()
    for pattern, value in ((_NO, False), (_YES, True)):
        match = pattern.match(reply)
        if match:
            rest = _CLAUSE.match(reply, match.end())
            after = rest.group(0) if rest is not None else ""
            if any(clock.search(p, after) for p in others) and not any(clock.search(p, after) for p in heard.about):
                break  # "No receipt, but yes, it's in the box": the no is the receipt's
            return value, quote(reply, 0, match.end())
    for clause in _CLAUSE.finditer(reply):
        words = clause.group(0)
        if words.rstrip().endswith("?"):
            continue  # "does the box count?" states nothing
        if _UNSURE.search(words):
            continue  # "receipt, no idea": unknown, not no
        named = next((m for p in heard.about if (m := clock.search(p, words)) is not None), None)
        if named is not None:
            start = clause.start() + named.start()
            after = words[named.end():]  # "the receipt I don't have"
            no = _NO.match(words) is not None or negated(words[: named.start()], NEGATIONS) or \
                _NEGATED_AFTER.search(after) is not None  # "… and no, I tossed the bag"
            return not no, quote(reply, start, clause.start() + named.end())
        match = _YES.match(words)
        if match:
            return True, quote(reply, clause.start(), clause.start() + match.end())
    return None


def _questions(asked: str) -> list[str]:
    """The sentences of the agent's turn that ask something ("... So when did you buy it?"), a short one with the
    sentence before it, or the whole turn when it asks without a question mark ("I'll need the receipt")."""
    if not asks(asked):
        return []
    questions = []
    for match in _QUESTION.finditer(asked):
        start = match.start()
        if len(match.group(0).split()) <= SHORT_QUESTION:  # "Do you have either?": the sentence before says what
            start = max((m.end() for m in SENTENCE_END.finditer(asked, 0, max(start - 1, 0))), default=0)
        questions.append(asked[start : match.end()])
    return questions or [asked]


def _about(heard: Heard, text: str, asked: str, clock: CueClock) -> list[str]:
    """The parts of a customer turn that talk about the fact: all of it when it answers an agent question
    about the fact, else the clauses where an `about` cue stands (see _NEXT_CLAUSE)."""
    if any(clock.search(p, question) for question in _questions(asked) for p in heard.about):
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


def _digits(text: str) -> str:
    spoken = text.lower().replace("\u2019", "'").replace("-something", " something")
    digits = str(alpha2digit(spoken, "en", threshold=0))
    return _SOMETHING.sub(r"\g<1>5", digits)  # "forty-something bucks": about 45


def _short(sentence: str) -> str:
    text = " ".join(sentence.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _days(sentence: str, today: dt.date) -> float | None:
    """Days before today that the first duration ("4 months ago") or date ("last Tuesday") names."""
    text = _digits(sentence)
    duration = _DURATION.search(text)
    calendar = next((m for m in _CALENDAR.finditer(text) if not _occasion(text, m)), None)
    holiday = next((m for m in _HOLIDAY.finditer(text) if not _occasion(text, m)), None)
    if holiday is not None and (calendar is None or holiday.start() <= calendar.start()):
        calendar = None  # "on black friday": the holiday, not the weekday in its name
    else:
        holiday = None
    counted = _COUNTED.search(text)  # "it's thursday now, so three days late": the count says it outright
    if counted is not None:
        duration, calendar = _DURATION.match(text, counted.start()), None
    if duration and (calendar is None or duration.start() <= calendar.start()):
        count = duration["n"]
        n = 1.0 if count in ("a", "an") else 2.0 if "couple" in count else float(count)
        n += 0.5 if duration["half"] or duration["and_a_half"] else 0.0  # "a week and a half", "two and a half weeks"
        return n * DAYS[duration["unit"]]
    if holiday is not None and calendar is None:
        return float((today - _last_holiday(holiday.group(0), today)).days)
    if calendar is None:
        return None
    base = dt.datetime.combine(today, dt.time())
    phrase = calendar["month"] or calendar["may"] or calendar.group(0)  # "back in january": dateparser reads "january"
    if calendar["part"] and calendar["month"] and not any(ch.isdigit() for ch in calendar["month"]):
        phrase = f"{calendar['month']} {_PART_DAY[calendar['part']]}"  # "late october": about the 25th
    when = dateparser.parse(phrase, languages=["en"],
                            settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    if when is None:
        return None
    return float(max((today - when.date()).days, 0))


def _disputed(text: str, amount: re.Match[str]) -> bool:
    """Whether the words around an amount make it the one in dispute ("I'm out 6 bucks")."""
    return _DISPUTED_BEFORE.search(text[: amount.start()]) is not None or \
        _DISPUTED_AFTER.match(text[amount.end():]) is not None


def _occasion(text: str, calendar: re.Match[str]) -> bool:
    """Whether a weekday or holiday said on its own ("on friday", not "last friday") is the day of what something
    was for ("a dress for my sister's wedding on saturday")."""
    named = calendar.re is _HOLIDAY or not (calendar["month"] or calendar["may"])
    bare = not calendar.group(0).startswith(("last", "this past")) and named
    return bare and _OCCASION.search(text[: calendar.start()].rstrip() + " ") is not None


def _last_holiday(name: str, today: dt.date) -> dt.date:
    """The day the holiday phrase names, on or before today (its latest passed occurrence)."""
    which, after = _HOLIDAYS[name]
    days = []
    for year in (today.year, today.year - 1):
        if isinstance(which, tuple):
            days.append(dt.date(year, *which) + dt.timedelta(days=after))
        else:
            named = holidays.country_holidays("US", years=year).get_named(which, lookup="exact")
            days.extend(day + dt.timedelta(days=after) for day in named)
    return max(day for day in days if day <= today)


def _money(sentence: str, replying: bool = False) -> float | None:
    """The first amount of money: "$34.99", "ninety nine dollars", a price read out ("eight ninety five"), or,
    a number after paying words ("i paid fourteen"), or, in reply to the agent asking how much (`replying`), a
    bare number ("the whole ninety nine")."""
    text = _digits(sentence)
    amounts = list(_MONEY.finditer(text))
    match = next((m for m in amounts if _disputed(text, m)), amounts[0] if amounts else None)
    if match is not None:
        return float((match["a"] or match["b"]).replace(",", ""))
    hundreds = _SPOKEN_HUNDREDS.search(text)
    if hundreds is not None:
        return float(f"{int(hundreds[1]) * 100 + int(hundreds[2])}.{hundreds[3]}")
    spoken = _SPOKEN_PRICE.search(text)
    if spoken is not None:
        return float(f"{spoken[1]}.{spoken[2]}")
    paid = _PAID.search(text)
    if paid is not None:
        return float(paid[1])
    if not replying:
        return None
    bare = _PRICE.search(text) or _BARE_NUMBER.search(text)  # "the second one was 119.99": the price
    return float(bare[1]) if bare is not None else None
