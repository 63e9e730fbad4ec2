"""The questions the knowledge base failed, grouped by meaning: what editors should write next.

A suggestion is a gap when it was flagged `knowledge_gap`, answered with low confidence, or when the agent
gave an answer a thumbs-down or dismissed it. The redacted customer turns are embedded with the service's
own model and grouped by agglomerative clustering on cosine distance (average linkage, a distance threshold):
the number of unmet needs is not known in advance, which rules out k-means' fixed k, and a threshold keeps
one group per need however many there are. Groups come largest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sqlalchemy import or_, select

from assist.feedback import tables
from assist.feedback.events import EventKind
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder

LOW_CONFIDENCE = 0.3  # below this, the first answer is more likely wrong than right
GROUP_DISTANCE = 0.55  # cosine distance (1 - similarity) under which questions are one need (see README)
MAX_GAPS = 5000  # the most recent gaps clustered (agglomerative clustering is quadratic in memory)
BestArticle = Callable[[str], tuple[str, float] | None]


@dataclass(frozen=True)
class GapQuestion:
    """One failed question: its redacted text and the suggestion it came from."""

    suggestion_id: str
    text: str


@dataclass(frozen=True)
class GapGroup:
    """Questions of one meaning: the one closest to the group's centre, its members nearest first, and the
    best article the live index has for it (None when it has none)."""

    size: int
    representative: str
    members: tuple[GapQuestion, ...]
    best_article: str | None
    best_score: float | None

    @property
    def examples(self) -> tuple[str, ...]:
        """Three members besides the representative."""
        return tuple(m.text for m in self.members[1:4])


def gap_questions(store: EventStore, since: dt.datetime, limit: int = MAX_GAPS) -> list[GapQuestion]:
    """The failed questions since `since`, newest first, at most `limit`."""
    s, e = tables.suggestions, tables.events
    disliked = select(e.c.suggestion_id).where(e.c.kind.in_([str(EventKind.THUMBS_DOWN), str(EventKind.DISMISSED)]),
                                               e.c.rank.is_not(None))
    query = (select(s.c.id, s.c.customer_turn).where(
        s.c.at >= since, or_(s.c.knowledge_gap, s.c.confidence < LOW_CONFIDENCE, s.c.id.in_(disliked)))
        .order_by(s.c.at.desc(), s.c.id).limit(limit))
    with store.engine.connect() as connection:
        return [GapQuestion(row.id, row.customer_turn) for row in connection.execute(query)
                if row.customer_turn.strip()]


def group_gaps(questions: list[GapQuestion], embedder: Embedder, best_article: BestArticle,
               distance: float = GROUP_DISTANCE) -> list[GapGroup]:
    """Group failed questions by meaning; each group with its representative and the index's best article."""
    if not questions:
        return []
    vectors = embedder.encode([q.text for q in questions])
    if len(questions) == 1:
        labels = np.zeros(1, dtype=np.int64)
    else:
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=distance).fit_predict(vectors)
    groups = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        centre = vectors[rows].mean(axis=0)
        order = rows[np.argsort(-(vectors[rows] @ centre), kind="stable")]
        members = tuple(questions[int(i)] for i in order)
        found = best_article(members[0].text)
        groups.append(GapGroup(len(members), members[0].text, members, found[0] if found else None,
                               round(found[1], 4) if found else None))
    groups.sort(key=lambda g: (-g.size, g.representative))
    return groups
