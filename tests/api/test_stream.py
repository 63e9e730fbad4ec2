"""GET /v1/stream over a real socket: a `websockets` client against a real uvicorn serving the app."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from assist.api.app import create_app
from assist.call import Call
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder
from assist.service import KnowledgeService, Suggestion
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


def _closed_with(ws: ClientConnection) -> tuple[int, list[dict[str, Any]]]:
    """Read until the server closes the socket: its close code, and what it sent before."""
    replies = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            replies.append(json.loads(ws.recv(timeout=30)))
    assert closed.value.rcvd is not None, "the server did not close the socket"
    return closed.value.rcvd.code, replies


def test_idle_unkeyed_streams_beyond_max_connections_leave_http_and_the_probes_answering(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    with _serving(tmp_path, index_dir, embedder, api_keys=[KEY], max_connections=2, stream_max=4,
                  stream_max_per_client=4, stream_first_message_seconds=60) as url, ExitStack() as held:
        for _ in range(4):  # twice what HTTP may hold, none of them sending anything
            held.enter_context(connect(url))
        base = url.replace("ws://", "http://").removesuffix("/v1/stream")
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
        assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
        suggest = httpx.post(f"{base}/v1/suggest", json={"issue": "stained shirt"},
                             headers={"Authorization": f"Bearer {KEY}"}, timeout=30)
        assert suggest.status_code == 200


def test_streams_over_the_process_cap_are_refused_while_one_under_it_works(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    with _serving(tmp_path, index_dir, embedder, stream_max=3) as url, connect(url), connect(url), \
            connect(url) as third:
        assert _suggestion(_send(third, type="turn", speaker="customer", text="my shirt arrived stained"))
        with connect(url) as fourth:
            code, replies = _closed_with(fourth)
    assert code == 1013 and "3 streams are open" in replies[0]["detail"]


def test_an_address_is_capped_until_its_streams_present_a_key_and_then_the_key_is(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    with _serving(tmp_path, index_dir, embedder, api_keys=[KEY], stream_max_per_client=1,
                  stream_max_per_key=2) as url, connect(url) as first:
        with connect(url) as waiting:  # the address's one unkeyed stream is taken
            assert _closed_with(waiting)[0] == 1013
        assert _send(first, type="context", api_key=KEY) == [{"type": "ack", "seq": 1}]
        with connect(url) as second:  # the first now counts against its key, not the address
            assert _send(second, type="context", api_key=KEY) == [{"type": "ack", "seq": 1}]
            with connect(url) as third:
                third.send(json.dumps({"type": "context", "api_key": KEY}))
                code, replies = _closed_with(third)
    assert code == 1013 and "per key" in replies[0]["detail"]


@pytest.mark.parametrize(("keys", "code"), [([], 4408), ([KEY], 4401)])
def test_a_socket_that_sends_nothing_is_closed_after_the_first_message_deadline(
    tmp_path: Path, index_dir: Path, embedder: Embedder, keys: list[str], code: int
) -> None:
    with _serving(tmp_path, index_dir, embedder, api_keys=keys, stream_first_message_seconds=0.3) as url, \
            connect(url) as ws:
        closed, replies = _closed_with(ws)
    assert closed == code and "no message for 0.3 s" in replies[0]["detail"]


def test_a_page_on_another_origin_cannot_open_the_stream(stream: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(stream, origin=Origin("http://evil.example"))
    assert refused.value.response.status_code == 403
    assert "origin" in json.loads(refused.value.response.body or b"{}")["detail"]


def test_the_page_s_own_origin_and_a_configured_one_open_the_stream(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    with _serving(tmp_path, index_dir, embedder, cors_origins=["https://desk.example.com"]) as url:
        own = Origin(url.replace("ws://", "http://").removesuffix("/v1/stream"))
        for origin in (own, Origin("https://desk.example.com")):
            with connect(url, origin=origin) as ws:
                assert _send(ws, type="context") == [{"type": "ack", "seq": 1}]


def test_turns_sent_while_a_suggestion_is_computed_are_acknowledged_and_answered_once_for_the_latest_state(
    tmp_path: Path, index_dir: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[int] = []  # the transcript length of every suggestion the server computes
    release = threading.Event()  # the first suggestion is held until the client has every ack
    suggest = KnowledgeService.suggest

    def held(self: KnowledgeService, call: Call, *args: Any, **kwargs: Any) -> Suggestion:
        computed.append(len(call.transcript))
        release.wait(60)
        return suggest(self, call, *args, **kwargs)

    monkeypatch.setattr(KnowledgeService, "suggest", held)
    with _serving(tmp_path, index_dir, embedder) as url, connect(url) as ws:
        try:
            ws.send(json.dumps({"type": "context"}))
            for _ in range(199):
                ws.send(json.dumps({"type": "turn", "speaker": "agent", "text": "let me look into that"}))
            ws.send(json.dumps({"type": "turn", "speaker": "customer", "text": "my shirt arrived with a stain"}))
            acks = [json.loads(ws.recv(timeout=30)) for _ in range(201)]  # while the first suggestion is held
        finally:
            release.set()
        last = json.loads(ws.recv(timeout=30))
        while last["type"] != "suggestion" or last["seq"] != 201:
            last = json.loads(ws.recv(timeout=30))
    assert acks == [{"type": "ack", "seq": seq} for seq in range(1, 202)]
    assert len(computed) <= 2 and computed[-1] == 200  # the held one, then one for all that came meanwhile
    assert last["suggestion"]["answers"][0]["article_id"] == "returns-stain"


def test_a_socket_over_its_message_budget_is_told_and_closed(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    settings = {"stream_messages_per_second": 0.01, "stream_message_burst": 5}
    with _serving(tmp_path, index_dir, embedder, **settings) as url, connect(url) as ws:
        ws.send(json.dumps({"type": "context"}))
        for _ in range(5):  # the sixth message is one over; resets cost nothing to compute, and count all the same
            ws.send(json.dumps({"type": "reset"}))
        code, replies = _closed_with(ws)
    assert code == 4429 and [r["seq"] for r in replies if r["type"] == "ack"] == [1, 2, 3, 4, 5]
    assert "more than 5 messages at once" in replies[-1]["detail"]


def test_the_stream_holds_the_calls_procedure_and_a_step_marked_on_the_desk_is_done(stream: str) -> None:
    with connect(stream) as ws:
        _send(ws, type="context", conversation_id="call-steps", customer={"id": "c1", "segment": "gold"})
        first = _suggestion(_send(ws, type="turn", speaker="customer",
                                  text="my shirt arrived with a stain and I want to send it back"))
        assert first is not None and first["procedure"]["article_id"] == "returns-stain"
        assert first["procedure"]["since_turn"] == 0
        steps = {a["action"]: a["status"] for a in first["next_best_actions"] if a["status"]}
        assert steps == {"pull-up-account": "current", "validate-purchase": "todo", "membership": "todo"}
        marked = _suggestion(_send(ws, type="step", action="pull-up-account", done=True))
        assert marked is not None and marked["procedure"] == first["procedure"]
        done = {a["action"]: (a["status"], a["reason"]) for a in marked["next_best_actions"] if a["status"]}
        assert done["pull-up-account"] == ("done", "step 1 of returns-stain; done: you marked it done")
        assert done["validate-purchase"][0] == "current"
        unmarked = _suggestion(_send(ws, type="step", action="pull-up-account", done=False))
        assert unmarked is not None
        assert {a["action"]: a["status"] for a in unmarked["next_best_actions"] if a["status"]} == steps
