"""Where redaction runs: in this process, or in a process of its own.

The name model costs about 5 ms of CPU per text, holding the GIL; run on the recorder's thread it slowed
every suggestion answered meanwhile (Doc2Dial through HTTP, store on: p50 +34 to +50 % in alternating rounds).
A server therefore redacts in one spawned process (spawn, not fork: a process forked after the embedding
model ran can hang, PLATFORM.md), which loads the model once and uses the other core; the recorder's thread
only waits for it. A process that died is started again once; if that fails too, the batch is refused
(RedactionUnavailableError) and the recorder tries again later, never storing anything unredacted.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from assist.errors import RedactionUnavailableError
from assist.feedback.redaction import prepare, redact_all

# The redaction process yields the CPU to the server's own threads: its work can wait half a second, a
# suggestion cannot (measured: p95 +50 % on Doc2Dial through HTTP at normal priority, both cores busy).
CHILD_NICENESS = 19
PARENT_POLL_SECONDS = 1.0


def _child_start() -> None:
    """The redaction process's start: lowest CPU priority, an eye on its parent, then the name model."""
    os.nice(CHILD_NICENESS)
    threading.Thread(target=_exit_with, args=(os.getppid(),), name="assist-redactor-parent", daemon=True).start()
    prepare()


def _exit_with(parent: int) -> None:
    """End this process when its parent is gone: a server killed with SIGKILL cannot stop it, and an orphan
    would hold its model's memory for ever."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)


class Redactor:
    """Redacts texts in this process, or (`separate=True`) in a process of its own."""

    def __init__(self, separate: bool = False) -> None:
        self.separate = separate
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = self._start() if separate else None

    def redact_all(self, texts: list[str], asked: list[str | None] | None = None) -> list[str]:
        """Each text redacted (`asked`: the agent's turn before each); RedactionUnavailableError when the
        redaction process cannot be had."""
        if not texts:
            return []
        asked = asked or [None] * len(texts)
        if not self.separate:
            return redact_all(texts, asked)
        for attempt in range(2):
            with self._lock:
                pool = self._pool or self._start()
                self._pool = pool
            try:
                return pool.submit(redact_all, texts, asked).result()
            except BrokenProcessPool as exc:
                with self._lock:
                    if self._pool is pool:
                        self._pool = None
                if attempt:
                    raise RedactionUnavailableError("the redaction process died twice; nothing stored") from exc
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the redaction process."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    @staticmethod
    def _start() -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_child_start)
        pool.submit(len, "").result()  # started and the model loaded before the first record waits for it
        return pool
