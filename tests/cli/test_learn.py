"""`assist learn`: fits on the event store's history, publishes a ranker only when it beats the live one on the
newest events (or with --force), keeps every version it wrote, and rolls back to what it replaced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from assist.cli import app
from assist.feedback.store import EventStore
from assist.retrieval import rankers
from tests.learning.fixtures import example, record, used

runner = CliRunner()
COUNT = 150


def _history(directory: Path, newest_contradict: bool, seed: int) -> None:
    """COUNT suggestions of the last hours with the passage used; when `newest_contradict`, agents used the opposite
    of what they used before in the newest fifth (the held-back slice)."""
    store = EventStore(f"sqlite:///{directory / 'assist.db'}")
    store.upgrade()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    examples = [example(n, "from_said", highest=not (newest_contradict and n >= COUNT * 0.8), seed=seed)
                for n in range(COUNT)]
    store.record([record(e, start + dt.timedelta(seconds=n)) for n, e in enumerate(examples)])
    for e in examples:
        store.add(used(e, start))
    store.close()


def _learn(data: Path, index: Path, *args: str) -> str:
    result = runner.invoke(app, ["learn", "--index-dir", str(index), *args], env={"ASSIST_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_ranker_worse_on_the_newest_events_is_written_but_not_published(tmp_path: Path) -> None:
    _history(tmp_path, newest_contradict=True, seed=1)
    output = _learn(tmp_path, tmp_path / "indexes")
    assert "not published" in output
    assert rankers.current(tmp_path / "indexes") is None
    (name,) = rankers.names(tmp_path / "indexes")
    meta = rankers.manifest(tmp_path / "indexes", name)
    assert meta["published"] is False and meta["examples"] == COUNT and meta["held_back"] == COUNT // 5
    assert meta["figures"]["mrr"] < meta["live"]["mrr"]
    forced = _learn(tmp_path, tmp_path / "indexes", "--force")
    assert "published" in forced and "forced" in forced
    assert rankers.current(tmp_path / "indexes") is not None


def test_a_better_ranker_is_published_listed_and_rolled_back(tmp_path: Path) -> None:
    _history(tmp_path, newest_contradict=False, seed=2)
    index = tmp_path / "indexes"
    assert "it beats the live ranker" in _learn(tmp_path, index)
    (name,) = rankers.names(index)
    assert rankers.current(index) == name
    listed = _learn(tmp_path, index, "list")
    assert name in listed and "live" in listed
    assert f"rolled back from {name} to the hand weights" in _learn(tmp_path, index, "rollback")
    assert rankers.current(index) is None


def test_learning_from_too_little_history_says_what_is_needed(tmp_path: Path) -> None:
    EventStore(f"sqlite:///{tmp_path / 'assist.db'}").upgrade()
    result = runner.invoke(app, ["learn", "--index-dir", str(tmp_path / "indexes")],
                           env={"ASSIST_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "0 examples" in result.output and "assist eval replay" in " ".join(result.output.split())
