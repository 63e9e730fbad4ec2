"""The gap report measured from outside, behind `assist eval gaps`: are off-topic needs listed, are in-scope
questions not, are answers to the agent kept out, and does grouping keep a theme together without mixing themes?

Every call goes the product's way: `KnowledgeService.suggest` → `suggestion_record` → `EventStore.record`
(redaction included) → `gap_questions` → `group_gaps`, on a throw-away SQLite store.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assist.call import Call, Turn
from assist.feedback.events import suggestion_record
from assist.feedback.gaps import GapQuestion, gap_questions
from assist.feedback.grouping import GapGroup, group_gaps
from assist.feedback.store import EventStore
from assist.service import KnowledgeService

ANSWER = "(answer to the agent)"  # the label of a turn that only answers the agent: never to be a gap
_BATCH = 200


@dataclass(frozen=True)
class Labelled:
    """A call ending in a customer turn, and its theme (ANSWER for a reply to the agent's question)."""

    call: Call
    label: str


@dataclass(frozen=True)
class Grouping:
    """How the listed gaps of a labelled set were grouped: per theme the most of its calls in one group (of how
    many), the groups holding more than one label, and how many answers to the agent were listed."""

    largest: dict[str, tuple[int, int]]
    mixed: list[list[str]]
    answers_listed: int
    answers: int
    groups: list[GapGroup]


def read_themes(path: Path) -> list[Labelled]:
    """A JSONL file of {"theme", "text"}: each text the first turn of its own call."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(Call(transcript=(Turn("customer", r["text"]),)), r["theme"]) for r in rows]


def read_answers(path: Path) -> list[Labelled]:
    """A JSONL file of {"agent", "text"}: the agent's question, then the customer's reply to it."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    opening = Turn("customer", "Hi, I'm calling about my account.")
    return [Labelled(Call(transcript=(opening, Turn("agent", r["agent"]), Turn("customer", r["text"]))), ANSWER)
            for r in rows]


def listed(service: KnowledgeService, calls: Sequence[Call], today: dt.date) -> list[GapQuestion | None]:
    """For each call, its gap as the report lists it, or None when it is not listed."""
    at = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as directory:
        store = EventStore(f"sqlite:///{Path(directory) / 'gaps.db'}")
        store.upgrade()
        try:
            ids = []
            for start in range(0, len(calls), _BATCH):
                records = [suggestion_record(service.suggest(call, 5, today), call, None, None, at)
                           for call in calls[start:start + _BATCH]]
                store.record(records)
                ids += [r.id for r in records]
            found = {q.suggestion_id: q for q in gap_questions(store, at - dt.timedelta(days=1), limit=len(calls))}
        finally:
            store.close()
    return [found.get(i) for i in ids]


def rate(gaps: Sequence[GapQuestion | None]) -> float:
    """The share of calls listed as gaps."""
    return round(sum(g is not None for g in gaps) / len(gaps), 4) if gaps else 0.0


def grouping(service: KnowledgeService, labelled: Sequence[Labelled], gaps: Sequence[GapQuestion | None]) -> Grouping:
    """Group the listed gaps of a labelled set as the report does, and score the groups against the labels."""
    label_of = {g.suggestion_id: item.label for item, g in zip(labelled, gaps, strict=True) if g is not None}
    groups = group_gaps([g for g in gaps if g is not None], service.embedder, service.best_article)
    members = [[label_of[m.suggestion_id] for m in group.members] for group in groups]
    totals = Counter(item.label for item in labelled)
    largest = {theme: (max((m.count(theme) for m in members), default=0), total)
               for theme, total in sorted(totals.items()) if theme != ANSWER}
    mixed = [m for m in members if len(set(m)) > 1]
    return Grouping(largest, mixed, sum(label == ANSWER for label in label_of.values()), totals[ANSWER], groups)
