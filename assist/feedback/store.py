"""The event store: suggestions and feedback in SQLite (one file, WAL) or PostgreSQL, by SQLAlchemy URL.

Nothing personal is written as sent: customer turns and comments are redacted, conversation and agent ids
stored as pseudonyms.

Every write is one transaction; a feedback event is acknowledged only after its commit, so it survives the
process being killed. The schema belongs to the Alembic migrations (`upgrade`), applied at start-up and by
`assist db upgrade`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from assist.errors import ConfigurationError, FeedbackNotStoredError
from assist.feedback import tables
from assist.feedback.events import FeedbackEvent, SuggestionRecord
from assist.feedback.pseudonyms import KEY_NAME, pseudonym
from assist.feedback.redactor import Redactor
from assist.retrieval.learned import Candidates

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x61737369737401  # PostgreSQL advisory lock key held while migrating ("assist" + 1)


@dataclass(frozen=True)
class Shown:
    """What a stored suggestion showed: how many answers, which actions, in which conversation."""

    answers: int
    actions: frozenset[str]
    conversation_id: str | None


class EventStore:
    """One database of suggestions and feedback events."""

    def __init__(self, url: str, id_key: str | None = None, redactor: Redactor | None = None) -> None:
        """`id_key` is the pseudonym key (ASSIST_ID_KEY); None uses the one kept in the store. `redactor` runs
        redaction (default: in this process)."""
        try:
            parsed = make_url(url)
        except Exception as exc:  # SQLAlchemy raises ArgumentError, ValueError… for a malformed URL
            raise ConfigurationError(f"ASSIST_DATABASE_URL is not a database URL: {exc}") from exc
        self.url = url
        self._configured_key = self._id_key = id_key
        self.redactor = redactor or Redactor()
        self.dialect = parsed.get_backend_name()
        self._file: Path | None = None  # SQLite's database file, watched for being deleted or replaced
        self._inode: int | None = None
        self._reopening = threading.Lock()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self._file = Path(parsed.database).resolve()
            self._file.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def upgrade(self) -> None:
        """Apply every migration not yet applied (Alembic, to head)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":  # replicas starting together migrate one after the other
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config.attributes["connection"] = connection
            config.attributes["id_key"] = self._configured_key  # ids stored before pseudonyms get this key's
            command.upgrade(config, "head")
        self._inode = self._file_inode()

    def ensure_file(self) -> None:
        """SQLite: when the database file was deleted or replaced under the running service, stop writing into
        the unlinked file (whatever went there would be acknowledged and lost) and start a new, migrated one."""
        if self._file is None or self._file_inode() == self._inode:
            return
        with self._reopening:
            inode = self._file_inode()
            if inode == self._inode:
                return  # another thread reopened it meanwhile
            if self._inode is None and inode is not None:
                self._inode = inode  # first look at a store opened without upgrade()
                return
            log.error("the event store's database file was deleted or replaced; opening a new one",
                      extra={"path": str(self._file)})
            self.engine.dispose()
            if inode is None:  # the log of a deleted database must not be replayed into the new one
                for suffix in ("-wal", "-shm", "-journal"):
                    self._file.with_name(self._file.name + suffix).unlink(missing_ok=True)
            self._id_key = self._configured_key  # a new store keeps a new key unless one is configured
            self.upgrade()

    def problem(self) -> str | None:
        """Why the store cannot keep events now, or None (a readiness probe)."""
        try:
            self.ensure_file()
        except (SQLAlchemyError, OSError) as exc:
            return f"the event store cannot be opened: {type(exc).__name__}"
        return None

    def _file_inode(self) -> int | None:
        if self._file is None:
            return None
        try:
            return self._file.stat().st_ino
        except FileNotFoundError:
            return None

    def pseudonym(self, identifier: str | None) -> str | None:
        """How the store holds (and looks up) a conversation or agent id."""
        if identifier is None:
            return None
        if self._id_key is None:
            with self.engine.connect() as connection:
                self._id_key = connection.execute(select(tables.store_keys.c.value).where(
                    tables.store_keys.c.name == KEY_NAME)).scalar_one()
        return pseudonym(self._id_key, identifier)

    def record(self, batch: Sequence[SuggestionRecord]) -> None:
        """Store suggestions, all or none (one transaction); each customer turn is redacted before it is
        written (here, on the writer's thread, not on the request's)."""
        if not batch:
            return
        self.ensure_file()
        turns = self.redactor.redact_all([r.customer_turn for r in batch], [r.agent_asked for r in batch])
        suggestions = [self._suggestion_row(r, turn) for r, turn in zip(batch, turns, strict=True)]
        with self.engine.begin() as connection:
            connection.execute(insert(tables.suggestions), suggestions)
            rows = [{"suggestion_id": r.id, **asdict(a)} for r in batch for a in r.answers]
            if rows:
                connection.execute(insert(tables.answers), rows)
            rows = [{"suggestion_id": r.id, "action": action, "decision": decision, "rule": rule}
                    for r in batch for action, decision, rule in r.decisions]
            if rows:
                connection.execute(insert(tables.decisions), rows)
            rows = [{"suggestion_id": r.id, "position": n, "action": action, "status": status}
                    for r in batch for n, (action, status) in enumerate(r.actions, start=1)]
            if rows:
                connection.execute(insert(tables.actions), rows)
            rows = [_candidates_row(r.id, r.candidates) for r in batch if r.candidates and r.candidates.passages]
            if rows:
                connection.execute(insert(tables.candidates), rows)

    def shown(self, suggestion_id: str) -> Shown | None:
        """What a stored suggestion showed, or None when the store never recorded it."""
        self.ensure_file()
        with self.engine.connect() as connection:
            row = connection.execute(select(tables.suggestions.c.conversation_id).where(
                tables.suggestions.c.id == suggestion_id)).first()
            if row is None:
                return None
            answers = connection.execute(select(func.count()).select_from(tables.answers).where(
                tables.answers.c.suggestion_id == suggestion_id)).scalar_one()
            names = connection.execute(select(tables.actions.c.action).where(
                tables.actions.c.suggestion_id == suggestion_id)).scalars().all()
            decided = connection.execute(select(tables.decisions.c.action).where(
                tables.decisions.c.suggestion_id == suggestion_id)).scalars().all()
        return Shown(int(answers), frozenset(names) | frozenset(decided), row.conversation_id)

    def add(self, feedback: FeedbackEvent) -> None:
        """Store one feedback event durably (committed before this returns); FeedbackNotStoredError if not."""
        try:
            self.ensure_file()
            with self.engine.begin() as connection:
                connection.execute(insert(tables.events).values(
                    suggestion_id=feedback.suggestion_id, at=feedback.at, kind=str(feedback.kind),
                    rank=feedback.rank, action=feedback.action,
                    outcome=str(feedback.outcome) if feedback.outcome else None, comment=feedback.comment,
                    passage_id=feedback.passage_id))
        except SQLAlchemyError as exc:
            raise FeedbackNotStoredError(f"the event store refused the event: {type(exc).__name__}") from exc

    def prune(self, before: dt.datetime) -> int:
        """Delete suggestions recorded before `before` with everything about them; how many were deleted."""
        old = select(tables.suggestions.c.id).where(tables.suggestions.c.at < before).scalar_subquery()
        with self.engine.begin() as connection:
            for child in (tables.events, tables.answers, tables.decisions, tables.actions, tables.candidates):
                connection.execute(delete(child).where(child.c.suggestion_id.in_(old)))
            result = connection.execute(delete(tables.suggestions).where(tables.suggestions.c.at < before))
        return int(result.rowcount)

    def close(self) -> None:
        """Release every pooled connection, and stop the redaction process."""
        self.engine.dispose()
        self.redactor.close()

    def redact(self, text: str) -> str:
        """`text` as the store may keep it."""
        return self.redactor.redact_all([text])[0]

    def _suggestion_row(self, record: SuggestionRecord, redacted_turn: str) -> dict[str, Any]:
        """The record's row: each column from the record's field of that name; ids as pseudonyms, the turn redacted."""
        row = {column.name: getattr(record, column.name) for column in tables.suggestions.columns}
        return row | {"conversation_id": self.pseudonym(record.conversation_id),
                      "agent_id": self.pseudonym(record.agent_id), "customer_turn": redacted_turn}


def _candidates_row(suggestion_id: str, candidates: Candidates) -> dict[str, Any]:
    """A suggestion's logged candidates as stored: names and passage keys as JSON, values as float32 bytes."""
    return {"suggestion_id": suggestion_id, "features": json.dumps(list(candidates.names)),
            "passages": json.dumps(list(candidates.passages)),
            "values": np.ascontiguousarray(candidates.values, dtype="<f4").tobytes(), "domain": candidates.domain}


def read_candidates(features: str, passages: str, values: bytes, domain: str) -> Candidates:
    """A stored candidates row back as the ranking logged it."""
    names, keys = tuple(json.loads(features)), tuple(json.loads(passages))
    matrix = np.frombuffer(values, dtype="<f4").reshape(len(keys), len(names))
    return Candidates(keys, matrix.astype(np.float32), names, domain)


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    """WAL (readers never wait for the writer), a full fsync per commit, and a wait instead of 'locked'."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
