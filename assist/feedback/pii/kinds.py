"""The kinds of personal data redaction finds, and one finding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """A kind of PII; a redacted span reads `[KIND]`."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    CARD = "CARD"
    SSN = "SSN"
    IBAN = "IBAN"
    ADDRESS = "ADDRESS"
    PERSON = "PERSON"
    DOB = "DOB"  # a date of birth: a date the text says is one
    ACCOUNT = "ACCOUNT"  # an account, member or customer number the text says is one


@dataclass(frozen=True)
class Finding:
    """One PII span: `text[start:end]` is of `kind`."""

    kind: Kind
    start: int
    end: int

    def overlaps(self, start: int, end: int) -> bool:
        """Whether this finding shares a character with `[start, end)`."""
        return self.start < end and start < self.end
