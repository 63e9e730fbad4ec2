from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from websockets.sync.client import connect

from assist.api.server import create_server_app
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.update import update_index
from assist.knowledge.articles import load_catalog
from assist.settings import Settings
from tests.api.serving import serving
from tests.conftest import DATA, FIXTURE_KB

ENCODER = "torch"  # the fixture indexes are built with the torch encoder; the server must read them alike


def test_served_app_watches_the_pointer_and_reloads_a_new_publish(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    settings = Settings(_env_file=None, watch_seconds=0.02, encoder=ENCODER)  # type: ignore[call-arg]
    app = create_server_app(settings, index_dir)
    with TestClient(app) as client:
        assert client.get("/readyz").json()["index_version"] == versions.current_version(index_dir)
        (knowledge / "expired-sale.md").unlink()
        new = update_index(load_catalog(knowledge), embedder, index_dir).version
        deadline = time.monotonic() + 30  # a hang guard, not a timing assertion
        while client.get("/readyz").json()["index_version"] != new:
            assert time.monotonic() < deadline, "the watcher never loaded the new version"
            time.sleep(0.02)
        assert client.post("/v1/suggest", json={"issue": "stained shirt"}).json()["index_version"] == new
    assert not app.state.watcher.running


def test_served_app_without_a_watch_interval_does_not_watch(index_dir: Path) -> None:
    app = create_server_app(Settings(_env_file=None, watch_seconds=0, encoder=ENCODER), index_dir)  # type: ignore[call-arg]
    assert app.state.watcher is None


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, watch_seconds=0, encoder=ENCODER, **values)  # type: ignore[call-arg]


def test_healthz_answers_while_a_backtracking_cue_is_in_flight(
    tmp_path: Path, embedder: Embedder
) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "policies").mkdir()
    shutil.copy(DATA / "redos" / "slow-moments.yaml", knowledge / "policies" / "moments.yaml")
    index_dir = tmp_path / "indexes"
    build_index(load_catalog(knowledge), embedder, index_dir)
    settings = _settings(cue_seconds=3, request_deadline_seconds=60)
    with serving(create_server_app(settings, index_dir), settings) as (host, port):
        base = f"http://{host}:{port}"
        replies: list[httpx.Response] = []
        body = {"transcript": [{"speaker": "customer", "text": "a" * 60 + "!"}]}
        slow = threading.Thread(target=lambda: replies.append(httpx.post(f"{base}/v1/suggest", json=body,
                                                                         timeout=60)), daemon=True)
        slow.start()
        time.sleep(0.5)
        assert slow.is_alive(), "the backtracking cue should still be running"
        health = httpx.get(f"{base}/healthz", timeout=5)  # a hang guard: it used to time out for hours
        assert health.status_code == 200
        assert slow.is_alive()
        slow.join(60)
    assert replies[0].status_code == 200
    assert not [a for a in replies[0].json()["next_best_actions"] if a["action"] == "acknowledge-life-event"]


def test_a_client_trickling_its_request_is_disconnected(index_dir: Path) -> None:
    settings = _settings(request_read_seconds=0.3)
    with serving(create_server_app(settings, index_dir), settings) as address:
        for partial in (b"POST /v1/suggest HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                        b"POST /v1/suggest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"issue\":"):
            with socket.create_connection(address) as client:
                client.sendall(partial)
                client.settimeout(30)  # a hang guard: without the read deadline the server waits forever
                assert client.recv(1024) == b""


def test_connections_beyond_the_limit_get_503(index_dir: Path) -> None:
    settings = _settings(max_connections=2)
    with serving(create_server_app(settings, index_dir), settings) as address:
        held = [socket.create_connection(address) for _ in range(2)]
        try:
            reply = httpx.get(f"http://{address[0]}:{address[1]}/healthz", timeout=10)
        finally:
            for client in held:
                client.close()
    assert reply.status_code == 503


def test_idle_streams_do_not_count_against_http_connections(index_dir: Path) -> None:
    settings = _settings(max_connections=2, stream_first_message_seconds=60)
    with serving(create_server_app(settings, index_dir), settings) as (host, port), ExitStack() as held:
        for _ in range(3):
            held.enter_context(connect(f"ws://{host}:{port}/v1/stream"))
        assert httpx.get(f"http://{host}:{port}/healthz", timeout=30).status_code == 200


def test_a_host_header_not_served_gets_400(index_dir: Path) -> None:
    settings = _settings(trusted_hosts=["assist.example.com"])
    with serving(create_server_app(settings, index_dir), settings) as (host, port):
        base = f"http://{host}:{port}"
        assert httpx.get(f"{base}/healthz", headers={"Host": "evil.example"}, timeout=30).status_code == 400
        assert httpx.get(f"{base}/healthz", headers={"Host": "assist.example.com"}, timeout=30).status_code == 200
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200  # the loopback address is served


def test_serve_with_two_workers_loads_the_index_in_each_and_answers(tmp_path: Path, index_dir: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ASSIST_WORKERS": "2", "ASSIST_WATCH_SECONDS": "0"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "assist"), "serve", "--knowledge", str(FIXTURE_KB),
                                   "--index-dir", str(index_dir), "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        guard = time.monotonic() + 120  # a hang guard: two workers load the model and the index
        while log.read_text().count('"index loaded"') < 2:
            assert server.poll() is None and time.monotonic() < guard, log.read_text()[-2000:]
            time.sleep(0.2)
        while True:  # then each starts its redaction process before it accepts
            try:
                reply = httpx.post(f"http://127.0.0.1:{port}/v1/suggest", json={"issue": "stained shirt"}, timeout=30)
                break
            except httpx.ConnectError:
                assert server.poll() is None and time.monotonic() < guard, log.read_text()[-2000:]
                time.sleep(0.2)
        assert reply.status_code == 200 and reply.json()["answers"]
    finally:
        server.terminate()
        server.wait(30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
