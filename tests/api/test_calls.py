"""The calls REST follows: a state per conversation id, bounded in number and forgotten after its lifetime."""

from __future__ import annotations

import pytest

from assist.api.calls import CallMemory
from assist.policy.course.guidance import CallState


def _state(turns: int) -> CallState:
    return CallState(turns, f"digest-{turns}", None)


def test_a_call_is_recalled_by_its_id_and_not_without_one() -> None:
    memory = CallMemory(10, 60)
    memory.keep("call-1", _state(3))
    memory.keep(None, _state(5))
    assert memory.recall("call-1") == _state(3)
    assert memory.recall("call-2") is None and memory.recall(None) is None
    assert len(memory) == 1


def test_the_oldest_calls_make_room_beyond_the_bound() -> None:
    memory = CallMemory(2, 60)
    for n in range(3):
        memory.keep(f"call-{n}", _state(n))
    assert memory.recall("call-0") is None
    assert memory.recall("call-2") == _state(2) and len(memory) == 2


def test_a_call_is_forgotten_after_its_lifetime_without_a_request() -> None:
    now = [0.0]
    memory = CallMemory(10, 60, clock=lambda: now[0])
    memory.keep("call-1", _state(1))
    now[0] = 59.0
    assert memory.recall("call-1") == _state(1)
    now[0] = 61.0
    assert memory.recall("call-1") is None


def test_a_memory_without_room_or_lifetime_is_refused() -> None:
    with pytest.raises(ValueError, match="positive size and lifetime"):
        CallMemory(0, 60)
    with pytest.raises(ValueError, match="positive size and lifetime"):
        CallMemory(5, 0)
