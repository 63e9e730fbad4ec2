"""Quantities in spoken English: days ago from durations, calendar phrases and holidays; money as said."""

from __future__ import annotations

import datetime as dt

import pytest

from assist.policy.hearing.quantities import days_ago, digits, money

TODAY = dt.date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(("said", "days"), [
    ("about four months ago", 120),
    ("a week and a half ago", 10.5),
    ("i bought it on black friday", 10),  # Thanksgiving 2026 is November 26
    ("ordered it on cyber monday", 7),
    ("I got it for christmas", 347),  # the last Christmas before today
    ("bought it last friday", 3),
])
def test_days_ago_from_durations_dates_and_holidays(said: str, days: float) -> None:
    assert days_ago(said, TODAY) == days


def test_a_weekday_ahead_is_no_day_gone_by() -> None:
    assert days_ago("any chance of an extension til friday? thats payday", TODAY) is None
    assert days_ago("can it get here by saturday?", TODAY) is None


def test_a_weekday_or_holiday_after_what_it_was_for_is_that_occasion_s_day() -> None:
    assert days_ago("i ordered a dress for my sisters party on halloween", TODAY) is None
    assert days_ago("i ordered a black dress for my grandmother's funeral on friday", TODAY) is None


@pytest.mark.parametrize(("said", "amount"), [
    ("it was eight ninety five", 8.95),
    ("one twenty nine ninety nine", 129.99),
    ("forty-something bucks", 45),
    ("it's normally nine dollars and it took fifteen, so I'm out six bucks", 6),
    ("there's a 7.99 charge called handling that i never saw before", 7.99),
])
def test_money_as_said(said: str, amount: float) -> None:
    assert money(said) == amount


def test_number_words_become_digits() -> None:
    assert digits("About four months ago") == "about 4 months ago"
