"""The throw-away PostgreSQL server the tests use (tests/postgres.py) starts, takes a connection, and stops."""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.postgres import PostgresUnavailable, postgres_server


def test_a_throwaway_postgres_accepts_connections_and_stops() -> None:
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except PostgresUnavailable as unavailable:
            pytest.skip(str(unavailable))
        engine = create_engine(url)
        stack.callback(engine.dispose)
        with engine.begin() as connection:
            connection.execute(text("create table notes (id integer primary key, body text not null)"))
            connection.execute(text("insert into notes (id, body) values (1, :body)"), {"body": "hello"})
        with engine.connect() as connection:
            rows = connection.execute(text("select id, body from notes")).all()
        assert [tuple(row) for row in rows] == [(1, "hello")]

    # Stopped: nothing answers on its port any more.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2).close()
