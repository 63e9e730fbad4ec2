"""The event store: suggestions, the answers, decisions and actions they showed, and feedback events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(128)),
        sa.Column("segment", sa.String(128)),
        sa.Column("agent_id", sa.String(128)),
        sa.Column("agent_role", sa.String(128)),
        sa.Column("index_version", sa.String(128), nullable=False),
        sa.Column("customer_turn", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("knowledge_gap", sa.Boolean, nullable=False),
    )
    op.create_index("ix_suggestions_at", "suggestions", ["at"])
    op.create_index("ix_suggestions_conversation", "suggestions", ["conversation_id"])
    op.create_table(
        "answers",
        sa.Column("suggestion_id", sa.String(40), sa.ForeignKey("suggestions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.String(256), nullable=False),
        sa.Column("passage_id", sa.String(300), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_answers_article", "answers", ["article_id"])
    op.create_table(
        "decisions",
        sa.Column("suggestion_id", sa.String(40), sa.ForeignKey("suggestions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("action", sa.String(128), primary_key=True),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(256), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("suggestion_id", sa.String(40), sa.ForeignKey("suggestions.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16)),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("suggestion_id", sa.String(40), sa.ForeignKey("suggestions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer),
        sa.Column("action", sa.String(128)),
        sa.Column("outcome", sa.String(16)),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_events_suggestion", "events", ["suggestion_id"])
    op.create_index("ix_events_at", "events", ["at"])


def downgrade() -> None:
    for table in ("events", "actions", "decisions", "answers", "suggestions"):
        op.drop_table(table)
