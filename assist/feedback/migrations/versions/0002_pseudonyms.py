"""Identifiers as keyed hashes: a table for the store's own key, and the conversation and agent ids already
stored replaced by their pseudonyms (assist.feedback.pseudonyms).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from assist.feedback.pseudonyms import KEY_NAME, new_key, pseudonym

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keys = op.create_table(
        "store_keys",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )
    stored = new_key()
    op.bulk_insert(keys, [{"name": KEY_NAME, "value": stored}])
    key = context.config.attributes.get("id_key") or stored
    connection = op.get_bind()
    for column in ("conversation_id", "agent_id"):
        values = connection.execute(sa.text(
            f"SELECT DISTINCT {column} FROM suggestions WHERE {column} IS NOT NULL")).scalars().all()
        for value in values:
            connection.execute(sa.text(f"UPDATE suggestions SET {column} = :new WHERE {column} = :old"),
                               {"new": pseudonym(key, value), "old": value})


def downgrade() -> None:
    op.drop_table("store_keys")
