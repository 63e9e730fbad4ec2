"""The event store under test: every store test runs on SQLite and on a real, throw-away PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from assist.feedback import tables
from assist.feedback.store import EventStore
from tests.postgres import PostgresUnavailable, postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server for the session (skipped, saying why, where none can be started)."""
    try:
        with postgres_server() as url:
            yield url
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    """A migrated, empty store on each database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'assist.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = EventStore(url)
    opened.upgrade()
    yield opened
    if request.param == "postgresql":  # one server for the session: leave it empty for the next test
        drop_store(opened)
    opened.close()


def drop_store(store: EventStore) -> None:
    """Empty the shared PostgreSQL for the next test: every table the migrations made."""
    tables.metadata.drop_all(store.engine)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
