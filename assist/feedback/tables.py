"""The event store's tables (SQLAlchemy Core): what was suggested, and what the agent did with it.

The schema is created and changed only by the Alembic migrations beside this module; these definitions are
what the code reads and writes, and a test checks that the migrations produce exactly them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData()

suggestions = Table(
    "suggestions", metadata,
    Column("id", String(40), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("conversation_id", String(128)),  # a pseudonym (assist.feedback.pseudonyms), as agent_id
    Column("segment", String(128)),
    Column("agent_id", String(128)),
    Column("agent_role", String(128)),
    Column("index_version", String(128), nullable=False),
    Column("customer_turn", Text, nullable=False),  # redacted before it is written
    Column("confidence", Float, nullable=False),
    Column("knowledge_gap", Boolean, nullable=False),
    Column("states_need", Boolean, nullable=False, server_default=true()),  # not only an answer to the agent
    Column("off_topic", Boolean, nullable=False, server_default=false()),  # a need customer service does not handle
    Index("ix_suggestions_at", "at"),
    Index("ix_suggestions_conversation", "conversation_id"),
)

answers = Table(
    "answers", metadata,
    Column("suggestion_id", String(40), ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, primary_key=True),  # 1-based, as shown
    Column("article_id", String(256), nullable=False),
    Column("passage_id", String(300), nullable=False),
    Column("score", Float, nullable=False),
    Index("ix_answers_article", "article_id"),
)

decisions = Table(
    "decisions", metadata,
    Column("suggestion_id", String(40), ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True),
    Column("action", String(128), primary_key=True),
    Column("decision", String(16), nullable=False),
    Column("rule", String(256), nullable=False),
)

actions = Table(
    "actions", metadata,
    Column("suggestion_id", String(40), ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),  # 1-based, as shown
    Column("action", String(128), nullable=False),
    Column("status", String(16)),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("suggestion_id", String(40), ForeignKey("suggestions.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("rank", Integer),  # the answer it is about
    Column("action", String(128)),  # or the action
    Column("outcome", String(16)),  # kind "outcome": how the conversation ended
    Column("comment", Text),  # redacted
    Column("passage_id", String(300)),  # kind "used": the passage used, whether suggested or found by search
    Index("ix_events_suggestion", "suggestion_id"),
    Index("ix_events_at", "at"),
)

candidates = Table(
    "candidates", metadata,
    Column("suggestion_id", String(40), ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True),
    Column("features", Text, nullable=False),  # JSON: the feature names, in column order
    Column("passages", Text, nullable=False),  # JSON: the candidates' passage keys, best first
    Column("values", LargeBinary, nullable=False),  # float32 little-endian, one row per passage
    Column("domain", String(128), nullable=False, server_default=""),  # the best candidate's article's domain
)

store_keys = Table(
    "store_keys", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),  # the pseudonym key when ASSIST_ID_KEY is not set
)
