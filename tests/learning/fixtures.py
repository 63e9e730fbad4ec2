"""Synthetic ranking examples for the learning tests: candidates whose used passage a feature tells apart."""

from __future__ import annotations

import datetime as dt

import numpy as np

from assist.feedback.events import EventKind, FeedbackEvent, ShownAnswer, SuggestionRecord
from assist.learning.history import Example
from assist.retrieval.learned import LOGGED, Candidates

CANDIDATES = 10
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def example(number: int, telling: str, highest: bool = True, seed: int = 0) -> Example:
    """An example whose used passage has the highest (or, `highest=False`, the lowest) value of the `telling`
    feature; every other value is noise. The candidates come in a random order (as a hand order would)."""
    rng = np.random.default_rng(seed * 100_003 + number)
    values = rng.random((CANDIDATES, len(LOGGED)), dtype=np.float32) * 0.1
    column = LOGGED.index(telling)
    values[:, column] = rng.random(CANDIDATES, dtype=np.float32)
    used = int(np.argmax(values[:, column]) if highest else np.argmin(values[:, column]))
    labels = np.zeros(CANDIDATES, dtype=np.float32)
    labels[used] = 1.0
    keys = tuple(f"article-{number}#{i}" for i in range(CANDIDATES))
    return Example(f"sg_{number:05d}", START + dt.timedelta(minutes=number), Candidates(keys, values), labels,
                   found=False)


def record(example: Example, at: dt.datetime, shown: int = 3) -> SuggestionRecord:
    """A stored suggestion that showed the first `shown` candidates of `example` and logged them all."""
    answers = tuple(ShownAnswer(rank, key.rpartition("#")[0], key, 1.0 / rank)
                    for rank, key in enumerate(example.candidates.passages[:shown], start=1))
    return SuggestionRecord(
        id=example.suggestion_id, at=at, conversation_id="call", segment="gold", agent_id="a1", agent_role="tier1",
        index_version="v1", customer_turn="a question", confidence=0.8, knowledge_gap=False, answers=answers,
        decisions=(), actions=(), candidates=example.candidates)


def used(example: Example, at: dt.datetime, shown: int = 3) -> FeedbackEvent:
    """The `used` event of `example`'s used passage: by rank when the suggestion showed it, else by passage id."""
    position = int(np.flatnonzero(example.labels)[0])
    if position < shown:
        return FeedbackEvent(example.suggestion_id, EventKind.USED, at, rank=position + 1)
    return FeedbackEvent(example.suggestion_id, EventKind.USED, at,
                         passage_id=example.candidates.passages[position])
