"""What editors read: how articles are used, how policies decide, from the event store over a period."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from assist.feedback import tables
from assist.feedback.events import EventKind, Outcome
from assist.feedback.store import EventStore
from assist.knowledge.passages import article_of

_PERIOD = re.compile(r"(\d{1,5})([dhw])")
_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def period_start(period: str, now: dt.datetime | None = None) -> dt.datetime:
    """The start of a period such as 7d, 24h or 2w ending now; ValueError naming the value otherwise."""
    match = _PERIOD.fullmatch(period.strip())
    if match is None:
        raise ValueError(f"{period!r}: expected a number and d, h or w (7d, 24h, 2w)")
    return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class ArticleUse:
    """One article's use over the period."""

    article_id: str
    shown: int
    shown_first: int
    opened: int
    used: int
    thumbs_up: int
    thumbs_down: int
    used_rate: float
    resolved_when_used: float | None  # share of the conversations it was used in that ended resolved
    found: int = 0  # used though no suggestion showed it: the agent found it by search (what suggestions missed)


@dataclass(frozen=True)
class ArticleReport:
    """Every article shown (or found by search and used) in the period, most shown first, and the served articles
    never shown."""

    articles: tuple[ArticleUse, ...]
    never_shown: tuple[str, ...]


@dataclass(frozen=True)
class ActionCount:
    """Decisions for one action and segment."""

    action: str
    segment: str | None
    allowed: int
    denied: int
    ask: int


@dataclass(frozen=True)
class ActionReport:
    """Decisions by action and segment, and the rules that decided most."""

    actions: tuple[ActionCount, ...]
    rules: tuple[tuple[str, int], ...]


def article_report(store: EventStore, since: dt.datetime, served: Iterable[str] = ()) -> ArticleReport:
    """How each article was used since `since`; `served` (the live index's articles) finds the unused."""
    s, a, e = tables.suggestions, tables.answers, tables.events
    in_period = s.c.at >= since
    with store.engine.connect() as connection:
        shown = connection.execute(
            select(a.c.article_id, func.count(), func.sum(case((a.c.rank == 1, 1), else_=0)))
            .join(s, s.c.id == a.c.suggestion_id).where(in_period).group_by(a.c.article_id)).all()
        acted = connection.execute(
            select(a.c.article_id, e.c.kind, s.c.conversation_id)
            .join(a, and_(a.c.suggestion_id == e.c.suggestion_id, a.c.rank == e.c.rank))
            .join(s, s.c.id == e.c.suggestion_id).where(in_period)).all()
        endings = connection.execute(
            select(s.c.conversation_id, e.c.outcome).join(s, s.c.id == e.c.suggestion_id)
            .where(in_period, e.c.kind == str(EventKind.OUTCOME)).order_by(e.c.at, e.c.id)).all()
        named = connection.execute(
            select(e.c.passage_id).join(s, s.c.id == e.c.suggestion_id)
            .where(in_period, e.c.kind == str(EventKind.USED), e.c.passage_id.is_not(None))).scalars().all()
    found = Counter(article_of(passage) for passage in named)
    outcome = {conversation: ended for conversation, ended in endings if conversation is not None}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    used_in: dict[str, set[str]] = defaultdict(set)
    for article_id, kind, conversation in acted:
        kinds[article_id][kind] += 1
        if kind == EventKind.USED and conversation is not None:
            used_in[article_id].add(conversation)
    uses = []
    rows = [*shown, *((article_id, 0, 0) for article_id in sorted(set(found) - {row[0] for row in shown}))]
    for article_id, count, first in rows:
        k, calls = kinds[article_id], used_in[article_id]
        ended = [outcome[c] for c in calls if c in outcome]
        resolved = sum(1 for o in ended if o == Outcome.RESOLVED) / len(ended) if ended else None
        uses.append(ArticleUse(article_id, int(count), int(first or 0), k[EventKind.OPENED], k[EventKind.USED],
                               k[EventKind.THUMBS_UP], k[EventKind.THUMBS_DOWN],
                               round(k[EventKind.USED] / count, 4) if count else 0.0,
                               round(resolved, 4) if resolved is not None else None, found[article_id]))
    uses.sort(key=lambda u: (-u.shown, u.article_id))
    seen = {u.article_id for u in uses if u.shown}
    return ArticleReport(tuple(uses), tuple(sorted(set(served) - seen)))


def action_report(store: EventStore, since: dt.datetime, top_rules: int = 10) -> ActionReport:
    """Allowed / denied / ask per policy action and segment since `since`, and the rules that fired most."""
    s, d = tables.suggestions, tables.decisions
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(d.c.action, s.c.segment, d.c.decision, func.count()).join(s, s.c.id == d.c.suggestion_id)
            .where(s.c.at >= since).group_by(d.c.action, s.c.segment, d.c.decision)).all()
        rules = connection.execute(
            select(d.c.rule, func.count().label("n")).join(s, s.c.id == d.c.suggestion_id)
            .where(s.c.at >= since).group_by(d.c.rule).order_by(func.count().desc(), d.c.rule)
            .limit(top_rules)).all()
    counts: dict[tuple[str, str | None], Counter[str]] = defaultdict(Counter)
    for action, segment, decision, n in rows:
        counts[(action, segment)][decision] += int(n)
    actions = tuple(ActionCount(action, segment, c["allowed"], c["denied"], c["ask"])
                    for (action, segment), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")))
    return ActionReport(actions, tuple((rule, int(n)) for rule, n in rules))
