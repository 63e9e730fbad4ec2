"""A request's deadline: the stages of a suggestion check it, and bounded work asks how long is left."""

from __future__ import annotations

import time

from assist.errors import DeadlineExceededError


class Deadline:
    """`seconds` after `started` (a `time.monotonic()` reading; now by default), the answer is no longer wanted."""

    def __init__(self, seconds: float, started: float | None = None) -> None:
        if seconds <= 0:
            raise ValueError(f"a deadline must be positive, got {seconds}")
        self.seconds = seconds
        self._end = (time.monotonic() if started is None else started) + seconds

    def left(self) -> float:
        """Seconds left before the deadline (0 once it has passed)."""
        return max(self._end - time.monotonic(), 0.0)

    def check(self, stage: str) -> None:
        """Raise DeadlineExceededError, naming `stage`, once the deadline has passed."""
        if time.monotonic() >= self._end:
            raise DeadlineExceededError(f"request deadline of {self.seconds:g} s passed {stage}")
