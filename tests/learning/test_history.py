"""What agents used, read back as ranking examples: the candidates logged with the suggestion, labelled by the
passage used (shown, or found by search), oldest first; what cannot be an example is counted, not dropped silently."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from assist.feedback.events import EventKind, FeedbackEvent
from assist.feedback.store import EventStore
from assist.learning.history import read_history
from assist.retrieval.learned import Candidates
from tests.learning.fixtures import example, record, used

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
SINCE, UNTIL = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1)


def test_used_passages_label_the_logged_candidates_oldest_first(store: EventStore) -> None:
    examples = [example(n, "length") for n in range(6)]
    store.record([record(e, NOW + dt.timedelta(minutes=5 - i)) for i, e in enumerate(examples)])
    for e in examples:
        store.add(used(e, NOW))
    history = read_history(store, SINCE, UNTIL)
    assert [e.suggestion_id for e in history.examples] == [e.suggestion_id for e in reversed(examples)]
    for got in history.examples:
        want = next(e for e in examples if e.suggestion_id == got.suggestion_id)
        assert list(got.labels) == list(want.labels)
        assert got.candidates.passages == want.candidates.passages
        assert np.array_equal(got.candidates.values, want.candidates.values)
        assert got.found == (int(np.flatnonzero(want.labels)[0]) >= 3)
    assert (history.used, history.unlogged, history.stale, history.not_among) == (6, 0, 0, 0)


def test_what_cannot_be_an_example_is_counted(store: EventStore) -> None:
    unlogged, stale, elsewhere, unused, outside = (example(n, "length") for n in range(5))
    old = Candidates(stale.candidates.passages, stale.candidates.values[:, :3], ("bm25_last", "bm25_all", "gone"))
    store.record([replace(record(unlogged, NOW), candidates=None), replace(record(stale, NOW), candidates=old),
                  record(elsewhere, NOW), record(unused, NOW), record(outside, NOW - dt.timedelta(days=3))])
    store.add(used(unlogged, NOW))
    store.add(used(stale, NOW))
    store.add(FeedbackEvent(elsewhere.suggestion_id, EventKind.USED, NOW, passage_id="some-other-article#4"))
    store.add(FeedbackEvent(unused.suggestion_id, EventKind.THUMBS_UP, NOW, rank=1))
    store.add(used(outside, NOW))
    history = read_history(store, SINCE, UNTIL)
    assert history.examples == ()
    assert (history.used, history.unlogged, history.stale, history.not_among) == (3, 1, 1, 1)
