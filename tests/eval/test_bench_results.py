from __future__ import annotations

from pathlib import Path

import pytest

from assist_eval.bench_results import (
    END,
    START,
    Row,
    machine,
    markdown_table,
    measured_section,
    median,
    merge_rows,
    percentile,
    rate,
    ratio,
    read_rows,
    refresh_docs,
    write_rows,
)


def test_percentile_is_nearest_rank_over_unsorted_samples() -> None:
    samples = [float(n) for n in range(100, 0, -1)]  # 100 … 1
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 95) == 95.0
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile(samples, 0.1) == 1.0


def test_percentile_of_few_samples_is_a_measured_value() -> None:
    assert percentile([7.0], 99) == 7.0
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.0  # the lower middle: a sample, not an average
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 95) == 10.0


@pytest.mark.parametrize("p", [0, -1, 101])
def test_percentile_refuses_a_rank_outside_0_to_100(p: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0], p)


def test_percentile_refuses_no_samples() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_ratio_and_rate_are_empty_or_zero_without_a_base() -> None:
    assert ratio(24.0, 10.0) == "2.4x"
    assert ratio(24.0, None) == ""
    assert ratio(24.0, 0.0) == ""
    assert rate(90, 2.0) == 45.0
    assert rate(90, 0.0) == 0.0


def test_merge_rows_prefers_this_runs_rows_and_keeps_the_table_order() -> None:
    kept = [Row("build", "build", "old", measured="2026-01-01"), Row("load-8", "c=8", "old"),
            Row("floor", "floor", "old")]
    fresh = [Row("floor", "floor", "new"), Row("load-1", "c=1", "new"), Row("load-16", "c=16", "new")]
    merged = merge_rows(fresh, kept, ("build", "floor", "load"))
    assert [r.key for r in merged] == ["build", "floor", "load-1", "load-8", "load-16"]
    assert [r.value for r in merged] == ["old", "new", "new", "old", "new"]


def test_rows_survive_a_round_trip_through_the_results_file(tmp_path: Path) -> None:
    rows = [Row("build", "build", "60 s", "", "2026-11-27", 45.5), Row("floor", "floor", "11 ms", "1.0x")]
    write_rows(tmp_path / "results.json", rows)
    assert read_rows(tmp_path / "results.json") == rows
    assert read_rows(tmp_path / "missing.json") == []


def test_markdown_table_marks_rows_measured_on_another_day() -> None:
    rows = [Row("build", "build", "60 s", "", "2026-11-01"), Row("floor", "floor", "11 ms", "1.0x", "2026-11-27")]
    table = markdown_table(rows, "2026-11-27").splitlines()
    assert table[0] == "| measure | result | x floor |"
    assert table[2] == "| build | 60 s (measured 2026-11-01) |  |"
    assert table[3] == "| floor | 11 ms | 1.0x |"


def test_refresh_docs_replaces_only_the_generated_section(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "performance.md"
    refresh_docs(page, measured_section("| a |", ["scripts/bench"], "a machine", "2026-11-27"))
    first = page.read_text()
    assert first.startswith("# Performance\n") and "scripts/bench" in first and "| a |" in first
    page.write_text("# Performance\n\nHow it is made.\n\n" + first.split("\n", 2)[2] + "\nAfter.\n")
    commands = ["scripts/bench", "scripts/bench --reuse", "scripts/bench"]
    refresh_docs(page, measured_section("| b |", commands, "a machine", "2026-11-28"))
    text = page.read_text()
    assert "```\nscripts/bench\nscripts/bench --reuse\n```" in text  # each command once, in order
    assert "How it is made." in text and text.endswith("\nAfter.\n")
    assert "| b |" in text and "| a |" not in text and text.count(START) == text.count(END) == 1


def test_machine_names_cores_and_memory() -> None:
    about = machine()
    assert "logical cores" in about and "GiB memory" in about
