"""What /v1/stream may take from a process, apart from what HTTP has: sockets open at once (in all, per client
address until a socket presents a key, per key after), messages a socket may send, and threads its suggestions
may use. HTTP keeps its own connection limit (assist.api.server) and its own thread pool.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from assist.settings import Settings

_ALL = ("all", "")


class OverBudget(Exception):
    """A stream the budget cannot take now; the message names the limit."""


@dataclass
class StreamBudget:
    """The streams open in this process, by client address and by key.

    Counted in the event loop without a lock: every change happens between two awaits.
    """

    total: int
    per_client: int
    per_key: int
    threads: ThreadPoolExecutor  # stream suggestions: never more threads, nor a place in HTTP's queue
    open: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, settings: Settings) -> StreamBudget:
        """The budget `settings` configure."""
        return cls(settings.stream_max, settings.stream_max_per_client, settings.stream_max_per_key,
                   ThreadPoolExecutor(settings.stream_threads, thread_name_prefix="stream"))

    def admit(self, client: str) -> Lease:
        """A lease for a new stream from `client`; OverBudget when the process or that address is full."""
        lease = Lease(self)
        lease.take(_ALL, self.total, f"{self.total} streams are open; try again later")
        lease.take(("client", client), self.per_client, f"at most {self.per_client} streams from one address "
                                                        "before they present a key")
        return lease


class Lease:
    """The slots one stream holds; `release` gives them all back."""

    def __init__(self, budget: StreamBudget) -> None:
        self._budget = budget
        self._held: list[tuple[str, str]] = []

    def take(self, slot: tuple[str, str], limit: int, refusal: str) -> None:
        """Hold one more of `slot`; OverBudget (and nothing held any more) when `limit` are taken."""
        if self._budget.open[slot] >= limit:
            self.release()
            raise OverBudget(refusal)
        self._budget.open[slot] += 1
        self._held.append(slot)

    def present(self, key_digest: str) -> None:
        """The stream has shown a valid key: it counts against that key from now on, no longer its address."""
        self.take(("key", key_digest), self._budget.per_key, f"at most {self._budget.per_key} streams per key")
        client = next(slot for slot in self._held if slot[0] == "client")
        self._give_back(client)

    def release(self) -> None:
        """Give back every slot held."""
        for slot in list(self._held):
            self._give_back(slot)

    def _give_back(self, slot: tuple[str, str]) -> None:
        self._held.remove(slot)
        self._budget.open[slot] -= 1
        if self._budget.open[slot] <= 0:
            del self._budget.open[slot]  # an address or key with nothing open is forgotten


@dataclass
class MessageBucket:
    """A token bucket: `burst` messages at once (a whole call replayed after a reconnect), then `rate` a second."""

    rate: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _at: float = field(init=False)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError(f"a message budget needs rate > 0 and burst >= 1, not {self.rate} and {self.burst}")
        self._tokens, self._at = float(self.burst), self.clock()

    def take(self) -> bool:
        """Spend one message; False when the bucket is empty."""
        now = self.clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
