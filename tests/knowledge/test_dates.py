from __future__ import annotations

import datetime as dt

import pytest

from assist.knowledge.dates import in_effect, parse_date

DAY = dt.date(2026, 1, 31)


@pytest.mark.parametrize(("written", "read"), [("2026-01-31", DAY), (DAY, DAY), (None, None)])
def test_parse_date_reads_iso_dates_as_written(written: object, read: dt.date | None) -> None:
    assert parse_date(written) == read


@pytest.mark.parametrize("written", ["2026-13-01", "31/01/2026", "soon", True])
def test_parse_date_refuses_anything_else_naming_the_value_and_the_format(written: object) -> None:
    with pytest.raises(ValueError, match=rf"bad date {written!r} \(expected YYYY-MM-DD\)"):
        parse_date(written)


@pytest.mark.parametrize(
    ("start", "end", "today", "live"),
    [
        (None, None, DAY, True),
        (DAY, None, DAY, True),
        (DAY, None, DAY - dt.timedelta(days=1), False),
        (None, DAY, DAY, True),
        (None, DAY, DAY + dt.timedelta(days=1), False),
    ],
)
def test_in_effect_includes_both_dates_and_leaves_a_missing_one_open(
    start: dt.date | None, end: dt.date | None, today: dt.date, live: bool
) -> None:
    assert in_effect(today, start, end) is live
