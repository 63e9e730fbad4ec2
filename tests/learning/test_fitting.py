"""assist learn's fitting: the newest examples are held back by time, a ranker that learns the telling feature beats
the hand order, and one the newest events contradict does not."""

from __future__ import annotations

import pytest

from assist.errors import LearningError
from assist.learning.fitting import MIN_EXAMPLES, fit, split
from assist.retrieval.tuning import Tuning
from tests.learning.fixtures import example

WEIGHTS = Tuning().weights


def test_the_held_back_slice_is_the_newest_fifth_never_a_sample() -> None:
    examples = [example(n, "length") for n in range(100)]
    older, newest = split(examples)
    assert [e.suggestion_id for e in newest] == [e.suggestion_id for e in examples[80:]]
    assert max(e.at for e in older) < min(e.at for e in newest)


def test_a_ranker_that_learns_what_agents_use_beats_the_hand_order_on_the_newest_events() -> None:
    fitted = fit([example(n, "from_said") for n in range(300)], WEIGHTS)
    assert fitted.held_back == 60 and fitted.fitted_on == 240
    assert fitted.figures.hit_at_1 > 0.9 > fitted.live.hit_at_1
    assert fitted.better


def test_a_ranker_the_newest_events_contradict_is_not_better() -> None:
    # agents used the passage with the highest value until the newest fifth, then the lowest: the fitted ranker
    # scores worse on the newest than the hand order (which knows nothing of that feature)
    examples = [example(n, "from_said", highest=n < 240) for n in range(300)]
    fitted = fit(examples, WEIGHTS)
    assert fitted.figures.mrr < fitted.live.mrr
    assert not fitted.better


def test_too_few_examples_is_a_clear_error() -> None:
    with pytest.raises(LearningError, match=f"at least {MIN_EXAMPLES}"):
        fit([example(n, "length") for n in range(MIN_EXAMPLES - 1)], WEIGHTS)
