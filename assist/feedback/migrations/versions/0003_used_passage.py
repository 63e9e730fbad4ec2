"""A `used` event may name the passage the agent used, whether the suggestion showed it or the agent found it
by search (POST /v1/search): the strongest signal learning has.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("passage_id", sa.String(300), nullable=True))


def downgrade() -> None:
    op.drop_column("events", "passage_id")
