"""The calls REST follows: each conversation_id's state from its last suggestion, bounded and expiring.

A desktop that posts the growing transcript of a call to /v1/suggest gets guidance that continues from the
last moment (the procedure followed stays until the customer raises a new need). The state is kept per
conversation id in a TTL cache (cachetools): at most `size` calls, each forgotten `seconds` after its last
request; a transcript that does not extend the stored one starts the call afresh. A stream holds its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

from assist.policy.course.guidance import CallState


class CallMemory:
    """Thread-safe, bounded, expiring: conversation id → the call's state after its last suggestion."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if size < 1 or seconds <= 0:
            raise ValueError(f"call memory needs a positive size and lifetime, got {size} calls, {seconds} s")
        self._states: TTLCache[str, CallState] = TTLCache(maxsize=size, ttl=seconds, timer=clock)
        self._lock = threading.Lock()

    def recall(self, conversation_id: str | None) -> CallState | None:
        """The state the call's last suggestion left, if it is still kept (None without an id)."""
        if not conversation_id:
            return None
        with self._lock:
            return self._states.get(conversation_id)

    def keep(self, conversation_id: str | None, state: CallState | None) -> None:
        """Remember the call's state for its next request (nothing without an id)."""
        if not conversation_id or state is None:
            return
        with self._lock:
            self._states[conversation_id] = state

    def __len__(self) -> int:
        with self._lock:
            return len(self._states)
