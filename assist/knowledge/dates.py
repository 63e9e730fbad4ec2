"""The dates editors write (`effective_from`, `effective_until`): one parser, one check of the effective window."""

from __future__ import annotations

import datetime as dt

DATE_FORMAT = "YYYY-MM-DD"


def parse_date(value: object) -> dt.date | None:
    """An ISO date as written in front matter or a policy file (YAML leaves it as text); None when absent."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"bad date {value!r} (expected {DATE_FORMAT})") from None


def in_effect(today: dt.date, effective_from: dt.date | None, effective_until: dt.date | None) -> bool:
    """Whether `today` lies inside the effective dates, both inclusive; a missing date leaves that side open."""
    if effective_from and today < effective_from:
        return False
    return not (effective_until and today > effective_until)
