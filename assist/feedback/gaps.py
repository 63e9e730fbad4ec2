"""The needs the knowledge base failed, each with why it is listed: what editors should write next.

A suggestion is a gap only when the customer's turn states a need (`states_need`: not only an answer to the
agent's question, as `policy.course.turns.answers_agent` judges it at suggest time). It is listed for each of:
no answer (flagged `knowledge_gap`), off topic (the policy judged the need something customer service does not
handle), low confidence, answers passed over (dismissed) and a thumbs-down. A dismissal or a thumbs-down is a
verdict on the suggestion only when it is about the answer the agent used, or about the leading answer when the
agent used none: a thumbs-down on the third answer of a suggestion whose first answer was used is about that
answer, not about the need.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection, or_, select

from assist.feedback import tables
from assist.feedback.events import EventKind
from assist.feedback.store import EventStore

LOW_CONFIDENCE = 0.3  # below this, the first answer is more likely wrong than right
MAX_GAPS = 5000  # the most recent gaps grouped (agglomerative grouping is quadratic in memory)
_VERDICTS = (EventKind.THUMBS_DOWN, EventKind.DISMISSED)


class GapReason(StrEnum):
    """Why a need is listed as a gap."""

    NO_ANSWER = "no_answer"  # the suggestion was flagged a knowledge gap
    OFF_TOPIC = "off_topic"  # the policy judged it something customer service does not handle
    LOW_CONFIDENCE = "low_confidence"  # answered, but below LOW_CONFIDENCE
    PASSED_OVER = "passed_over"  # the agent dismissed the answer used (or the leading one, none used)
    THUMBS_DOWN = "thumbs_down"  # a thumbs-down on the answer used (or the leading one, none used)


@dataclass(frozen=True)
class GapQuestion:
    """One unmet need: its redacted text, the suggestion it came from, and why it is listed."""

    suggestion_id: str
    text: str
    reasons: tuple[GapReason, ...] = (GapReason.NO_ANSWER,)


def gap_questions(store: EventStore, since: dt.datetime, limit: int = MAX_GAPS) -> list[GapQuestion]:
    """The unmet needs since `since`, newest first, at most `limit`, each with its reasons."""
    s, e = tables.suggestions, tables.events
    judged = select(e.c.suggestion_id).where(e.c.kind.in_([str(k) for k in _VERDICTS]), e.c.rank.is_not(None))
    candidates = (select(s.c.id, s.c.customer_turn, s.c.knowledge_gap, s.c.off_topic, s.c.confidence)
                  .where(s.c.at >= since, s.c.states_need,
                         or_(s.c.knowledge_gap, s.c.off_topic, s.c.confidence < LOW_CONFIDENCE, s.c.id.in_(judged)))
                  .order_by(s.c.at.desc(), s.c.id))
    found: list[GapQuestion] = []
    with store.engine.connect() as connection:
        for rows in connection.execute(candidates).partitions(500):
            verdicts = _verdicts(connection, [row.id for row in rows])
            for row in rows:
                reasons = _reasons(row.knowledge_gap, row.off_topic, row.confidence, verdicts.get(row.id, set()))
                if reasons and row.customer_turn.strip():
                    found.append(GapQuestion(row.id, row.customer_turn, reasons))
            if len(found) >= limit:
                break
    return found[:limit]


def _verdicts(connection: Connection, ids: list[str]) -> dict[str, set[EventKind]]:
    """Per suggestion, the verdicts (thumbs-down, dismissed) about the answer the agent used, or about the
    leading answer when the agent used none."""
    e = tables.events
    rows = connection.execute(
        select(e.c.suggestion_id, e.c.kind, e.c.rank).where(
            e.c.suggestion_id.in_(ids), e.c.rank.is_not(None),
            e.c.kind.in_([str(k) for k in (*_VERDICTS, EventKind.USED)]))).all()
    used: dict[str, set[int]] = defaultdict(set)
    for suggestion, kind, rank in rows:
        if kind == EventKind.USED:
            used[suggestion].add(rank)
    verdicts: dict[str, set[EventKind]] = defaultdict(set)
    for suggestion, kind, rank in rows:
        if kind != EventKind.USED and rank in (used[suggestion] or {1}):
            verdicts[suggestion].add(EventKind(kind))
    return verdicts


def _reasons(knowledge_gap: bool, off_topic: bool, confidence: float,
             verdicts: set[EventKind]) -> tuple[GapReason, ...]:
    """Why a suggestion is a gap, most telling first; () when it is not one."""
    reasons = [GapReason.OFF_TOPIC if off_topic else GapReason.NO_ANSWER] if knowledge_gap or off_topic else []
    if not knowledge_gap and confidence < LOW_CONFIDENCE:
        reasons.append(GapReason.LOW_CONFIDENCE)
    if EventKind.DISMISSED in verdicts:
        reasons.append(GapReason.PASSED_OVER)
    if EventKind.THUMBS_DOWN in verdicts:
        reasons.append(GapReason.THUMBS_DOWN)
    return tuple(reasons)
