"""Recording suggestions off the hot path: a bounded queue, and one writer thread storing it in batches.

`/v1/suggest` only puts a record on the queue. When the queue is full or the database is down, suggestions
are still answered; the records that could not be kept are counted (`dropped`, `failed`) and logged, never
waited for. A batch the database refuses (locked, restarting) is tried again with backoff for `retry_seconds`
before it counts as failed. Feedback about a suggestion still on the queue first waits (briefly) for it to be
written; about one still being retried, it is a 503 to try again, not a 404.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from dataclasses import replace

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from ulid import ULID

from assist.errors import (
    FeedbackNotStoredError,
    FeedbackRejectedError,
    RedactionUnavailableError,
    UnknownSuggestionError,
)
from assist.feedback.events import ABOUT_SHOWN, EventKind, FeedbackEvent, SuggestionRecord
from assist.feedback.store import EventStore, Shown

log = logging.getLogger(__name__)

BATCH = 256  # records per transaction at most
# The writer gathers records this long before writing them in one transaction: a transaction per suggestion
# would take the GIL from the requests being answered meanwhile (measured: +1 ms p50 on Doc2Dial).
GATHER_SECONDS = 0.5
FLUSH_WAIT_SECONDS = 2.0  # how long feedback waits for its suggestion to leave the queue
# Another replica may still be gathering the suggestion (one store, several replicas behind a load balancer):
# feedback about a suggestion the store does not hold yet looks again for this long before it is a 404.
ELSEWHERE_WAIT_SECONDS = 2 * GATHER_SECONDS + 0.5
# A long lock (a backup, a migration, a vacuum) or a database restart: keep the batch and try again, waiting
# 0.25 s, then twice as long each time up to 4 s, for this long in all.
RETRY_SECONDS = 60.0
RETRY_FIRST, RETRY_MOST = 0.25, 4.0


class Recorder:
    """Writes suggestion records in the background; stores feedback events at once (durable when it returns)."""

    def __init__(self, store: EventStore, capacity: int = 10_000, retry_seconds: float = RETRY_SECONDS) -> None:
        self.store = store
        self.retry_seconds = retry_seconds
        self._queue: queue.Queue[SuggestionRecord | None] = queue.Queue(maxsize=capacity)
        self._pending: set[str] = set()
        self._retrying: set[str] = set()  # pending, in a batch the database refused at least once
        self._lock = threading.Condition()
        self._hurry = threading.Event()  # feedback is waiting for a record still queued: write now
        self.recorded = 0
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="assist-recorder", daemon=True)
        self._thread.start()

    def submit(self, record: SuggestionRecord) -> bool:
        """Queue a suggestion record without waiting; False (counted, logged) when the queue is full."""
        with self._lock:
            self._pending.add(record.id)
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            with self._lock:
                self._pending.discard(record.id)
                self.dropped += 1
            log.warning("suggestion not recorded: the recording queue is full", extra={"suggestion_id": record.id})
            return False
        return True

    def add(self, feedback: FeedbackEvent) -> None:
        """Check a feedback event against its suggestion and store it durably.

        UnknownSuggestionError when the suggestion was never recorded; FeedbackRejectedError when the event
        names an answer rank or action the suggestion did not show; FeedbackNotStoredError when the store
        cannot keep it.
        """
        shown = self._shown(feedback.suggestion_id)
        if shown is None:
            raise UnknownSuggestionError(feedback.suggestion_id)
        if feedback.rank is not None and not 1 <= feedback.rank <= shown.answers:
            raise FeedbackRejectedError("rank", f"the suggestion showed {shown.answers} answers, not {feedback.rank}")
        if feedback.action is not None and feedback.action not in shown.actions:
            raise FeedbackRejectedError("action", f"the suggestion did not list action {feedback.action!r}")
        if feedback.passage_id is not None and feedback.kind != EventKind.USED:
            raise FeedbackRejectedError("passage_id", f"only a used event names a passage, not {feedback.kind}")
        if feedback.kind in ABOUT_SHOWN and feedback.rank is None and feedback.action is None \
                and feedback.passage_id is None:
            raise FeedbackRejectedError("rank", f"a {feedback.kind} event names an answer (rank) or an action")
        try:
            comment = self.store.redact(feedback.comment) if feedback.comment else None
        except RedactionUnavailableError as exc:
            raise FeedbackNotStoredError(str(exc)) from exc
        self.store.add(replace(feedback, comment=comment))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record has been written or dropped; False on timeout."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        with self._lock:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def close(self) -> None:
        """Write what is queued, stop the writer, release the database."""
        self._queue.put(None)
        self._thread.join(timeout=30)
        self.store.close()

    @property
    def backlog(self) -> int:
        """Records queued and not yet written."""
        return self._queue.qsize()

    def _shown(self, suggestion_id: str) -> Shown | None:
        deadline = time.monotonic() + FLUSH_WAIT_SECONDS
        with self._lock:
            if suggestion_id in self._pending:
                self._hurry.set()
            while suggestion_id in self._pending and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            if suggestion_id in self._retrying:
                raise FeedbackNotStoredError("the suggestion is not stored yet (the event store is busy); try again")
        age = _age(suggestion_id)  # a suggestion from the future is no suggestion of ours: no waiting for it
        elsewhere = time.monotonic() + (ELSEWHERE_WAIT_SECONDS - age if 0 <= age < ELSEWHERE_WAIT_SECONDS else 0.0)
        try:
            shown = self.store.shown(suggestion_id)
            while shown is None and time.monotonic() < elsewhere:
                time.sleep(0.1)
                shown = self.store.shown(suggestion_id)
        except SQLAlchemyError as exc:
            raise FeedbackNotStoredError(f"the event store cannot be read: {type(exc).__name__}") from exc
        return shown

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            batch: list[SuggestionRecord] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            until = time.monotonic() + GATHER_SECONDS
            while len(batch) < BATCH and not stopping and not self._hurry.is_set():
                try:
                    item = self._queue.get(timeout=max(min(until - time.monotonic(), 0.05), 0))
                except queue.Empty:
                    if time.monotonic() >= until:
                        break
                    continue
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            while len(batch) < BATCH and not stopping:  # whatever else is queued already goes too
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            self._hurry.clear()
            self._write(batch)

    def _write(self, batch: list[SuggestionRecord]) -> None:
        written, wait = 0, RETRY_FIRST
        give_up = time.monotonic() + self.retry_seconds
        while batch:
            try:
                self.store.record(batch)
                written = len(batch)
                break
            except (SQLAlchemyError, RedactionUnavailableError) as exc:
                if time.monotonic() + wait > give_up:
                    log.error("suggestions not recorded: the event store refused them", extra={
                        "records": len(batch), "error": type(exc).__name__, "reason": reason(exc)})
                    break
                with self._lock:
                    self._retrying.update(r.id for r in batch)
                log.warning("the event store refused a batch; trying again", extra={
                    "records": len(batch), "error": type(exc).__name__, "reason": reason(exc), "wait_s": wait})
                time.sleep(wait)
                wait = min(wait * 2, RETRY_MOST)
        with self._lock:
            self.recorded += written
            self.failed += len(batch) - written
            ids = {r.id for r in batch}
            self._pending -= ids
            self._retrying -= ids
            self._lock.notify_all()


def reason(exc: SQLAlchemyError | RedactionUnavailableError) -> str:
    """What the database said, without the statement or its parameters (which carry request data)."""
    if isinstance(exc, RedactionUnavailableError):
        return str(exc)
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0][:200] if str(exc.orig) else type(exc.orig).__name__
    return type(exc).__name__


def _age(suggestion_id: str) -> float:
    """Seconds since the suggestion was made, read from its id (a ULID holds its time); a malformed id is old."""
    try:
        made = ULID.from_str(suggestion_id.removeprefix("sg_")).datetime
    except ValueError:
        return float("inf")
    return (dt.datetime.now(dt.UTC) - made).total_seconds()
