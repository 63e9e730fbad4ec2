from __future__ import annotations

import pytest

from assist.api.budget import MessageBucket, OverBudget, StreamBudget
from assist.settings import Settings


def _budget(**values: int) -> StreamBudget:
    return StreamBudget.of(Settings(_env_file=None, **values))  # type: ignore[call-arg]


def test_a_full_process_refuses_a_stream_until_one_is_released() -> None:
    budget = _budget(stream_max=2)
    first, _ = budget.admit("10.0.0.1"), budget.admit("10.0.0.2")
    with pytest.raises(OverBudget, match="2 streams are open"):
        budget.admit("10.0.0.3")
    first.release()
    budget.admit("10.0.0.3")


def test_an_address_is_capped_until_its_streams_present_a_key() -> None:
    budget = _budget(stream_max_per_client=1, stream_max_per_key=2)
    first = budget.admit("10.0.0.1")
    with pytest.raises(OverBudget, match="from one address"):
        budget.admit("10.0.0.1")
    first.present("key-digest")
    second = budget.admit("10.0.0.1")
    second.present("key-digest")
    third = budget.admit("10.0.0.1")
    with pytest.raises(OverBudget, match="per key"):
        third.present("key-digest")
    budget.admit("10.0.0.1")  # the refused one gave its address slot back


def test_released_leases_leave_nothing_counted() -> None:
    budget = _budget()
    lease = budget.admit("10.0.0.1")
    lease.present("key-digest")
    lease.release()
    assert not budget.open


def test_a_bucket_spends_its_burst_then_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = MessageBucket(rate=2, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 1.0  # two more
    assert [bucket.take() for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0)])
def test_a_bucket_refuses_an_empty_budget(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst >= 1"):
        MessageBucket(rate, burst)
