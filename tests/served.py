"""A real `assist serve` subprocess for tests that need the service as clients see it: over HTTP, with its own
event store, watching its index directory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

ADMIN_KEY = "served-admin-key-0123456789"
ASSIST = str(Path(sys.executable).parent / "assist")
# Hang guards, not timing assertions: each only bounds how long a broken run waits before it fails.
START_GUARD_S = 120.0  # imports, the model and the index load before /readyz answers 200


def free_port() -> int:
    """A port nothing listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """A served process's settings: its store, its data, a watcher checking twice a second, an admin key."""
    return {**os.environ, "ASSIST_DATABASE_URL": database_url, "ASSIST_DATA_DIR": str(data_dir),
            "ASSIST_WATCH_SECONDS": "0.5", "ASSIST_ENCODER": "torch", "ASSIST_ADMIN_KEYS": ADMIN_KEY}


def wait_for(check: Callable[[], bool], guard_s: float, failure: Callable[[], str]) -> None:
    """Poll `check` until it holds; fail with `failure()` once `guard_s` has passed."""
    deadline = time.monotonic() + guard_s
    while not check():
        assert time.monotonic() < deadline, failure()
        time.sleep(0.2)


def ready_version(base: str) -> str | None:
    """The index version /readyz names, or None while the replica is not ready (or not listening yet)."""
    try:
        reply = httpx.get(f"{base}/readyz", timeout=2)
    except httpx.TransportError:
        return None
    return str(reply.json()["index_version"]) if reply.status_code == 200 else None


@contextlib.contextmanager
def replica(knowledge: Path, index_dir: Path, database_url: str, data_dir: Path) -> Iterator[str]:
    """A real `assist serve` subprocess, ready; yields its base URL and stops it on the way out."""
    data_dir.mkdir()
    log = data_dir / "serve.log"
    port = free_port()
    with log.open("ab") as out:
        server = subprocess.Popen([ASSIST, "serve", "--knowledge", str(knowledge), "--index-dir", str(index_dir),
                                   "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                  env=environment(database_url, data_dir), cwd=data_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        def ready() -> bool:
            assert server.poll() is None, f"`assist serve` exited {server.returncode}: {log.read_text()[-2000:]}"
            return ready_version(base) is not None

        wait_for(ready, START_GUARD_S, lambda: f"{base} not ready: {log.read_text()[-2000:]}")
        yield base
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
