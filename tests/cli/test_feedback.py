"""`assist db prune`: the retention period is validated before anything is deleted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from assist.cli import app
from assist.feedback import tables
from assist.feedback.events import SuggestionRecord
from assist.feedback.store import EventStore

runner = CliRunner()


def _store_with_one_old_suggestion(directory: Path) -> EventStore:
    store = EventStore(f"sqlite:///{directory / 'assist.db'}")
    store.upgrade()
    store.record([SuggestionRecord(
        id="sg_old", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3), conversation_id="c", segment="gold",
        agent_id="a", agent_role="tier1", index_version="v1", customer_turn="hello", confidence=0.5,
        knowledge_gap=False, answers=(), decisions=(), actions=())])
    return store


def _count(store: EventStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(tables.suggestions)).scalar_one())


@pytest.mark.parametrize("days", ["-5", "0", "99999999"])
def test_db_prune_refuses_days_out_of_range_with_a_usage_error_and_deletes_nothing(tmp_path: Path, days: str) -> None:
    store = _store_with_one_old_suggestion(tmp_path)
    result = runner.invoke(app, ["db", "prune", "--days", days], env={"ASSIST_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2, result.output
    assert "--days" in result.output and "Traceback" not in result.output
    assert _count(store) == 1


def test_db_prune_with_valid_days_deletes_only_older_suggestions(tmp_path: Path) -> None:
    store = _store_with_one_old_suggestion(tmp_path)
    kept = runner.invoke(app, ["db", "prune", "--days", "7"], env={"ASSIST_DATA_DIR": str(tmp_path)})
    assert kept.exit_code == 0 and "deleted 0 suggestions older than 7 days" in kept.output
    assert _count(store) == 1
    pruned = runner.invoke(app, ["db", "prune", "--days", "1"], env={"ASSIST_DATA_DIR": str(tmp_path)})
    assert pruned.exit_code == 0 and "deleted 1 suggestions older than 1 days" in pruned.output
    assert _count(store) == 0
