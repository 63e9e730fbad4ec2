"""Alembic environment: migrations run on the connection the event store passes in (never from an ini file)."""

from __future__ import annotations

from alembic import context

from assist.feedback.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through assist.feedback.store.EventStore.upgrade (assist db upgrade)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
