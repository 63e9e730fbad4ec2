from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from assist.api.app import create_app
from assist.call import Call
from assist.feedback import tables
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.files import VECTORS
from assist.index.update import update_index
from assist.knowledge.articles import load_catalog
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings
from tests.conftest import FIXTURE_KB, logged_text

CLIENT_KEY, ADMIN_KEY = "client-key-0123456789", "admin-key-0123456789"
KEYS = {"api_keys": [CLIENT_KEY], "admin_keys": [ADMIN_KEY]}


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def service(index_dir: Path, embedder: Embedder) -> KnowledgeService:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    return service


def _recorder(directory: Path) -> Recorder:
    store = EventStore(f"sqlite:///{directory / 'assist.db'}")
    store.upgrade()
    return Recorder(store)


@pytest.fixture
def client(service: KnowledgeService, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(), service, recorder=_recorder(tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def keyed(service: KnowledgeService, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(**KEYS), service, recorder=_recorder(tmp_path))) as test_client:
        yield test_client


def _suggest(client: TestClient, **body: Any) -> Any:
    return client.post("/v1/suggest", json=body)


def test_suggest_returns_ranked_answers_in_the_contract_shape(client: TestClient, index_dir: Path) -> None:
    response = _suggest(client, conversation_id="c1", customer={"id": "u1", "segment": "silver"},
                        transcript=[{"speaker": "customer", "text": "My shirt arrived stained, can I return it?"}])
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"suggestion_id", "index_version", "took_ms", "confidence", "knowledge_gap", "answers",
                         "empowerment", "next_best_actions"}
    assert body["suggestion_id"].startswith("sg_")
    assert body["index_version"] == versions.current_version(index_dir)
    first = body["answers"][0]
    assert first["article_id"] == "returns-stain"
    assert set(first) >= {"article_id", "title", "section", "passage", "score", "highlights", "why"}
    assert len(body["answers"]) <= 5


def test_suggest_accepts_an_issue_without_a_transcript(client: TestClient) -> None:
    response = _suggest(client, issue="how long does express delivery take", limit=1)
    assert response.status_code == 200
    assert [a["article_id"] for a in response.json()["answers"]] == ["shipping-times"]


def test_suggest_applies_filters(client: TestClient) -> None:
    response = _suggest(client, issue="renew my license", filters={"domain": "dmv"})
    assert {a["article_id"] for a in response.json()["answers"]} == {"license-renewal"}


def test_suggest_ignores_fields_the_contract_may_add_later(client: TestClient) -> None:
    response = _suggest(client, issue="renew my license", channel="voice", customer={"id": "c", "tier_label": "x"})
    assert response.status_code == 200


def test_suggest_logs_the_suggestion_id_and_the_conversation_only_as_its_pseudonym(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    phone = "+1 415 555 0132"  # desktops use phone numbers as call ids
    with caplog.at_level(logging.DEBUG):
        body = _suggest(client, issue="renew my license", conversation_id=phone, agent={"id": "ann@example.com"}).json()
    record = next(r for r in caplog.records if r.message == "suggestion")
    assert record.suggestion_id == body["suggestion_id"]  # type: ignore[attr-defined]
    store = client.app.state.recorder.store  # type: ignore[attr-defined]
    assert record.conversation == store.pseudonym(phone)  # type: ignore[attr-defined]
    logged = logged_text(caplog.records)
    assert phone not in logged and "ann@example.com" not in logged


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"transcript": []}, "transcript or issue"),
        ({"issue": "   "}, "transcript or issue"),
        ({"issue": "x", "limit": 0}, "limit"),
        ({"issue": "x", "limit": 51}, "limit"),
        ({"transcript": [{"speaker": "bot", "text": "hi"}]}, "speaker"),
        ({"transcript": [{"speaker": "customer", "text": "a" * 5001}]}, "text"),
        ({"transcript": [{"speaker": "customer", "text": "a"}] * 201}, "transcript"),
        ({"issue": "x", "facts": {f"f{i}": i for i in range(65)}}, "facts"),
        ({"issue": "x" * 5001}, "issue"),
        ({"issue": "x", "customer": {"segment": "s" * 201}}, "segment"),
    ],
)
def test_suggest_rejects_out_of_contract_requests_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = _suggest(client, **body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_suggest_rejects_non_finite_numbers_in_facts(client: TestClient) -> None:
    response = client.post("/v1/suggest", content='{"issue": "x", "facts": {"amount": NaN}}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "amount" in str(response.json()["detail"])


@pytest.mark.parametrize("number", ["9" * 400, "-1" + "0" * 16, "1e300"])
def test_suggest_rejects_facts_out_of_range_naming_the_field(client: TestClient, number: str) -> None:
    response = client.post("/v1/suggest", content=f'{{"issue": "x", "facts": {{"purchase_age_days": {number}}}}}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "purchase_age_days" in str(response.json()["detail"])


def test_suggest_past_the_request_deadline_is_503_naming_the_deadline(service: KnowledgeService) -> None:
    with TestClient(create_app(_settings(request_deadline_seconds=1e-9), service)) as late:
        response = _suggest(late, issue="stained shirt")
    assert response.status_code == 503
    assert "request deadline" in response.json()["detail"]
    assert response.headers["retry-after"] == "1"


def test_validation_errors_do_not_echo_the_callers_input(client: TestClient) -> None:
    response = _suggest(client, transcript=[{"speaker": "bot", "text": "my card is 4111 1111 1111 1111"}])
    assert response.status_code == 422
    assert "4111" not in response.text


def test_suggest_needs_a_key_when_client_keys_are_configured(keyed: TestClient) -> None:
    assert _suggest(keyed, issue="renew my license").status_code == 401
    wrong = keyed.post("/v1/suggest", json={"issue": "renew"}, headers=_bearer("not-the-key"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert keyed.post("/v1/suggest", json={"issue": "renew"}, headers=_bearer(CLIENT_KEY)).status_code == 200


def test_an_unauthenticated_caller_gets_401_before_any_validation(keyed: TestClient) -> None:
    assert keyed.post("/v1/suggest", json={"limit": 999}).status_code == 401


def test_admin_routes_always_need_an_admin_key(client: TestClient, keyed: TestClient) -> None:
    assert client.post("/v1/admin/reload").status_code == 401  # no admin keys configured: closed
    assert keyed.post("/v1/admin/reload").status_code == 401
    assert keyed.post("/v1/admin/reload", headers=_bearer(CLIENT_KEY)).status_code == 401
    assert keyed.post("/v1/admin/reload", headers=_bearer(ADMIN_KEY)).status_code == 200


def test_admin_reload_rejects_unknown_fields(keyed: TestClient) -> None:
    response = keyed.post("/v1/admin/reload", json={"version": "x"}, headers=_bearer(ADMIN_KEY))
    assert response.status_code == 422
    assert "version" in str(response.json()["detail"])


def test_admin_reload_refuses_a_corrupted_version_and_keeps_serving_the_old_one(
    keyed: TestClient, index_dir: Path, embedder: Embedder
) -> None:
    old = versions.current_version(index_dir)
    new = build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    (versions.version_path(index_dir, new) / VECTORS).write_bytes(b"garbage")
    response = keyed.post("/v1/admin/reload", headers=_bearer(ADMIN_KEY))
    assert response.status_code == 409
    assert f"still serving {old}" in response.json()["detail"]
    served = keyed.post("/v1/suggest", json={"issue": "renew"}, headers=_bearer(CLIENT_KEY)).json()
    assert served["index_version"] == old
    ready = keyed.get("/readyz").json()
    assert ready["index_version"] == old
    assert new in ready["detail"]


def test_admin_reload_with_an_expected_version_fails_when_another_is_served(keyed: TestClient) -> None:
    response = keyed.post("/v1/admin/reload", json={"expect_version": "2020-01-01T00:00:00Z-0000"},
                          headers=_bearer(ADMIN_KEY))
    assert response.status_code == 409


def test_bodies_over_the_limit_get_413_whether_declared_or_streamed(service: KnowledgeService) -> None:
    with TestClient(create_app(_settings(max_body_bytes=2048), service)) as small:
        declared = small.post("/v1/suggest", json={"issue": "x" * 4000})
        assert declared.status_code == 413

        def chunks() -> Iterator[bytes]:
            yield b'{"issue": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        streamed = small.post("/v1/suggest", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert small.post("/v1/suggest", json={"issue": "renew my license"}).status_code == 200


def test_the_default_body_limit_admits_the_largest_contract_valid_request(client: TestClient) -> None:
    turns = [{"speaker": "customer", "text": "stained shirt " * 357}] * 200
    assert _suggest(client, transcript=turns, limit=1).status_code == 200


class _BrokenService(KnowledgeService):
    """A service whose suggest fails in a way nobody planned for."""

    def suggest(self, call: Call, limit: int, today: Any = None) -> Suggestion:
        raise RuntimeError("secret detail at /srv/assist/internal.py line 12")


def test_unexpected_errors_return_a_short_500_without_a_stack_trace(index_dir: Path, embedder: Embedder) -> None:
    service = _BrokenService(index_dir, embedder)
    service.load()
    with TestClient(create_app(_settings(), service), raise_server_exceptions=False) as broken:
        response = broken.post("/v1/suggest", json={"issue": "anything"})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_cors_is_closed_by_default_and_open_only_to_listed_origins(
    client: TestClient, service: KnowledgeService
) -> None:
    preflight = {"Origin": "https://desk.example.com", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/suggest", headers=preflight).headers
    settings = _settings(cors_origins=["https://desk.example.com"])
    with TestClient(create_app(settings, service)) as open_client:
        allowed = open_client.options("/v1/suggest", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://desk.example.com"
        other = open_client.options("/v1/suggest", headers={**preflight, "Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


def test_feedback_is_stored_counted_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    suggestion_id = _suggest(client, issue="renew my license").json()["suggestion_id"]
    with caplog.at_level(logging.INFO, logger="assist.api.routes"):
        response = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "helpful": True,
                                                     "used_rank": 1})
        opened = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "event": "opened", "rank": 2})
        ended = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "event": "outcome",
                                                  "outcome": "resolved"})
    assert response.status_code == 200
    assert response.json() == {"status": "recorded", "suggestion_id": suggestion_id, "events": 2}
    assert opened.json()["events"] == 1 and ended.status_code == 200
    assert any(getattr(r, "suggestion_id", None) == suggestion_id for r in caplog.records if r.message == "feedback")
    store: EventStore = client.app.state.recorder.store  # type: ignore[attr-defined]
    with store.engine.connect() as connection:
        kinds = connection.execute(select(tables.events.c.kind).order_by(tables.events.c.id)).scalars().all()
    assert kinds == ["thumbs_up", "used", "opened", "outcome"]
    metrics = client.get("/metrics").text
    assert 'assist_feedback_events_total{kind="used"} 1.0' in metrics
    assert "assist_suggestions_recorded_total 1.0" in metrics


def test_feedback_about_an_unknown_suggestion_is_404(client: TestClient) -> None:
    response = client.post("/v1/feedback", json={"suggestion_id": "sg_01J00000000000000000000000", "helpful": True})
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown suggestion sg_01J00000000000000000000000"}


def test_feedback_about_an_answer_or_action_not_shown_is_422_naming_the_field(client: TestClient) -> None:
    suggestion_id = _suggest(client, issue="renew my license", limit=2).json()["suggestion_id"]
    response = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "event": "used", "rank": 3})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rank"]
    response = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "event": "dismissed",
                                                 "action": "refund_everything"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "action"]


def test_feedback_without_an_event_store_is_503(service: KnowledgeService) -> None:
    with TestClient(create_app(_settings(), service)) as client:
        suggestion_id = _suggest(client, issue="renew my license").json()["suggestion_id"]
        response = client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "helpful": True})
    assert response.status_code == 503 and "event store is off" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"suggestion_id": "sg_01J00000000000000000000000", "helpful": True, "rating": 5}, "rating"),
        ({"suggestion_id": "not-an-id", "helpful": True}, "suggestion_id"),
        ({"suggestion_id": "sg_01J00000000000000000000000"}, "at least one"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "used_rank": 0}, "used_rank"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "comment": "c" * 2001}, "comment"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "event": "used"}, "rank or action"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "event": "outcome"}, "outcome"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "event": "copied", "rank": 1, "outcome": "resolved"},
         "outcome"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "event": "used", "rank": 1, "helpful": True}, "alone"),
        ({"suggestion_id": "sg_01J00000000000000000000000", "event": "liked", "rank": 1}, "event"),
    ],
)
def test_feedback_rejects_unknown_fields_and_out_of_bounds_values(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_feedback_needs_a_client_key_when_keys_are_configured(keyed: TestClient) -> None:
    suggested = keyed.post("/v1/suggest", json={"issue": "renew my license"}, headers=_bearer(CLIENT_KEY))
    body = {"suggestion_id": suggested.json()["suggestion_id"], "helpful": False}
    assert keyed.post("/v1/feedback", json=body).status_code == 401
    assert keyed.post("/v1/feedback", json=body, headers=_bearer(CLIENT_KEY)).status_code == 200


def test_readyz_is_503_until_an_index_is_loaded(tmp_path: Path, embedder: Embedder) -> None:
    service = KnowledgeService(tmp_path, embedder)
    with TestClient(create_app(_settings(), service)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert _suggest(client, issue="anything").status_code == 503


def test_readyz_is_503_only_when_no_valid_version_exists(index_dir: Path, embedder: Embedder) -> None:
    old = versions.current_version(index_dir) or ""
    new = build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    for version in (new, old):
        (versions.version_path(index_dir, version) / VECTORS).write_bytes(b"truncated")
        service = KnowledgeService(index_dir, embedder)
        service.start()
        with TestClient(create_app(_settings(), service)) as client:
            ready = client.get("/readyz")
        if version == new:  # the previous version is still valid: serve it, and say why
            assert (ready.status_code, ready.json()["index_version"]) == (200, old)
            assert new in ready.json()["detail"]
        else:
            assert ready.status_code == 503


def test_readyz_names_the_loaded_version(client: TestClient, index_dir: Path) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["index_version"] == (index_dir / "CURRENT").read_text().strip()


def test_openapi_schema_documents_suggest_feedback_and_the_bearer_scheme(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/v1/suggest", "/v1/feedback", "/v1/admin/reload"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200


MARKER = "---\nid: generation\ntitle: Index generation marker\n---\nThis knowledge base is generation number {n}.\n"
_GENERATION = re.compile(r"generation number (\d+)")


def _marker_generation(body: dict[str, Any]) -> int:
    passage = next(a["passage"] for a in body["answers"] if a["article_id"] == "generation")
    match = _GENERATION.search(passage)
    assert match is not None, passage
    return int(match.group(1))


def test_reload_under_load_gives_every_response_from_exactly_one_version(
    tmp_path: Path, embedder: Embedder
) -> None:
    knowledge, index_dir = tmp_path / "kb", tmp_path / "indexes"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "generation.md").write_text(MARKER.format(n=0))
    generation = {build_index(load_catalog(knowledge), embedder, index_dir): 0}
    service = KnowledgeService(index_dir, embedder)
    service.start()
    responses: list[tuple[int, dict[str, Any]]] = []
    stop = threading.Event()

    def caller(client: TestClient) -> None:
        while not stop.is_set():
            response = client.post("/v1/suggest", json={"issue": "which generation number is the marker"},
                                   headers=_bearer(CLIENT_KEY))
            responses.append((response.status_code, response.json()))

    with TestClient(create_app(_settings(**KEYS), service)) as client:
        threads = [threading.Thread(target=caller, args=(client,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            for n in range(1, 21):
                (knowledge / "generation.md").write_text(MARKER.format(n=n))
                version = update_index(load_catalog(knowledge), embedder, index_dir).version
                assert version is not None
                generation[version] = n
                reload = client.post("/v1/admin/reload", json={"expect_version": version}, headers=_bearer(ADMIN_KEY))
                assert reload.status_code == 200, reload.text
                deadline = time.monotonic() + 30  # a hang guard: wait until a caller has seen this version
                while not any(b.get("index_version") == version for _, b in responses[-20:]):
                    assert time.monotonic() < deadline, "no response from the reloaded version"
                    time.sleep(0.005)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert {status for status, _ in responses} == {200}
    for _, body in responses:
        assert _marker_generation(body) == generation[body["index_version"]]
    assert {body["index_version"] for _, body in responses} == set(generation)


def test_feedback_that_cannot_be_stored_gets_503_and_is_neither_counted_nor_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"suggestion_id": _suggest(client, issue="renew my license").json()["suggestion_id"], "helpful": True}
    store: EventStore = client.app.state.recorder.store  # type: ignore[attr-defined]
    assert client.app.state.recorder.flush()  # type: ignore[attr-defined]
    with store.engine.begin() as connection:  # the database breaks under the running service
        connection.execute(text("ALTER TABLE events RENAME TO events_away"))
    with caplog.at_level(logging.INFO, logger="assist.api.routes"):
        response = client.post("/v1/feedback", json=body)
    assert response.status_code == 503
    assert response.json()["detail"].startswith("feedback not stored: the event store refused the event")
    assert not [r for r in caplog.records if r.message == "feedback"]
    assert 'assist_feedback_events_total{kind="thumbs_up"}' not in client.get("/metrics").text
    with store.engine.begin() as connection:
        connection.execute(text("ALTER TABLE events_away RENAME TO events"))
    assert client.post("/v1/feedback", json=body).status_code == 200
    assert 'assist_feedback_events_total{kind="thumbs_up"} 1.0' in client.get("/metrics").text


@pytest.mark.parametrize("route", ["/v1/suggest", "/v1/feedback"])
def test_a_body_that_is_not_json_gets_400_without_echoing_it(client: TestClient, route: str) -> None:
    broken = '{"issue": "my card is 4111 1111'
    response = client.post(route, content=broken, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert "4111" not in response.text


def _production(**overrides: Any) -> Settings:
    return _settings(profile="production", **KEYS, **overrides)


def test_metrics_need_an_admin_key_in_production_unless_public(service: KnowledgeService) -> None:
    with TestClient(create_app(_production(), service)) as closed:
        assert closed.get("/metrics").status_code == 401
        assert closed.get("/metrics", headers=_bearer(CLIENT_KEY)).status_code == 401
        assert closed.get("/metrics", headers=_bearer(ADMIN_KEY)).status_code == 200
    with TestClient(create_app(_production(public_metrics=True), service)) as public:
        assert public.get("/metrics").status_code == 200


def test_metrics_are_open_in_the_local_profile(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200


def test_readyz_is_not_500_when_current_is_a_directory(index_dir: Path, embedder: Embedder) -> None:
    old = versions.current_version(index_dir) or ""
    new = build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    (versions.version_path(index_dir, new) / VECTORS).write_bytes(b"truncated")
    service = KnowledgeService(index_dir, embedder)
    service.start()  # serves old; CURRENT names the refused new version
    pointer = index_dir / versions.POINTER
    pointer.unlink()
    pointer.mkdir()
    with TestClient(create_app(_settings(), service), raise_server_exceptions=False) as client:
        ready = client.get("/readyz")
    assert (ready.status_code, ready.json()["index_version"]) == (200, old)
    restarted = KnowledgeService(index_dir, embedder)
    assert restarted.start() == old


# What an outside probe sent that went to disk unchanged, and the id forms desktops use.
_PROBE_PII = [
    "4111.1111.1111.1111", "4111 1111-1111 1111", "41 11 11 11 11 11 11 11", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
    "4111\u00a01111\u00a01111\u00a01111", "\uff14" + "\uff11" * 15, "dana.whit2\uff20example.com",
    "d\u0430n\u0430@ex\u0430mple.com", "dana at example dot com", "my number is five five five, oh one three eight",
    "42 oak street, springfield, il 62704", "Dana Whitfield", "Sam Okafor",
]


def test_pii_in_turns_comments_and_ids_never_reaches_the_data_directory_or_the_log(
    service: KnowledgeService, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    recorder = _recorder(data)
    with caplog.at_level(logging.DEBUG), TestClient(create_app(_settings(), service, recorder=recorder)) as client:
        for n, said in enumerate(_PROBE_PII):
            body = _suggest(client, conversation_id="+1 415 555 0132", agent={"id": "agent.ann@example.com"},
                            transcript=[{"speaker": "customer", "text": f"my shirt is stained, it's {said}"},
                                        {"speaker": "agent", "text": "Can I have your full name?"},
                                        {"speaker": "customer", "text": f"sure: {said}"}]).json()
            reply = client.post("/v1/feedback", json={"suggestion_id": body["suggestion_id"], "event": "used",
                                                       "rank": 1, "comment": f"Account 8823{n}, {said}"})
            assert reply.status_code == 200, reply.text
        assert recorder.flush()
    stored = b"".join(f.read_bytes() for f in data.iterdir())
    logged = logged_text(caplog.records)
    assert b"[PERSON]" in stored and b"[CARD]" in stored  # the rows are there, redacted
    for said in [*_PROBE_PII, "415 555 0132", "agent.ann@example.com", "88231"]:
        assert said.encode() not in stored, said
        assert said not in logged, said


def test_pages_carry_a_content_security_policy_and_no_framing(client: TestClient) -> None:
    for path in ("/", "/desk/editor", "/static/desk/main.js", "/static/editor/main.js", "/static/shared/dom.js"):
        headers = client.get(path).headers
        if path.endswith(".js"):  # a module script served as anything else is refused (nosniff)
            assert headers["content-type"].startswith("text/javascript"), path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    page = client.get("/").text + client.get("/desk/editor").text
    assert "<script>" not in page and " on" + "submit=" not in page and "style=" not in page  # nothing inline


def test_readyz_stays_ready_when_the_store_file_is_deleted_and_reopened(client: TestClient, tmp_path: Path) -> None:
    for file in tmp_path.glob("assist.db*"):
        file.unlink()
    assert client.get("/readyz").status_code == 200
    assert (tmp_path / "assist.db").exists()  # a new store, migrated, where the old one was


@pytest.mark.parametrize("blank", ["\u0085", "\ufeff", " \x1c\t"])
def test_a_request_with_nothing_visible_is_refused_as_its_schema_says(client: TestClient, blank: str) -> None:
    response = _suggest(client, transcript=[{"speaker": "customer", "text": blank}])
    assert response.status_code == 422
    assert "transcript or issue" in str(response.json()["detail"])
    assert _suggest(client, transcript=[{"speaker": "customer", "text": blank + "hi"}]).status_code == 200


def test_a_fact_or_filter_too_long_for_a_string_is_not_read_as_a_number(client: TestClient) -> None:
    for field in ("facts", "filters"):
        response = _suggest(client, issue="x", **{field: {"order_total": "0" * 1001}})
        assert response.status_code == 422 and "order_total" in str(response.json()["detail"])


def test_vocabulary_lists_the_facts_the_served_policies_read(tmp_path: Path, embedder: Embedder) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "policies").mkdir()
    (knowledge / "policies" / "vocabulary.yaml").write_text(
        "segments: [gold, tin]\nroles: [tier1]\n"
        "facts:\n  bags_checked: {type: int, unit: bags, label: Bags checked}\n  has_receipt: {type: bool}\n")
    build_index(load_catalog(knowledge), embedder, tmp_path / "index")
    service = KnowledgeService(tmp_path / "index", embedder)
    service.load()
    with TestClient(create_app(_settings(**KEYS), service)) as client:
        assert client.get("/v1/vocabulary").status_code == 401
        response = client.get("/v1/vocabulary", headers=_bearer(CLIENT_KEY))
    assert response.status_code == 200
    assert response.json() == {"facts": [
        {"name": "bags_checked", "type": "int", "unit": "bags", "label": "Bags checked"},
        {"name": "has_receipt", "type": "bool", "unit": None, "label": "Has receipt"}],
        "segments": ["gold", "tin"], "roles": ["tier1"]}


def test_vocabulary_is_unavailable_until_an_index_is_loaded(tmp_path: Path, embedder: Embedder) -> None:
    with TestClient(create_app(_settings(), KnowledgeService(tmp_path, embedder))) as client:
        response = client.get("/v1/vocabulary")
    assert response.status_code == 503
    assert response.json() == {"detail": "no index is loaded yet"}
