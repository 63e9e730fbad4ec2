"""Whether a suggestion's customer turn states a need (not only an answer to the agent's question), and whether
the policy judged that need off topic: the gap report lists needs only, with the reason each is listed.

Suggestions stored before this revision count as needs (as the gap report read them then), none off topic.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("states_need", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("off_topic", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("off_topic")
        batch.drop_column("states_need")
