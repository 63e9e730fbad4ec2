from __future__ import annotations

import threading

import pytest

from assist.policy.cues import CueClock, compile_cue

SLOW = "(a|aa)+$"  # passes the nested-repeat check, yet backtracks exponentially on "aaaa…a!"
ALMOST = "a" * 60 + "!"
HANG_GUARD = 30  # seconds; without a time budget the match below would run for years


@pytest.mark.parametrize("pattern", ["(a+)+$", r"(\w+\s?)*x", "(?:a*b)*c", "x(a+){2,}"])
def test_compile_cue_refuses_an_unbounded_repeat_inside_another(pattern: str) -> None:
    with pytest.raises(ValueError, match="inside another unbounded repeat"):
        compile_cue(pattern)


@pytest.mark.parametrize("pattern", [
    r"\b(just|recently|we) (moved|relocated)\b(?!\s+(my|the|our)\b)", r"\bnew (house|home)\b", "(a+){2,5}", SLOW,
])
def test_compile_cue_accepts_patterns_without_nested_unbounded_repeats(pattern: str) -> None:
    assert compile_cue(pattern).pattern == pattern


def test_compile_cue_reports_a_syntax_error() -> None:
    with pytest.raises(ValueError, match="missing \\)"):
        compile_cue("(unclosed")


def test_compile_cue_is_case_insensitive() -> None:
    assert compile_cue(r"\bmoved\b").search("We MOVED last week") is not None


def _within_guard(work: threading.Thread) -> None:
    work.start()
    work.join(HANG_GUARD)
    assert not work.is_alive(), "cue matching was not bounded"


def test_cue_clock_abandons_a_match_that_runs_out_of_time() -> None:
    clock = CueClock(seconds=0.05, max_chars=2000)
    found: list[object] = []
    _within_guard(threading.Thread(target=lambda: found.append(clock.search(compile_cue(SLOW), ALMOST)),
                                   daemon=True))
    assert found == [None]
    assert clock.timeouts == 1


def test_cue_clock_once_spent_runs_no_more_matches() -> None:
    clock = CueClock(seconds=0.05, max_chars=2000)
    clock.search(compile_cue(SLOW), ALMOST)
    assert clock.search(compile_cue("moved"), "we moved") is None
    assert clock.timeouts == 2


def test_cue_clock_reads_only_the_first_max_chars_of_a_text() -> None:
    clock = CueClock(seconds=1, max_chars=20)
    assert clock.search(compile_cue("moved"), "we moved") is not None
    assert clock.search(compile_cue("moved"), "x" * 20 + " we moved") is None


def test_cue_clock_refuses_a_negative_budget() -> None:
    with pytest.raises(ValueError, match="negative"):
        CueClock(seconds=-1)
