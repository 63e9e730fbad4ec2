from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assist_eval.bench import (
    BenchOptions,
    Results,
    built_by,
    last_customer_turns,
    prepare_workdir,
    reproduce_command,
)
from assist_eval.bench_load import LoadResult, load_row
from assist_eval.bench_results import BenchError, Row, read_rows
from assist_eval.bench_server import Server, free_port, get_json, status_kib, timed
from tests.conftest import FIXTURE_KB


def test_bench_options_refuse_nonsense_at_once(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="passages must be positive, got 0"):
        BenchOptions(tmp_path, tmp_path, passages=0)
    with pytest.raises(ValueError, match="concurrency"):
        BenchOptions(tmp_path, tmp_path, concurrency=(0,))
    with pytest.raises(ValueError, match="unknown phases"):
        BenchOptions(tmp_path, tmp_path, phases=frozenset({"load", "lunch"}))


def test_prepare_workdir_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(BenchError, match="not made by assist eval bench"):
        prepare_workdir(tmp_path, "scripts/bench")
    assert (tmp_path / "precious.txt").exists()


def test_prepare_workdir_clears_its_own_corpus_and_remembers_the_command(tmp_path: Path) -> None:
    work = tmp_path / "bench"
    prepare_workdir(work, "scripts/bench --passages 10")
    (work / "knowledge" / "dmv").mkdir(parents=True)
    (work / "results.json").write_text("[]")
    prepare_workdir(work, "scripts/bench --passages 20")
    assert not (work / "knowledge").exists() and not (work / "results.json").exists()
    assert built_by(work) == "scripts/bench --passages 20"
    assert built_by(tmp_path) is None


def test_results_stamp_this_runs_rows_and_save_them_with_the_earlier_ones_at_once(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    results = Results(path, [Row("build", "build", "40 min", measured="2026-11-01 10:00Z", number=45.0),
                             Row("floor", "floor", "12 ms", measured="2026-11-01 10:00Z")])
    results.add(Row("floor", "floor", "11 ms", "1.0x"))
    saved = read_rows(path)
    assert [(r.key, r.value) for r in saved] == [("build", "40 min"), ("floor", "11 ms")]
    assert saved[1].measured == results.stamp != saved[0].measured
    assert results.number("build") == 45.0 and results.number("rss") is None


def test_reproduce_command_keeps_the_arguments_after_eval_bench() -> None:
    argv = [".venv/bin/assist", "eval", "bench", "--passages", "5000", "--workdir", "/tmp/a b"]
    assert reproduce_command(argv) == "scripts/bench --passages 5000 --workdir '/tmp/a b'"
    assert reproduce_command(["assist"]) == "scripts/bench"


def test_last_customer_turns_are_distinct_and_in_file_order(tmp_path: Path) -> None:
    def line(*texts: str) -> str:
        turns = [{"speaker": "customer" if n % 2 == 0 else "agent", "text": t} for n, t in enumerate(texts)]
        return json.dumps({"qid": "q", "transcript": turns})

    path = tmp_path / "q.jsonl"
    path.write_text("\n".join([line("hi"), line("hi", "hello", "my licence"), line("yes"), line("hi")]) + "\n")
    assert last_customer_turns(path) == ["hi", "my licence", "yes"]


def test_load_row_reports_percentiles_throughput_errors_and_ratios_to_the_floor() -> None:
    result = LoadResult(concurrency=8, seconds=30.0, requests=1980, p50_ms=110.0, p95_ms=200.0, p99_ms=300.0,
                        max_ms=400.0, errors=1, status_errors=2, dialogues=300, passes=1)
    row = load_row(result, floor_ms=10.0, warmup=5)
    assert row.key == "load-8" and row.number == 110.0
    assert row.value.startswith("p50 110.0 ms · p95 200.0 · p99 300.0 · 66.0 req/s · 3 errors (1,980 requests")
    assert "re-posted 1x" in row.value
    assert row.vs_floor == "p50 11.0x · p95 20.0x · p99 30.0x"


def test_timed_names_the_step_when_a_command_fails_or_overruns(tmp_path: Path) -> None:
    log = tmp_path / "bench.log"
    assert timed("ok", [sys.executable, "-c", "pass"], 30, log) >= 0
    with pytest.raises(BenchError, match=r"build: exit 3"):
        timed("build", [sys.executable, "-c", "raise SystemExit(3)"], 30, log)
    with pytest.raises(BenchError, match=r"slow: not finished within 0.5 s"):
        timed("slow", [sys.executable, "-c", "import time; time.sleep(5)"], 0.5, log)
    assert "raise SystemExit(3)" in log.read_text()


def test_get_json_says_0_when_nothing_listens() -> None:
    assert get_json(f"http://127.0.0.1:{free_port()}/readyz", timeout=0.5) == (0, {})


def test_status_kib_reads_a_proc_status_field(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n")
    assert status_kib(status, "VmHWM") == 123456
    with pytest.raises(BenchError, match="no VmSwap"):
        status_kib(status, "VmSwap")


@pytest.mark.slow
def test_server_starts_serves_hot_reloads_an_update_and_stops(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for path in FIXTURE_KB.glob("*.md"):
        (knowledge / path.name).write_text(path.read_text())
    index_dir, log = tmp_path / "indexes", tmp_path / "bench.log"
    server = Server(knowledge, index_dir, free_port(), log, {"ASSIST_WATCH_SECONDS": "1"})
    with server:
        assert server.start(timeout=300) > 0
        first = server.serving()
        assert first is not None and server.peak_rss_mib() > 50
        article = sorted(knowledge.glob("*.md"))[0]
        article.write_text(article.read_text() + "\n\nOne more sentence.\n")
        command = [str(Path(sys.executable).parent / "assist"), "index", "update", "--knowledge", str(knowledge),
                   "--index-dir", str(index_dir)]
        took, served, version = server.time_update(command, timeout=300)
        assert version != first and server.serving() == version and took > 0 and served > 0
    assert server.serving() is None
