"""What the ranking saw when it made a suggestion: the best candidate passages and their feature values, so that
`assist learn` fits on the call as it was at that moment (feature logging), not on a re-ranking done later.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("suggestion_id", sa.String(40), sa.ForeignKey("suggestions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("features", sa.Text, nullable=False),
        sa.Column("passages", sa.Text, nullable=False),
        sa.Column("values", sa.LargeBinary, nullable=False),
        sa.Column("domain", sa.String(128), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("candidates")
