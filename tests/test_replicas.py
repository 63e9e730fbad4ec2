"""Two `assist serve` replicas behind one index directory and one PostgreSQL event store act as one service."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FIXTURE_KB
from tests.postgres import PostgresUnavailable, postgres_server
from tests.served import ADMIN_KEY, ASSIST, environment, ready_version, replica, wait_for

ISSUE = {"issue": "my shirt arrived stained"}
PUBLISH_GUARD_S = 60.0  # both replicas name the version `assist index update` published
RECORDED_GUARD_S = 10.0  # the other replica wrote its suggestion to the store (written in batches, off the hot path)


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

    wait_for(stored, RECORDED_GUARD_S, lambda: f"{base} never saw {suggestion_id}: {replies[-1].text}")
    assert replies[-1].status_code == 200, replies[-1].text


def test_two_replicas_share_one_index_directory_and_one_store(tmp_path: Path, index_dir: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)  # mtimes kept: the fixture index is up to date, nothing rebuilt
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except PostgresUnavailable as unavailable:
            pytest.skip(str(unavailable))
        a = stack.enter_context(replica(knowledge, index_dir, url, tmp_path / "a"))
        b = stack.enter_context(replica(knowledge, index_dir, url, tmp_path / "b"))
        first = ready_version(a)
        assert first is not None
        assert ready_version(b) == first

        article = knowledge / "returns-stain.md"
        article.write_text(article.read_text() + "\nA stained item may also be exchanged for the same size.\n")
        update = subprocess.run([ASSIST, "index", "update", "--knowledge", str(knowledge), "--index-dir",
                                 str(index_dir)], env=environment(url, tmp_path), cwd=tmp_path,
                                capture_output=True, text=True, timeout=120, check=False)
        assert update.returncode == 0, update.stdout + update.stderr
        wait_for(lambda: ready_version(a) == ready_version(b) != first, PUBLISH_GUARD_S,
                  lambda: f"still serving {ready_version(a)} (A) and {ready_version(b)} (B), not a new version")
        second = ready_version(a)
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
