"""The learning tests read a real event store, on SQLite and on PostgreSQL, as the feedback tests do."""

from tests.feedback.conftest import postgres_url, store

__all__ = ["postgres_url", "store"]
