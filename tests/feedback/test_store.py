"""The event store: migrations, recording, feedback, retention and reports, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from assist.errors import FeedbackNotStoredError, FeedbackRejectedError, UnknownSuggestionError
from assist.feedback import tables
from assist.feedback.events import EventKind, FeedbackEvent, Outcome, ShownAnswer, SuggestionRecord
from assist.feedback.recorder import Recorder
from assist.feedback.reports import action_report, article_report, period_start
from assist.feedback.store import EventStore
from tests.conftest import logged_text
from tests.feedback.conftest import drop_store

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _record(n: int, at: dt.datetime = NOW, articles: tuple[str, ...] = ("returns", "shipping"),
            segment: str = "gold", gap: bool = False, conversation: str | None = None) -> SuggestionRecord:
    return SuggestionRecord(
        id=f"sg_{n:026d}", at=at, conversation_id=conversation or f"call-{n}", segment=segment, agent_id="a1",
        agent_role="tier1", index_version="v1", customer_turn=f"question {n}", confidence=0.1 if gap else 0.8,
        knowledge_gap=gap,
        answers=tuple(ShownAnswer(rank, a, f"{a}#0", 3.0 - rank) for rank, a in enumerate(articles, start=1)),
        decisions=(("return_item", "allowed", "returns.gold"),), actions=(("pull-up-account", "current"),))


def test_migrations_create_exactly_the_tables_the_code_uses(store: EventStore) -> None:
    found = inspect(store.engine)
    for table in tables.metadata.sorted_tables:
        assert {c["name"] for c in found.get_columns(table.name)} == {c.name for c in table.columns}
    store.upgrade()  # a second upgrade is a no-op


def test_recorded_suggestions_and_feedback_are_read_back(store: EventStore) -> None:
    store.record([_record(1), _record(2)])
    shown = store.shown(_record(1).id)
    assert shown is not None and shown.answers == 2 and shown.conversation_id == store.pseudonym("call-1")
    assert shown.actions == {"pull-up-account", "return_item"}
    assert store.shown("sg_" + "9" * 26) is None
    store.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=1))
    with store.engine.connect() as connection:
        rows = connection.execute(select(tables.events.c.kind, tables.events.c.rank)).all()
    assert [tuple(r) for r in rows] == [("used", 1)]


def test_recorder_writes_in_the_background_and_checks_feedback_against_the_suggestion(store: EventStore) -> None:
    recorder = Recorder(store)
    try:
        assert recorder.submit(_record(1))
        recorder.add(FeedbackEvent(_record(1).id, EventKind.THUMBS_UP, NOW, rank=2))  # waits for the write
        with pytest.raises(UnknownSuggestionError):
            recorder.add(FeedbackEvent("sg_" + "7" * 26, EventKind.USED, NOW, rank=1))
        with pytest.raises(FeedbackRejectedError, match="rank: the suggestion showed 2 answers, not 3"):
            recorder.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=3))
        with pytest.raises(FeedbackRejectedError, match="action"):
            recorder.add(FeedbackEvent(_record(1).id, EventKind.DISMISSED, NOW, action="refund_everything"))
        recorder.add(FeedbackEvent(_record(1).id, EventKind.DISMISSED, NOW, action="pull-up-account"))
        recorder.add(FeedbackEvent(_record(1).id, EventKind.COMMENT, NOW, comment="mail me at jo@example.com"))
        assert recorder.flush() and recorder.recorded == 1
    finally:
        recorder.close()
    with store.engine.connect() as connection:
        comments = connection.execute(select(tables.events.c.comment).where(
            tables.events.c.comment.is_not(None))).scalars().all()
    assert comments == ["mail me at [EMAIL]"]


def test_a_full_queue_drops_and_counts_instead_of_waiting(store: EventStore) -> None:
    recorder = Recorder(store, capacity=1)
    try:
        results = [recorder.submit(_record(n)) for n in range(1, 200)]
        assert recorder.flush()
        assert recorder.recorded + recorder.dropped == 199 and recorder.dropped == results.count(False)
    finally:
        recorder.close()


def test_a_store_that_refuses_writes_is_counted_and_feedback_is_a_clear_error(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    store.upgrade()
    with store.engine.begin() as connection:  # the database goes wrong under the running service
        connection.execute(text("DROP TABLE suggestions"))
    recorder = Recorder(store, retry_seconds=0.5)
    try:
        recorder.submit(_record(1))
        assert recorder.flush() and recorder.failed == 1 and recorder.recorded == 0
        with pytest.raises(FeedbackNotStoredError):
            recorder.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=1))
    finally:
        recorder.close()


def test_prune_deletes_old_suggestions_with_their_feedback_and_keeps_the_rest(store: EventStore) -> None:
    old = NOW - dt.timedelta(days=100)
    store.record([_record(1, at=old), _record(2)])
    store.add(FeedbackEvent(_record(1).id, EventKind.USED, old, rank=1))
    store.add(FeedbackEvent(_record(2).id, EventKind.USED, NOW, rank=1))
    assert store.prune(NOW - dt.timedelta(days=90)) == 1
    assert store.shown(_record(1).id) is None and store.shown(_record(2).id) is not None
    with store.engine.connect() as connection:
        assert connection.execute(select(tables.events.c.suggestion_id)).scalars().all() == [_record(2).id]


def test_article_report_counts_what_agents_did_and_resolutions(store: EventStore) -> None:
    store.record([_record(1, conversation="c1"), _record(2, conversation="c2", articles=("shipping", "returns")),
                  _record(3, at=NOW - dt.timedelta(days=30))])
    for suggestion, kind, rank in [(1, EventKind.USED, 1), (1, EventKind.THUMBS_UP, 1), (1, EventKind.OPENED, 2),
                                   (2, EventKind.USED, 2), (2, EventKind.THUMBS_DOWN, 1)]:
        store.add(FeedbackEvent(_record(suggestion).id, kind, NOW, rank=rank))
    store.add(FeedbackEvent(_record(1).id, EventKind.OUTCOME, NOW, outcome=Outcome.RESOLVED))
    store.add(FeedbackEvent(_record(2).id, EventKind.OUTCOME, NOW, outcome=Outcome.ESCALATED))
    report = article_report(store, NOW - dt.timedelta(days=7), served=["returns", "shipping", "privacy"])
    by_id = {a.article_id: a for a in report.articles}
    assert (by_id["returns"].shown, by_id["returns"].shown_first, by_id["returns"].used) == (2, 1, 2)
    assert (by_id["returns"].thumbs_up, by_id["returns"].resolved_when_used) == (1, 0.5)
    assert (by_id["shipping"].opened, by_id["shipping"].thumbs_down, by_id["shipping"].used) == (1, 1, 0)
    assert by_id["shipping"].resolved_when_used is None
    assert report.never_shown == ("privacy",)


def test_article_report_counts_passages_found_by_search_apart_from_answers_used(store: EventStore) -> None:
    store.record([_record(1), _record(2, articles=("shipping",))])
    store.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=1))
    store.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, passage_id="privacy#3"))  # never suggested
    store.add(FeedbackEvent(_record(2).id, EventKind.USED, NOW, passage_id="returns#0"))  # shown elsewhere, not here
    report = article_report(store, NOW - dt.timedelta(days=7), served=["returns", "shipping", "privacy", "fees"])
    by_id = {a.article_id: a for a in report.articles}
    assert (by_id["returns"].used, by_id["returns"].found) == (1, 1)
    assert (by_id["privacy"].shown, by_id["privacy"].used, by_id["privacy"].found) == (0, 0, 1)
    assert (by_id["shipping"].used, by_id["shipping"].found) == (0, 0)
    assert report.never_shown == ("fees", "privacy")  # found by search is not shown by the suggestions


def test_action_report_counts_decisions_by_segment_and_rule(store: EventStore) -> None:
    store.record([_record(1, segment="gold"), _record(2, segment="gold"), _record(3, segment="silver")])
    report = action_report(store, NOW - dt.timedelta(days=1))
    assert [(a.action, a.segment, a.allowed, a.denied, a.ask) for a in report.actions] == [
        ("return_item", "gold", 2, 0, 0), ("return_item", "silver", 1, 0, 0)]
    assert report.rules == (("returns.gold", 3),)


@pytest.mark.parametrize(("period", "delta"), [("7d", dt.timedelta(days=7)), ("24h", dt.timedelta(hours=24)),
                                                ("2w", dt.timedelta(weeks=2))])
def test_a_period_ends_now(period: str, delta: dt.timedelta) -> None:
    assert period_start(period, NOW) == NOW - delta


@pytest.mark.parametrize("bad", ["7", "d7", "7 days", "-1d", ""])
def test_a_malformed_period_names_itself(bad: str) -> None:
    with pytest.raises(ValueError, match=repr(bad)):
        period_start(bad, NOW)


def test_replicas_migrating_postgresql_at_the_same_moment_both_succeed(postgres_url: str) -> None:
    stores = [EventStore(postgres_url) for _ in range(3)]
    failures: list[BaseException] = []

    def migrate(store: EventStore) -> None:
        try:
            store.upgrade()
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=migrate, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert failures == []
        assert {t.name for t in tables.metadata.sorted_tables} <= set(inspect(stores[0].engine).get_table_names())
    finally:
        drop_store(stores[0])
        for store in stores:
            store.close()


def test_feedback_about_an_unknown_id_from_the_future_or_the_past_is_refused_at_once(store: EventStore) -> None:
    recorder = Recorder(store)
    try:
        for suggestion_id in ("sg_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "sg_01J00000000000000000000000"):
            with pytest.raises(UnknownSuggestionError):
                recorder.add(FeedbackEvent(suggestion_id, EventKind.USED, NOW, rank=1))
    finally:
        recorder.close()


def test_the_customer_turn_is_redacted_before_it_is_written(store: EventStore) -> None:
    said = replace(_record(1), customer_turn="card 4111 1111 1111 1111, mail jo@example.com, order 4471203")
    store.record([said])
    with store.engine.connect() as connection:
        stored = connection.execute(select(tables.suggestions.c.customer_turn)).scalar_one()
    assert stored == "card [CARD], mail [EMAIL], order 4471203"


def test_conversation_and_agent_ids_are_stored_as_keyed_pseudonyms_that_still_join_a_call(store: EventStore) -> None:
    phone, mail = "+1 415 555 0132", "dana.whitfield@example.com"
    store.record([replace(_record(n), conversation_id=phone, agent_id=mail) for n in (1, 2)])
    with store.engine.connect() as connection:
        rows = connection.execute(select(tables.suggestions.c.conversation_id, tables.suggestions.c.agent_id)).all()
    assert {tuple(r) for r in rows} == {(store.pseudonym(phone), store.pseudonym(mail))}  # one call, joinable
    assert phone not in str(rows) and mail not in str(rows)
    assert store.pseudonym(phone) != EventStore(store.url, id_key="another key").pseudonym(phone)


def test_the_sqlite_files_never_hold_a_raw_id(tmp_path: Path) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    store.upgrade()
    store.record([replace(_record(1), conversation_id="+1 415 555 0132", agent_id="agent.ann@example.com")])
    files = list(tmp_path.iterdir())
    assert any(f.name.endswith("-wal") for f in files)  # the write-ahead log is searched too
    for file in files:
        data = file.read_bytes()
        assert b"415 555 0132" not in data and b"agent.ann@example.com" not in data, file
    store.close()


def test_upgrading_a_store_from_before_pseudonyms_replaces_the_ids_it_holds(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from assist.feedback.store import MIGRATIONS

    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}", id_key="site key")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO suggestions (id, at, conversation_id, agent_id, index_version, "
                                "customer_turn, confidence, knowledge_gap) VALUES ('sg_1', '2026-11-01 00:00:00', "
                                "'555-0132', 'ann@example.com', 'v1', 'hi', 0.5, 0)"))
    store.upgrade()
    with store.engine.connect() as connection:
        row = connection.execute(select(tables.suggestions.c.conversation_id, tables.suggestions.c.agent_id)).one()
    assert tuple(row) == (store.pseudonym("555-0132"), store.pseudonym("ann@example.com"))


def test_a_database_file_deleted_under_the_service_is_reopened_and_nothing_is_acknowledged_into_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "assist.db"
    store = EventStore(f"sqlite:///{path}")
    store.upgrade()
    recorder = Recorder(store)
    try:
        assert recorder.submit(_record(1)) and recorder.flush()
        for file in tmp_path.glob("assist.db*"):  # rm data/assist.db*
            file.unlink()
        with pytest.raises(UnknownSuggestionError):  # its suggestion went with the file: not "recorded"
            recorder.add(FeedbackEvent(_record(1).id, EventKind.USED, NOW, rank=1))
        assert path.exists() and store.problem() is None
        assert recorder.submit(_record(2)) and recorder.flush()
        recorder.add(FeedbackEvent(_record(2).id, EventKind.USED, NOW, rank=1))
    finally:
        recorder.close()
    reopened = EventStore(f"sqlite:///{path}")  # after a restart, what was acknowledged is there
    with reopened.engine.connect() as connection:
        assert connection.execute(select(tables.events.c.suggestion_id)).scalars().all() == [_record(2).id]
    reopened.close()


def test_suggestions_refused_during_a_long_lock_are_retried_and_logged_without_request_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "assist.db"
    store = EventStore(f"sqlite:///{path}")
    store.upgrade()
    recorder = Recorder(store)
    said = replace(_record(1), customer_turn="my parcel never came, order 5531")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # longer than the store's busy timeout (5 s)
    try:
        with caplog.at_level(logging.WARNING, logger="assist.feedback.recorder"):
            assert recorder.submit(said)
            deadline = time.monotonic() + 30
            while not any("trying again" in r.message for r in caplog.records):
                assert time.monotonic() < deadline, "the write was never refused"
                time.sleep(0.1)
            with pytest.raises(FeedbackNotStoredError, match="try again"):  # a 503, not a 404 forever
                recorder.add(FeedbackEvent(said.id, EventKind.USED, NOW, rank=1))
            locker.execute("ROLLBACK")
            assert recorder.flush(30) and recorder.recorded == 1 and recorder.failed == 0
        recorder.add(FeedbackEvent(said.id, EventKind.USED, NOW, rank=1))
        logged = logged_text(caplog.records)
        assert "5531" not in logged and "parcel" not in logged and "database is locked" in logged
    finally:
        locker.close()
        recorder.close()


def test_the_agents_question_before_a_reply_lets_the_store_redact_a_bare_name(store: EventStore) -> None:
    store.record([replace(_record(1), customer_turn="Dana Whitfield", agent_asked="Can I have your full name?")])
    with store.engine.connect() as connection:
        assert connection.execute(select(tables.suggestions.c.customer_turn)).scalar_one() == "[PERSON]"
