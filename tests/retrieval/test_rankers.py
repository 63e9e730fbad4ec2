"""Ranker versions beside the index versions: every fitted ranker is kept, only a winner is pointed at, a rollback
goes back to what the served one replaced, and a version that cannot be served is refused by name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assist.errors import RankerError
from assist.learning.fitting import fit
from assist.retrieval import rankers
from assist.retrieval.tuning import Tuning
from tests.learning.fixtures import example

WEIGHTS = dict(Tuning().weights)
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
META = {"weights": WEIGHTS, "domains": [""]}


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return fit([example(n, "length") for n in range(100)], WEIGHTS).model


def test_a_ranker_that_does_not_win_is_written_but_not_served(tmp_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    written = rankers.write(tmp_path, model, META, live=False, now=NOW)
    assert not written.live
    assert rankers.names(tmp_path) == [written.name]
    assert rankers.current(tmp_path) is None
    assert rankers.manifest(tmp_path, written.name)["replaces"] is None


def test_rollback_goes_back_to_what_the_served_one_replaced_then_to_the_hand_weights(tmp_path: Path,
                                                                                     model) -> None:  # type: ignore[no-untyped-def]
    first = rankers.write(tmp_path, model, META, live=True, now=NOW)
    second = rankers.write(tmp_path, model, META, live=True, now=NOW + dt.timedelta(seconds=1))
    assert rankers.current(tmp_path) == second.name
    assert rankers.manifest(tmp_path, second.name)["replaces"] == first.name
    assert rankers.load(tmp_path, second.name).version == second.name
    assert rankers.rollback(tmp_path) == (second.name, first.name)
    assert rankers.rollback(tmp_path) == (first.name, None)
    assert rankers.current(tmp_path) is None
    with pytest.raises(RankerError, match="nothing to roll back"):
        rankers.rollback(tmp_path)
    assert rankers.rollback(tmp_path, to=second.name) == (None, second.name)


def test_a_damaged_ranker_is_refused_by_name_and_never_pointed_at(tmp_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    good = rankers.write(tmp_path, model, META, live=True, now=NOW)
    bad = rankers.write(tmp_path, model, META, live=False, now=NOW + dt.timedelta(seconds=1))
    (rankers.root(tmp_path) / "versions" / bad.name / rankers.MODEL).write_text("not a model")
    with pytest.raises(RankerError, match=bad.name):
        rankers.load(tmp_path, bad.name)
    with pytest.raises(RankerError, match=bad.name):
        rankers.rollback(tmp_path, to=bad.name)
    assert rankers.current(tmp_path) == good.name
