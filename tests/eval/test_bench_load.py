from __future__ import annotations

import json
import shutil
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assist_eval.bench_load import body_lines, dialogue_bodies, parse_result, run_wrk
from assist_eval.bench_results import BenchError


def _query(qid: str, texts: list[str]) -> str:
    turns = [{"speaker": "customer" if n % 2 == 0 else "agent", "text": t} for n, t in enumerate(texts)]
    return json.dumps({"qid": qid, "domain": "dmv", "transcript": turns, "gold_article": "a", "gold_answers": []})


def _queries(path: Path, dialogues: int = 5, turns: int = 3) -> Path:
    lines = [_query(f"d{d}_{2 * t}", [f"dialogue {d} turn {n}" for n in range(2 * t + 1)])
             for d in range(dialogues) for t in reversed(range(turns))]  # prefixes out of order on purpose
    path.write_text("\n".join(lines) + "\n")
    return path


def test_dialogue_bodies_groups_prefixes_by_dialogue_in_turn_order(tmp_path: Path) -> None:
    dialogues = dialogue_bodies(_queries(tmp_path / "q.jsonl", dialogues=2, turns=3))
    assert [[len(body["transcript"]) for body in bodies] for bodies in dialogues] == [[1, 3, 5], [1, 3, 5]]
    first = dialogues[0][0]
    assert first["conversation_id"] == "bench-d0" and first["limit"] == 10
    assert first["customer"] == {"id": "bench", "segment": "standard"}


def test_body_lines_number_each_body_by_its_dialogue(tmp_path: Path) -> None:
    dialogues = dialogue_bodies(_queries(tmp_path / "q.jsonl", dialogues=2, turns=2))
    lines = body_lines(dialogues).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["0", "0", "1", "1"]
    assert json.loads(lines[3].split(" ", 1)[1]) == dialogues[1][1]
    assert all('"text": "' in line for line in lines)  # the form the Lua script puts white space into


def test_parse_result_converts_microseconds_to_milliseconds() -> None:
    raw = {"requests": 300, "duration_us": 10_000_000, "p50_us": 24_100, "p95_us": 40_000, "p99_us": 55_500,
           "max_us": 90_000, "errors": 1, "status_errors": 2, "dialogues": 70, "passes": 0}
    result = parse_result(raw, concurrency=8)
    assert (result.concurrency, result.requests, result.seconds) == (8, 300, 10.0)
    assert (result.p50_ms, result.p95_ms, result.p99_ms, result.max_ms) == (24.1, 40.0, 55.5, 90.0)
    assert result.per_second == 30.0 and result.errors == 1 and result.status_errors == 2


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: dict[tuple[str, int], list[dict[str, Any]]]
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            self.seen[self.client_address].append(body)
        reply = b'{"answers": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, dict[tuple[str, int], list[dict[str, Any]]]]]:
    _Recorder.seen = defaultdict(list)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_wrk_threads_walk_their_own_dialogues_in_order_and_repost_with_new_white_space(
    tmp_path: Path, recorder: tuple[str, dict[tuple[str, int], list[dict[str, Any]]]]
) -> None:
    url, seen = recorder
    dialogues = dialogue_bodies(_queries(tmp_path / "q.jsonl", dialogues=5, turns=3))
    bodies = tmp_path / "bodies.txt"
    bodies.write_text(body_lines(dialogues))
    result = run_wrk(url, tmp_path, bodies, concurrency=2, seconds=1, round_number=1)
    assert result.requests > 30 and result.errors == result.status_errors == 0 and result.passes > 0
    assert len(seen) == 2
    slices = []
    for posted in seen.values():
        names = [body["conversation_id"] for body in posted]
        slices.append({int(name.removeprefix("bench-d")) % 2 for name in names})
        assert [len(b["transcript"]) for b in posted[:6]] == [1, 3, 5, 1, 3, 5]  # prefixes in order
        markers = set()
        for body in posted:
            texts = [turn["text"] for turn in body["transcript"]]
            dialogue = body["conversation_id"].removeprefix("bench-d")
            assert [text.strip() for text in texts] == [f"dialogue {dialogue} turn {n}" for n in range(len(texts))]
            markers |= {text[: len(text) - len(text.lstrip())] for text in texts}
        assert len(markers) > 1  # the same words, with different white space before them on each pass
    assert sorted(map(sorted, slices)) == [[0], [1]]  # each connection keeps to its own slice


def test_run_wrk_names_the_failure_when_nothing_listens(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed")
    bodies = tmp_path / "bodies.txt"
    bodies.write_text(body_lines(dialogue_bodies(_queries(tmp_path / "q.jsonl"))))
    try:
        result = run_wrk("http://127.0.0.1:9", tmp_path, bodies, concurrency=1, seconds=1, round_number=0)
    except BenchError as exc:
        assert "c=1" in str(exc)
    else:
        assert result.requests == 0 and result.errors > 0
