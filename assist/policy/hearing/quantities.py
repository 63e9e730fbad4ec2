"""Quantities in spoken English: how many days ago something happened ("about four months ago", "last
Tuesday", "on black friday") and an amount of money ("eight ninety-five", "I'm out six bucks"), read with
maintained parsers: text2num turns number words into digits, dateparser turns calendar phrases into dates, and
`holidays` knows the days of the holidays that move from year to year.
"""

from __future__ import annotations

import datetime as dt
import re

import dateparser
import holidays
from text_to_num import alpha2digit

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
COUNTED = re.compile(_DURATION.pattern + r"\s+(?:late|overdue|behind|past due|ago|back)\b")
AGO = re.compile(_DURATION.pattern + r"\s+ago\b")
# Days said as a date; a weekday after "this", "next", "coming", "til", "until" or "by" is ahead ("an extension til
# friday"), not a day gone by.
_CALENDAR = re.compile(
    rf"\b(?:the day before yesterday|yesterday|today|this morning|last (?:week|month|year|{_WEEKDAYS})"
    rf"|(?:on |this past )?(?<!this )(?<!next )(?<!coming )(?<!til )(?<!till )(?<!until )(?<!by )(?:{_WEEKDAYS})"
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
MONEY = re.compile(r"(?:\$\s?(?P<a>\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)"
                    r"|\b(?P<b>\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)\s?(?:dollars?|bucks|usd)\b)")
# The amount a dispute is about when a turn names several: "it's normally 9 dollars and it took 15, so I'm out 6
# bucks", "renewed at $120 instead of $99, that's 21 bucks I shouldn't have paid".
_DISPUTED_BEFORE = re.compile(r"\b(?:out|overcharged(?: me)?(?: by)?|extra|difference(?: of| is)?|an additional|by)"
                              r"\s*$", re.IGNORECASE)
_DISPUTED_AFTER = re.compile(r"^\s*(?:more|extra|too much|over|(?:that )?i (?:shouldn'?t|should not) have (?:paid|been "
                             r"charged)|i (?:didn'?t|did not|don'?t) owe)\b", re.IGNORECASE)
# A round number and "something": the middle of its ten ("forty-something" → 45).
_SOMETHING = re.compile(r"\b([1-9])0[- ]?something\b")
# "one twenty nine ninety nine" (1 29 99): hundreds, dollars and cents read out; "eight ninety five" (8 95):
# dollars and cents read out, not part of a number read digit by digit.
_SPOKEN_HUNDREDS = re.compile(r"(?<!\d )\b([1-9]) ([1-9]\d) ([1-9]\d)\b(?! \d)")
_SPOKEN_PRICE = re.compile(r"(?<!\d )\b([1-9]\d{0,2}) ([1-9]\d)\b(?! \d)")
_PAID = re.compile(r"\b(?:paid|pay|charged|costs?|priced at)\s+\$?(\d{1,6}(?:\.\d{1,2})?)\b(?! \d)")

# A weekday said after what something was for names that occasion's day: "a dress for my grandmother's funeral on
# friday" is not when the dress was bought.
_OCCASION = re.compile(r"\bfor (?:my|the|a|an|our|his|her|their) (?:[\w']+ ){0,3}$", re.IGNORECASE)

_PRICE = re.compile(r"\b(\d{1,6}\.\d{2})\b")
_BARE_NUMBER = re.compile(r"(?<!\d )\b(\d{1,6}(?:\.\d{1,2})?)\b(?! \d)")


def digits(text: str) -> str:
    """Spoken English with its numbers in digits ("about four months ago" → "about 4 months ago")."""
    spoken = text.lower().replace("\u2019", "'").replace("-something", " something")
    digits = str(alpha2digit(spoken, "en", threshold=0))
    return _SOMETHING.sub(r"\g<1>5", digits)  # "forty-something bucks": about 45


def days_ago(sentence: str, today: dt.date) -> float | None:
    """Days before today that the first duration ("4 months ago") or date ("last Tuesday") names."""
    text = digits(sentence)
    duration = _DURATION.search(text)
    calendar = next((m for m in _CALENDAR.finditer(text) if not _occasion(text, m)), None)
    holiday = next((m for m in _HOLIDAY.finditer(text) if not _occasion(text, m)), None)
    if holiday is not None and (calendar is None or holiday.start() <= calendar.start()):
        calendar = None  # "on black friday": the holiday, not the weekday in its name
    else:
        holiday = None
    counted = COUNTED.search(text)  # "it's thursday now, so three days late": the count says it outright
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


def disputed(text: str, amount: re.Match[str]) -> bool:
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


def money(sentence: str, replying: bool = False) -> float | None:
    """The first amount of money: "$34.99", "ninety nine dollars", a price read out ("eight ninety five"), a
    number after paying words ("i paid fourteen"), dollars and cents ("a 7.99 charge"), or, in reply to the
    agent asking how much (`replying`), a bare number ("the whole ninety nine")."""
    text = digits(sentence)
    amounts = list(MONEY.finditer(text))
    match = next((m for m in amounts if disputed(text, m)), amounts[0] if amounts else None)
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
    price = _PRICE.search(text)  # "a 7.99 charge called handling": dollars and cents
    if price is not None:
        return float(price[1])
    if not replying:
        return None
    bare = _BARE_NUMBER.search(text)  # "the whole ninety nine" ("119.99", dollars and cents, is read above)
    return float(bare[1]) if bare is not None else None


def warm_up() -> None:
    """Load dateparser's language data now (≈ 0.1 s), not in the first request that hears a date."""
    dateparser.parse("last tuesday", languages=["en"])
