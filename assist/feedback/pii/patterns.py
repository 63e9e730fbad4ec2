"""Personal data with a shape: e-mails, phones, cards, SSNs, IBANs, street addresses, and the dates of birth and
account numbers a cue announces, found in folded text (assist.feedback.pii.text).

Patterns find candidates and checksums or numbering rules confirm them (Luhn for cards, ISO 13616 mod-97 for
IBANs, SSA rules for SSNs), so order numbers, prices, dates and tracking numbers stay readable. Digit patterns
refuse to start or end inside a longer run of digit groups: part of a long number is not a card or a phone.
A number read out in ones and twos ("4 1 1 1 …", "41 11 11 …") or with mixed separators is judged by its
digits as a whole (`digit_runs`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assist.feedback.pii.kinds import Finding, Kind

_Span = tuple[int, int]
_Check = Callable[[re.Match[str]], _Span | None]

# ISO 13616 registry: each country's IBAN length.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29,
    "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A country code and check digits, then up to 32 characters in groups; checked and trimmed to the country's length.
_IBAN = re.compile(r"(?<![^\W_])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}", re.IGNORECASE | re.ASCII)
# 13-19 digits starting 2-6 (the banking MIIs): unbroken, in fours, or amex-style 4-6-5; separators consistent.
_CARD = re.compile(
    r"(?<![\w-])(?<!\d[ -])"
    r"(?:[2-6]\d{12,18}|[2-6]\d{3}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|[2-6]\d{3}([ -])\d{6}\2\d{4,5})"
    r"(?![\w-]|[ -](?!\d{1,2}/\d)\d)"  # a following group continues the number, unless it is an expiry date
)
_SSN = re.compile(r"(?<![\w-])(?<!\d[ .-])(?!000|666|9)\d{3}([ .-])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-]|[ .-]\d)")
# Unformatted nine digits count as an SSN only right after the caller names it.
_SSN_NAMED = re.compile(
    r"(?<!\[)\b(?i:ssn|social(?:\s+security)?(?:\s+number)?)\b\D{0,20}?"  # not the "[SSN]" of an earlier round
    r"(?<!\d)((?!000|666|9)\d{3}(?!00)\d{2}(?!0000)\d{4})(?!\d)"
)
# NANP: optional +1, area and exchange codes start 2-9.
_US_PHONE = re.compile(
    r"(?<![\w+.-])(?<!\d[ .-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-]?)[2-9]\d{2}[ .-]?\d{4}"
    r"(?![\w-]|[ .-]\d)"
)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{1,15}(?:[ .-]?\(\d{1,4}\)\d{0,12}|[ .-]\d{1,12}){0,6}(?!\w)")

_UNIT = r"(?:(?i:apartment|apt|unit|suite|ste)\.?\s*#?|#\s?)(?:\d+[A-Za-z]?|[A-Za-z]\d*)\b"
_WORD = r"(?:[A-Z][A-Za-z'-]*\.?|\d+(?:st|nd|rd|th))"  # capitalised, or an ordinal: "W.", "Sunset", "4th"
_NAME = rf"{_WORD}(?:\s{_WORD}){{0,3}}"
_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir"
    r"|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Crescent|Loop)\b(?!-)\.?(?:\s(?:[NS][EW]|[NSEW])\b)?"
)
_CITY = r",\s*[A-Z][A-Za-z.'-]*(?:\s[A-Z][A-Za-z.'-]*){0,2},?\s+"
_ZIP = r"\s+\d{5}(?:-\d{4})?(?![\w-])"
_STATE_NAME = r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?"
# A street suffix is evidence enough; without one ("1450 Broadway") the city, state and ZIP must follow.
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_UNIT},?\s+)?\d{{1,6}}\s+"
    rf"(?:{_NAME}\s{_SUFFIX}(?:,?\s+{_UNIT})?(?:{_CITY}(?:[A-Z]{{2}}\b(?:{_ZIP})?|{_STATE_NAME}{_ZIP}))?"
    rf"|{_NAME}(?:,?\s+{_UNIT})?{_CITY}(?:[A-Z]{{2}}|{_STATE_NAME}){_ZIP})"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdecimal())


def _luhn(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _whole(match: re.Match[str]) -> _Span:
    return match.span()


def _card(match: re.Match[str]) -> _Span | None:
    return match.span() if _luhn(_digits(match.group())) else None


def _iban(match: re.Match[str]) -> _Span | None:
    """Trim the candidate to its country's length and accept it when the mod-97 check holds."""
    candidate = match.group().upper()
    length = _IBAN_LENGTHS.get(candidate[:2])
    compact = candidate.replace(" ", "")
    if length is None or len(compact) < length:
        return None
    end = match.start()
    for _ in range(length):
        end += 2 if match.string[end] == " " else 1
    if match.string[end : end + 1].isalnum():
        return None
    iban = compact[4:length] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in iban)
    return (match.start(), end) if int(number) % 97 == 1 else None


def _international(match: re.Match[str]) -> _Span | None:
    return match.span() if 8 <= len(_digits(match.group())) <= 15 else None


def _account(match: re.Match[str]) -> _Span | None:
    """An announced number with at least four digits ("account 88231", "member id AC-4471902")."""
    return match.span(1) if len(_digits(match.group(1))) >= 4 else None


def _group(match: re.Match[str]) -> _Span:
    return match.span(1)





# A run of digits in groups, any separators: judged by its digits as a whole.
_DIGIT_RUN = re.compile(r"(?<![\w@.+-])(?<!\d[ .-])\d+(?:(?:[ .-]|, ){1,2}\d+)+(?![\w@]|[.-]\d)")
_PHONE_CUE = re.compile(r"\b(?:phone|cell|mobile|call|text|reach|landline|fax)\w*\b|\b(?:my|the|your) number\b",
                        re.IGNORECASE)
_SSN_CUE = re.compile(r"\b(?:ssn|social)\b", re.IGNORECASE)
_NEAR = 40  # characters before a run in which a cue counts


def _nanp(digits: str) -> bool:
    local = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    return len(local) == 10 and local[0] in "23456789" and local[3] in "23456789"


def _phone(digits: str, groups: list[str], small: bool, before: str) -> bool:
    if len(digits) in (10, 11):  # the usual 3-3-4 is _US_PHONE's: here ones and twos, or mixed groups
        return _nanp(digits) and (small or len(set(map(len, groups))) > 1)
    return len(digits) == 7 and _PHONE_CUE.search(before) is not None


def digit_runs(text: str) -> list[Finding]:
    """Cards, phones and SSNs whose digits are grouped in an unusual way (one or two at a time, mixed
    separators): a card passes Luhn; a phone read in small groups, or seven digits after a phone cue; an SSN's
    nine digits after its cue."""
    found = []
    for match in _DIGIT_RUN.finditer(text):
        groups = re.findall(r"\d+", match.group())
        digits = "".join(groups)
        small = max(len(g) for g in groups) <= 2
        before = text[max(0, match.start() - _NEAR) : match.start()]
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and _luhn(digits):
            kind = Kind.CARD
        elif _phone(digits, groups, small, before):
            kind = Kind.PHONE
        elif len(digits) == 9 and _SSN_CUE.search(before) and (small or [len(g) for g in groups] == [3, 2, 4]):
            kind = Kind.SSN
        else:
            continue
        found.append(Finding(kind, *match.span()))
    return found


# A date in the forms people say and write: 03/14/1979, 1979-03-14, march 3rd 1985, the fourth of may eighty-two.
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ORDINAL_WORD = (r"(?:(?:twenty|thirty)[\s-])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
                 r"|tenth|eleventh|twelfth|(?:thir|four|fif|six|seven|eigh|nine)teenth|twentieth|thirtieth")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORD})"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_YEAR = (rf"(?:\d{{4}}|'\d{{2}}|\d{{2}}|(?:nineteen|twenty|two thousand(?: and)?)(?:[\s-]+{_TENS})?(?:[\s-]+{_UNITS})?"
         rf"|{_TENS}(?:[\s-]+{_UNITS})?)")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
         rf"|(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?"
         rf"|{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+(?:of\s+)?{_YEAR})?|{_MONTH},?\s+{_YEAR}|(?<=in\s){_YEAR})")
_DOB = re.compile(
    rf"\b(?:born|birthday|birth\s*date|date\s+of\s+birth|d\.?o\.?b\.?)(?:'s)?\b[^\w]{{0,3}}"
    rf"(?:(?:is|was|on|in|it's|its|of|:)\s+){{0,2}}({_DATE})(?![\w/-])",
    re.IGNORECASE,
)
# An account, member or customer number, announced: "account number 88231", "member id 5521-0093".
_ACCOUNT = re.compile(
    r"\b(?:account|acct|member(?:ship)?|customer|loyalty|rewards|client|policy|subscriber)\b"
    r"(?:\s+(?:number|no\.?|num|#|id|code))?(?:'s)?[\s:#,]*(?:(?:on\s+file\s+)?(?:is|was|it's|its|ending\s+in)\s+)?"
    r"([A-Z]{0,4}[-\s]?\d(?:[\dA-Z-]|\s(?=\d)){2,}\d)(?![\w-])",
    re.IGNORECASE,
)
# A street address in lower case: a number, up to three words that are not small words, a street suffix.
_SMALL = r"(?!(?:the|a|an|my|on|in|at|to|of|for|and|or|by|this|that|your|our|its|it|me|we|i)\b)"
_STATES = (
    r"(?:al|ak|az|ar|ca|co|ct|de|dc|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|mt|ne|nv|nh|nj|nm|ny|nc|nd"
    r"|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy|alabama|alaska|arizona|arkansas|california|colorado"
    r"|connecticut|delaware|florida|georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine"
    r"|maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|new\s+hampshire"
    r"|new\s+jersey|new\s+mexico|new\s+york|north\s+carolina|north\s+dakota|ohio|oklahoma|oregon|pennsylvania"
    r"|rhode\s+island|south\s+carolina|south\s+dakota|tennessee|texas|utah|vermont|virginia|washington"
    r"|west\s+virginia|wisconsin|wyoming)"
)
_NOT_CITY = r"(?:and|but|so|please|thanks|thank|today|tomorrow|yesterday|asap|because|instead|then)"
_CITY_WORD = rf"(?!{_NOT_CITY}\b)[a-z][a-z.'-]+"
_ZIP_CODE = r"\d{5}(?:-\d{4})?(?![\w-])"
# What follows a street: a city (up to three words) with a state and/or ZIP, or a city the sentence ends on.
_PLACE = (rf"(?:,?\s+(?:{_CITY_WORD}\s+){{0,2}}{_CITY_WORD}(?:,?\s+{_STATES}\b(?:,?\s+{_ZIP_CODE})?|,?\s+{_ZIP_CODE}"
          rf"|(?=\s*(?:[,.;!?]|$)))|,?\s+{_ZIP_CODE})")
_ADDRESS_LOWER = re.compile(
    rf"(?<![\w-])\d{{1,6}}\s+(?:{_SMALL}[a-z0-9][a-z0-9'.-]*\s+){{1,3}}{_SUFFIX}(?:,?\s+{_UNIT})?{_PLACE}?",
    re.IGNORECASE,
)


_PO_BOX = re.compile(r"\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s+\d{1,6}\b", re.IGNORECASE)

# Earlier detectors win where findings overlap.
_DETECTORS: tuple[tuple[Kind, re.Pattern[str], _Check], ...] = (
    (Kind.EMAIL, _EMAIL, _whole),
    (Kind.IBAN, _IBAN, _iban),
    (Kind.CARD, _CARD, _card),
    (Kind.SSN, _SSN, _whole),
    (Kind.SSN, _SSN_NAMED, _group),
    (Kind.DOB, _DOB, _group),
    (Kind.PHONE, _US_PHONE, _whole),
    (Kind.PHONE, _INTL_PHONE, _international),
    (Kind.ADDRESS, _ADDRESS, _whole),
    (Kind.ADDRESS, _ADDRESS_LOWER, _whole),
    (Kind.ADDRESS, _PO_BOX, _whole),
    (Kind.ACCOUNT, _ACCOUNT, _account),
)


def find_shaped(text: str) -> list[Finding]:
    """Every shaped PII span in `text` (folded), none overlapping; earlier detectors win."""
    found: list[Finding] = []
    candidates = [(kind, check(m)) for kind, pattern, check in _DETECTORS for m in pattern.finditer(text)]
    for kind, span in [*candidates, *((f.kind, (f.start, f.end)) for f in digit_runs(text))]:
        if span is not None and not any(f.overlaps(*span) for f in found):
            found.append(Finding(kind, *span))
    return found
