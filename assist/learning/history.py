"""What agents used, read back from the event store as ranking examples: the candidates a suggestion's ranking saw
(as logged then), and which of them the agent used, whether the suggestion showed it or the agent found it by search.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import and_, select

from assist.feedback import tables
from assist.feedback.events import EventKind
from assist.feedback.store import EventStore, read_candidates
from assist.retrieval.learned import LOGGED, Candidates


@dataclass(frozen=True)
class Example:
    """One suggestion with a passage the agent used: its logged candidates and which of them were used."""

    suggestion_id: str
    at: dt.datetime
    candidates: Candidates
    labels: np.ndarray  # 1.0 for a candidate the agent used, 0.0 for one passed over
    found: bool  # a used passage the suggestion did not show: the agent found it by search


@dataclass(frozen=True)
class History:
    """The examples of a period, oldest first, and what could not become one."""

    examples: tuple[Example, ...]
    since: dt.datetime
    until: dt.datetime
    used: int  # suggestions with a `used` event in the period
    unlogged: int  # …whose candidates were not logged (recorded before logging began, or an empty ranking)
    stale: int  # …logged by code that computed other features than this code's model reads
    not_among: int  # …whose used passage was not among the logged candidates


def read_history(store: EventStore, since: dt.datetime, until: dt.datetime) -> History:
    """The examples of suggestions made in [since, until) that the agent used a passage of."""
    s, e, a, c = tables.suggestions, tables.events, tables.answers, tables.candidates
    used_events = (
        select(s.c.id, s.c.at, e.c.passage_id, a.c.passage_id.label("shown"))
        .join(e, e.c.suggestion_id == s.c.id)
        .outerjoin(a, and_(a.c.suggestion_id == e.c.suggestion_id, a.c.rank == e.c.rank))
        .where(s.c.at >= since, s.c.at < until, e.c.kind == str(EventKind.USED))
    )
    used: dict[str, set[str]] = defaultdict(set)
    when: dict[str, dt.datetime] = {}
    shown_used: dict[str, bool] = defaultdict(bool)
    with store.engine.connect() as connection:
        for row in connection.execute(used_events):
            key = row.passage_id or row.shown
            if key is None:
                continue
            used[row.id].add(key)
            when[row.id] = row.at
            shown_used[row.id] |= row.passage_id is None or row.passage_id == row.shown
        logged = {row.suggestion_id: read_candidates(row.features, row.passages, row.values, row.domain)
                  for row in connection.execute(select(c).where(c.c.suggestion_id.in_(list(used))))} if used else {}
    examples, not_among, stale = [], 0, 0
    for suggestion_id in sorted(used, key=lambda i: (when[i], i)):
        candidates = logged.get(suggestion_id)
        if candidates is None:
            continue
        if not set(LOGGED) <= set(candidates.names):
            stale += 1
            continue
        labels = np.array([1.0 if key in used[suggestion_id] else 0.0 for key in candidates.passages],
                          dtype=np.float32)
        if not labels.any():
            not_among += 1
            continue
        examples.append(Example(suggestion_id, when[suggestion_id], candidates, labels,
                                found=not shown_used[suggestion_id]))
    return History(tuple(examples), since, until, len(used), len(used) - len(logged), stale, not_among)
