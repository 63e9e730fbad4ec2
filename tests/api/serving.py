"""A real uvicorn server in a thread, configured as `assist serve` configures it, for the API tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from assist.api.server import server_config
from assist.settings import Settings


@contextmanager
def serving(app: FastAPI, settings: Settings) -> Iterator[tuple[str, int]]:
    """Serve `app` on a free loopback port until the block ends; yields the host and port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(app, settings, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    guard = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < guard and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join(30)
