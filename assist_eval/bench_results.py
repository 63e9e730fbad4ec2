"""The benchmark's numbers: percentiles, the rows of the table, the results kept between runs, the docs page."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from assist.errors import AssistError

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


class BenchError(AssistError):
    """A benchmark step that could not run or did not finish in time; the message names the step."""


def percentile(samples: Sequence[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0 < p ≤ 100) of `samples`: a value that was actually measured."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def median(samples: Sequence[float]) -> float:
    """The nearest-rank median."""
    return percentile(samples, 50)


def ratio(value: float, floor: float | None) -> str:
    """`value` as a multiple of the floor, e.g. `2.4x`; empty when there is no floor."""
    return f"{value / floor:.1f}x" if floor else ""


def rate(count: float, seconds: float) -> float:
    """Items per second; 0 when no time passed."""
    return count / seconds if seconds > 0 else 0.0


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, the figure, its ratio to the floor, and when.

    `key` names the measure across runs (the label may carry parameters); `number` is its main figure.
    """

    key: str
    measure: str
    value: str
    vs_floor: str = ""
    measured: str = ""
    number: float | None = None


def merge_rows(fresh: Sequence[Row], kept: Sequence[Row], order: Sequence[str]) -> list[Row]:
    """This run's rows, plus the earlier rows this run did not measure again, in the table's order."""
    by_key = {row.key: row for row in kept}
    by_key.update({row.key: row for row in fresh})
    rank = {key: n for n, key in enumerate(order)}

    def place(row: Row) -> tuple[int, int]:  # `load-8` sorts as `load`, then by its number
        family, _, number = row.key.partition("-")
        return rank.get(family, len(rank)), int(number) if number.isdigit() else 0

    return sorted(by_key.values(), key=place)


def read_rows(path: Path) -> list[Row]:
    """The rows an earlier run kept in `path`; none if there is no such file."""
    if not path.is_file():
        return []
    return [Row(**record) for record in json.loads(path.read_text(encoding="utf-8"))]


def write_rows(path: Path, rows: Sequence[Row]) -> None:
    """Keep the rows for a later run (`--reuse`) to merge with."""
    path.write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n", encoding="utf-8")


def markdown_table(rows: Sequence[Row], stamp: str) -> str:
    """The rows as a markdown table; a row an earlier run measured (not at `stamp`) says when."""
    lines = ["| measure | result | x floor |", "|---|---|---|"]
    for row in rows:
        when = f" (measured {row.measured})" if row.measured and row.measured != stamp else ""
        lines.append(f"| {row.measure} | {row.value}{when} | {row.vs_floor} |")
    return "\n".join(lines)


def machine() -> str:
    """The CPU model, cores and memory of this machine, from /proc."""
    cpuinfo = _read("/proc/cpuinfo")
    models = re.findall(r"(?m)^model name\s*:\s*(.+)$", cpuinfo)
    meminfo = _read("/proc/meminfo")
    total = _meminfo_gib(meminfo, "MemTotal")
    available = _meminfo_gib(meminfo, "MemAvailable")
    cpu = models[0].strip() if models else "unknown CPU"
    load = _read("/proc/loadavg").split()[:1] or ["?"]
    return (f"{cpu}, {os.cpu_count()} logical cores; {total:.1f} GiB memory, {available:.1f} GiB available; "
            f"load average {load[0]} at start")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _meminfo_gib(meminfo: str, key: str) -> float:
    found = re.search(rf"(?m)^{key}:\s*(\d+)\s*kB", meminfo)
    return int(found.group(1)) / 1024**2 if found else 0.0


def measured_section(table: str, commands: Sequence[str], about: str, stamp: str) -> str:
    """The generated part of docs/performance.md: machine, the commands that made the table, the table, time."""
    lines = "\n".join(dict.fromkeys(commands))
    return f"{START}\n_Measured {stamp} on {about}._\n\nReproduce:\n\n```\n{lines}\n```\n\n{table}\n{END}"


def refresh_docs(path: Path, section: str) -> None:
    """Replace the generated section of the docs page (between its markers); create the page if missing."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Performance\n\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run_stamp() -> str:
    """When a run started (UTC, to the minute): what its rows are stamped with."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%MZ")
