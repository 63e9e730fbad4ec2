"""An acknowledged feedback event survives kill -9 of a real `assist serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import FIXTURE_KB

ADMIN_KEY = "durability-admin-key-0123456789"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serve(index_dir: Path, data_dir: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {**os.environ, "ASSIST_DATA_DIR": str(data_dir), "ASSIST_WATCH_SECONDS": "0", "ASSIST_ENCODER": "torch",
           "ASSIST_ADMIN_KEYS": ADMIN_KEY}
    with log.open("ab") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "assist"), "serve", "--knowledge",
                                   str(FIXTURE_KB), "--index-dir", str(index_dir), "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, env=env, cwd=data_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        guard = time.monotonic() + 120  # a hang guard: the model and the index load first
        while True:
            assert server.poll() is None and time.monotonic() < guard, log.read_text()[-2000:]
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield server, base
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(30)


def test_an_acknowledged_feedback_event_survives_kill_9(tmp_path: Path, index_dir: Path) -> None:
    log = tmp_path / "serve.log"
    with _serve(index_dir, tmp_path, log) as (server, base):
        suggestion = httpx.post(f"{base}/v1/suggest", json={"issue": "my shirt arrived stained"}, timeout=30).json()
        reply = httpx.post(f"{base}/v1/feedback", json={"suggestion_id": suggestion["suggestion_id"],
                                                        "event": "used", "rank": 1}, timeout=30)
        assert reply.status_code == 200
        os.kill(server.pid, signal.SIGKILL)  # no shutdown, no flush: only what was committed remains
        server.wait(30)
    with _serve(index_dir, tmp_path, log) as (_, base):
        report = httpx.get(f"{base}/v1/reports/articles", params={"since": "1d"},
                           headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30).json()
    used = {a["article_id"]: a["used"] for a in report["articles"]}
    assert used[suggestion["answers"][0]["article_id"]] == 1
