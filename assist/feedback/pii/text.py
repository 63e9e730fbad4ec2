"""Text as the detectors read it: folded to plain ASCII and with spoken forms written out, each character
remembering the span of the original it came from, so a finding maps back onto what was said.

Folding: Unicode compatibility forms (NFKC: full-width digits and at-signs), any script's decimal digits
(Arabic-Indic), every kind of space (no-break, thin) to a plain space, look-alike letters (Cyrillic a) and accents to
their ASCII reading (anyascii). Spoken forms: digits read out one by one ("five five five, oh one three
eight", "double four") become digits, and a spoken e-mail ("dana at example dot com") its written form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from anyascii import anyascii

_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIGIT_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
_REPEAT = r"(?:double|triple)\s+" + _DIGIT_WORD
# Three or more digit words in a row (commas, hyphens and "and" between them): "one" alone stays a word.
_SPOKEN_DIGITS = re.compile(
    rf"(?<![\w-])(?:{_REPEAT}|{_DIGIT_WORD})(?:(?:\s*[,-]\s*|\s+)(?:{_REPEAT}|{_DIGIT_WORD})){{2,}}(?![\w-])",
    re.IGNORECASE,
)
_TLD = r"(?:com|net|org|edu|gov|io|co|us|uk|ca|de|fr|es|it|nl|au|info|biz|me|mail)"
_JOIN = r"(?:dot|period|point|underscore|dash|hyphen)"
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.])[a-z0-9][\w.-]*(?:\s+{_JOIN}\s+[\w-]+)*\s+(?:at|\(at\)|\[at\])\s+[a-z0-9][\w-]*"
    rf"(?:(?:\s+(?:dot|period)\s+[\w-]+)*\s+(?:dot|period)\s+{_TLD}|(?:\.[\w-]+)*\.{_TLD})\b",
    re.IGNORECASE,
)
_SPACED_AT = re.compile(r"(?<=\w) ?@ ?(?=\w)")
_SPOKEN_JOINS = {"dot": ".", "period": ".", "point": ".", "underscore": "_", "dash": "-", "hyphen": "-"}


@dataclass(frozen=True)
class Folded:
    """`text` for the detectors; `origin[i]` is the span of the original that `text[i]` came from."""

    text: str
    origin: tuple[tuple[int, int], ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind `text[start:end]`."""
        return self.origin[start][0], self.origin[end - 1][1]

    def substitute(self, pattern: re.Pattern[str], replace: Callable[[str], str]) -> Folded:
        """Each match of `pattern` replaced by `replace(match)`; the new characters come from the match's span."""
        parts: list[str] = []
        origin: list[tuple[int, int]] = []
        last = 0
        for match in pattern.finditer(self.text):
            parts.append(self.text[last : match.start()])
            origin.extend(self.origin[last : match.start()])
            new = replace(match.group())
            whole = self.span(*match.span())
            parts.append(new)
            origin.extend([whole] * len(new))
            last = match.end()
        parts.append(self.text[last:])
        origin.extend(self.origin[last:])
        return Folded("".join(parts), tuple(origin))


def _fold_char(ch: str) -> str:
    if ch.isascii():
        return ch
    if ch.isspace():
        return " "
    decimal = unicodedata.decimal(ch, None)
    if decimal is not None:
        return str(decimal)
    compatible = unicodedata.normalize("NFKC", ch)
    if compatible.isascii():
        return compatible
    if unicodedata.category(ch)[0] in "LP":  # letters and punctuation: their ASCII reading
        return anyascii(compatible) or ch
    return ch


def _spoken_digits(said: str) -> str:
    words = re.findall(r"[a-z]+", said.lower())
    digits, repeat = [], 1
    for word in words:
        if word in ("double", "triple"):
            repeat = 2 if word == "double" else 3
            continue
        digits.append(_DIGIT_WORDS[word] * repeat)
        repeat = 1
    return " ".join(digits)


def _spoken_email(said: str) -> str:
    written = re.sub(r"\s+(?:at|\(at\)|\[at\])\s+", "@", said, count=1, flags=re.IGNORECASE)
    return re.sub(rf"\s+({_JOIN})\s+", lambda m: _SPOKEN_JOINS[m.group(1).lower()], written, flags=re.IGNORECASE)


def fold(text: str) -> Folded:
    """`text` folded to ASCII, spoken digits and e-mails written out."""
    parts = [_fold_char(ch) for ch in text]
    origin = tuple((i, i + 1) for i, part in enumerate(parts) for _ in part)
    folded = Folded("".join(parts), origin)
    folded = folded.substitute(_SPOKEN_DIGITS, _spoken_digits).substitute(_SPOKEN_EMAIL, _spoken_email)
    return folded.substitute(_SPACED_AT, lambda _: "@")
