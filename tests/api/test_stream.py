"""GET /v1/stream over a real socket: a `websockets` client against a real uvicorn serving the app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from assist.api.app import create_app
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder
from assist.service import KnowledgeService
from assist.settings import Settings
from tests.api.serving import serving

KEY = "stream-client-key-0123456789"


@contextmanager
def _serving(tmp_path: Path, index_dir: Path, embedder: Embedder, **settings: Any) -> Iterator[str]:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    store.upgrade()
    config = Settings(_env_file=None, **settings)  # type: ignore[call-arg]
    with serving(create_app(config, service, recorder=Recorder(store)), config) as (host, port):
        yield f"ws://{host}:{port}/v1/stream"


def _send(ws: ClientConnection, **message: Any) -> list[dict[str, Any]]:
    """Send one message; the replies up to and including the next suggestion or error (or the ack alone)."""
    ws.send(json.dumps(message))
    replies = [json.loads(ws.recv(timeout=30))]
    assert replies[0]["type"] in ("ack", "error"), replies
    while replies[-1]["type"] == "ack":
        try:
            replies.append(json.loads(ws.recv(timeout=1)))
        except TimeoutError:
            break
    return replies


def _suggestion(replies: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r["suggestion"] for r in replies if r["type"] == "suggestion"), None)


@pytest.fixture
def stream(tmp_path: Path, index_dir: Path, embedder: Embedder) -> Iterator[str]:
    with _serving(tmp_path, index_dir, embedder) as url:
        yield url


def test_a_call_streams_a_suggestion_after_each_change_and_an_ack_for_every_message(stream: str) -> None:
    with connect(stream) as ws:
        context = _send(ws, type="context", conversation_id="call-1", customer={"id": "c1", "segment": "gold"})
        assert context == [{"type": "ack", "seq": 1}]  # nothing to answer yet
        first = _suggestion(_send(ws, type="turn", speaker="customer", text="my shirt arrived with a stain"))
        assert first is not None and first["suggestion_id"].startswith("sg_") and first["answers"]
        assert {"answers", "empowerment", "next_best_actions", "confidence"} <= set(first)
        second = _send(ws, type="turn", speaker="agent", text="I'm sorry! How long ago did you buy it?")
        assert second[0] == {"type": "ack", "seq": 3}
        facts = _send(ws, type="facts", facts={"purchase_age_days": 12})
        assert facts[0] == {"type": "ack", "seq": 4}


def test_the_same_answers_are_not_pushed_twice(stream: str) -> None:
    with connect(stream) as ws:
        _send(ws, type="context", customer={"segment": "gold"})
        assert _suggestion(_send(ws, type="turn", speaker="customer", text="how long does shipping take?"))
        again = _send(ws, type="context", customer={"segment": "gold"})  # nothing that changes the answers
        assert again == [{"type": "ack", "seq": 3}]


def test_streamed_suggestions_are_recorded_for_feedback(tmp_path: Path, index_dir: Path, embedder: Embedder) -> None:
    with _serving(tmp_path, index_dir, embedder) as url, connect(url) as ws:
        _send(ws, type="context", conversation_id="call-9")
        suggestion = _suggestion(_send(ws, type="turn", speaker="customer", text="can I renew my license online?"))
        assert suggestion is not None
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    assert store.shown(suggestion["suggestion_id"]) is not None


@pytest.mark.parametrize(("message", "code", "detail"), [
    ("not json", 4400, "not valid JSON"),
    (json.dumps({"type": "turn", "speaker": "robot", "text": "hi"}), 4400, "speaker"),
    (json.dumps({"type": "shout"}), 4400, "type"),
    (json.dumps({"type": "turn", "speaker": "customer", "text": "x" * 5001}), 4400, "text"),
    (json.dumps({"type": "turn", "speaker": "customer", "text": "x" * 70_000}), 4413, "at most 65536 bytes"),
])
def test_a_bad_message_gets_an_error_and_a_close_code(stream: str, message: str, code: int, detail: str) -> None:
    with connect(stream) as ws:
        ws.send(message)
        error = json.loads(ws.recv(timeout=30))
        assert error["type"] == "error" and detail in error["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code


def test_a_configured_key_must_come_in_the_first_context(tmp_path: Path, index_dir: Path, embedder: Embedder) -> None:
    with _serving(tmp_path, index_dir, embedder, api_keys=[KEY]) as url:
        with connect(url) as ws:
            ws.send(json.dumps({"type": "turn", "speaker": "customer", "text": "hello"}))
            assert "API key" in json.loads(ws.recv(timeout=30))["detail"]
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        with connect(url) as ws:
            assert _send(ws, type="context", api_key=KEY) == [{"type": "ack", "seq": 1}]
            assert _suggestion(_send(ws, type="turn", speaker="customer", text="stained shirt return"))


def test_an_idle_call_is_closed(tmp_path: Path, index_dir: Path, embedder: Embedder) -> None:
    with _serving(tmp_path, index_dir, embedder, stream_idle_seconds=0.3) as url, connect(url) as ws:
        assert "no message" in json.loads(ws.recv(timeout=30))["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


def test_a_transcript_beyond_its_bound_closes_the_call(stream: str) -> None:
    with connect(stream) as ws:
        ws.send(json.dumps({"type": "context"}))
        for _ in range(201):
            ws.send(json.dumps({"type": "turn", "speaker": "agent", "text": "ok"}))
        replies = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                replies.append(json.loads(ws.recv(timeout=60)))
    assert any(r["type"] == "error" and "at most 200 turns" in r["detail"] for r in replies)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4413


def test_a_new_call_gets_its_first_suggestion_even_when_it_reads_like_the_last_one(stream: str) -> None:
    with connect(stream) as ws:
        _send(ws, type="context", customer={"segment": "gold"})
        assert _suggestion(_send(ws, type="turn", speaker="customer", text="I want to return my boots"))
        assert _send(ws, type="reset") == [{"type": "ack", "seq": 3}]
        assert _suggestion(_send(ws, type="turn", speaker="customer", text="I want to return my boots"))
