"""Two `assist serve` replicas behind one index directory and one PostgreSQL event store act as one service."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FIXTURE_KB
from tests.postgres import PostgresUnavailable, postgres_server

ADMIN_KEY = "replicas-admin-key-0123456789"
ASSIST = str(Path(sys.executable).parent / "assist")
ISSUE = {"issue": "my shirt arrived stained"}
# Hang guards, not timing assertions: each only bounds how long a broken run waits before it fails.
START_GUARD_S = 120.0  # imports, the model and the index load before /readyz answers 200
PUBLISH_GUARD_S = 60.0  # both replicas name the version `assist index update` published
RECORDED_GUARD_S = 10.0  # the other replica wrote its suggestion to the store (written in batches, off the hot path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "ASSIST_DATABASE_URL": database_url, "ASSIST_DATA_DIR": str(data_dir),
            "ASSIST_WATCH_SECONDS": "0.5", "ASSIST_ENCODER": "torch", "ASSIST_ADMIN_KEYS": ADMIN_KEY}


def _wait_for(check: Callable[[], bool], guard_s: float, failure: Callable[[], str]) -> None:
    """Poll `check` until it holds; fail with `failure()` once `guard_s` has passed."""
    deadline = time.monotonic() + guard_s
    while not check():
        assert time.monotonic() < deadline, failure()
        time.sleep(0.2)


def _ready_version(base: str) -> str | None:
    """The index version /readyz names, or None while the replica is not ready (or not listening yet)."""
    try:
        reply = httpx.get(f"{base}/readyz", timeout=2)
    except httpx.TransportError:
        return None
    return str(reply.json()["index_version"]) if reply.status_code == 200 else None


@contextlib.contextmanager
def _replica(knowledge: Path, index_dir: Path, database_url: str, data_dir: Path) -> Iterator[str]:
    """A real `assist serve` subprocess, ready; yields its base URL and stops it on the way out."""
    data_dir.mkdir()
    log = data_dir / "serve.log"
    port = _free_port()
    with log.open("ab") as out:
        server = subprocess.Popen([ASSIST, "serve", "--knowledge", str(knowledge), "--index-dir", str(index_dir),
                                   "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                  env=_environment(database_url, data_dir), cwd=data_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            assert server.poll() is None, f"`assist serve` exited {server.returncode}: {log.read_text()[-2000:]}"
            return _ready_version(base) is not None

        _wait_for(ready, START_GUARD_S, lambda: f"{base} not ready: {log.read_text()[-2000:]}")
        yield base
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)


def _suggest(base: str) -> dict[str, Any]:
    reply = httpx.post(f"{base}/v1/suggest", json=ISSUE, timeout=30)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _use_first_answer(base: str, suggestion_id: str) -> None:
    """Send a `used` event for rank 1 to `base`, waiting while the store has not yet seen the suggestion (404):
    the replica that made it records suggestions in the background, in batches."""
    replies: list[httpx.Response] = []

    def stored() -> bool:
        replies.append(httpx.post(f"{base}/v1/feedback", json={"suggestion_id": suggestion_id, "event": "used",
                                                               "rank": 1}, timeout=30))
        return replies[-1].status_code != 404

    _wait_for(stored, RECORDED_GUARD_S, lambda: f"{base} never saw {suggestion_id}: {replies[-1].text}")
    assert replies[-1].status_code == 200, replies[-1].text


def test_two_replicas_share_one_index_directory_and_one_store(tmp_path: Path, index_dir: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)  # mtimes kept: the fixture index is up to date, nothing rebuilt
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except PostgresUnavailable as unavailable:
            pytest.skip(str(unavailable))
        a = stack.enter_context(_replica(knowledge, index_dir, url, tmp_path / "a"))
        b = stack.enter_context(_replica(knowledge, index_dir, url, tmp_path / "b"))
        first = _ready_version(a)
        assert first is not None
        assert _ready_version(b) == first

        article = knowledge / "returns-stain.md"
        article.write_text(article.read_text() + "\nA stained item may also be exchanged for the same size.\n")
        update = subprocess.run([ASSIST, "index", "update", "--knowledge", str(knowledge), "--index-dir",
                                 str(index_dir)], env=_environment(url, tmp_path), cwd=tmp_path,
                                capture_output=True, text=True, timeout=120, check=False)
        assert update.returncode == 0, update.stdout + update.stderr
        _wait_for(lambda: _ready_version(a) == _ready_version(b) != first, PUBLISH_GUARD_S,
                  lambda: f"still serving {_ready_version(a)} (A) and {_ready_version(b)} (B), not a new version")
        second = _ready_version(a)
        on_a, on_b = _suggest(a), _suggest(b)
        assert on_a["index_version"] == on_b["index_version"] == second

        _use_first_answer(b, on_a["suggestion_id"])
        _use_first_answer(a, on_b["suggestion_id"])

        expected = Counter([on_a["answers"][0]["article_id"], on_b["answers"][0]["article_id"]])
        for base in (a, b):
            reply = httpx.get(f"{base}/v1/reports/articles", params={"since": "1d"},
                              headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30)
            assert reply.status_code == 200, reply.text
            used = {row["article_id"]: row["used"] for row in reply.json()["articles"] if row["used"]}
            assert used == dict(expected), base
