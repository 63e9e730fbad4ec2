"""Hot reload: a background thread that watches the CURRENT pointer and reloads the service when it moves."""

from __future__ import annotations

import logging
import threading

from assist.errors import AssistError
from assist.service import KnowledgeService

log = logging.getLogger(__name__)


class Watcher:
    """Polls the pointer every `interval` seconds; a refused version is not retried until the pointer moves."""

    def __init__(self, service: KnowledgeService, interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"watch interval must be positive, got {interval}")
        self.service = service
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the watching thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start watching in a daemon thread."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for the thread to finish its current check."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def check(self) -> bool:
        """Reload once if the pointer names a new version; True when the served version changed."""
        try:
            if self.service.pointer_changed():
                return self.service.reload().changed
        except (AssistError, OSError, ValueError):
            pass  # the service logged and counted the refusal; the old version keeps serving
        except Exception:  # never let the watcher die: a dead watcher silently stops all reloads
            log.exception("index watcher check failed")
        return False

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()
