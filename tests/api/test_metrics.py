from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assist.api.app import create_app
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index import versions
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.index.files import VECTORS
from assist.knowledge.articles import load_catalog
from assist.service import KnowledgeService
from assist.settings import Settings
from tests.conftest import FIXTURE_KB

ADMIN = {"Authorization": "Bearer admin-key-0123456789"}


def _settings() -> Settings:
    return Settings(_env_file=None, admin_keys=["admin-key-0123456789"])  # type: ignore[call-arg]


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _labels(**labels: str) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


def test_metrics_count_requests_and_latency_by_route_and_status(index_dir: Path, embedder: Embedder) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    with TestClient(create_app(_settings(), service)) as client:
        for _ in range(2):
            client.post("/v1/suggest", json={"issue": "renew my license"})
        client.post("/v1/suggest", json={"limit": 0})
        client.get("/no/such/path/42")
        samples = _samples(client)
    ok = _labels(route="/v1/suggest", method="POST", status="200")
    assert samples[("assist_http_requests_total", ok)] == 2
    assert samples[("assist_http_requests_total", _labels(route="/v1/suggest", method="POST", status="422"))] == 1
    assert samples[("assist_http_requests_total", _labels(route="unmatched", method="GET", status="404"))] == 1
    assert samples[("assist_http_request_duration_seconds_count", ok)] == 2
    assert samples[("assist_http_request_duration_seconds_bucket", ok | {("le", "+Inf")})] == 2


def test_metrics_report_the_index_version_size_and_reloads(index_dir: Path, embedder: Embedder) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    live = service.version or ""
    broken = build_index(load_catalog(FIXTURE_KB), embedder, index_dir)
    (versions.version_path(index_dir, broken) / VECTORS).write_bytes(b"x")
    with TestClient(create_app(_settings(), service)) as client:
        assert client.post("/v1/admin/reload", headers=ADMIN).status_code == 409
        samples = _samples(client)
    assert samples[("assist_index_info", _labels(version=live))] == 1
    assert samples[("assist_index_loaded", frozenset())] == 1
    assert samples[("assist_index_passages", frozenset())] == service.snapshot.index.manifest.count  # type: ignore[union-attr]
    assert samples[("assist_index_articles", frozenset())] == len(load_catalog(FIXTURE_KB).articles)
    assert samples[("assist_index_reloads_total", frozenset())] == 1
    assert samples[("assist_index_reload_failures_total", frozenset())] == 1


def test_metrics_count_feedback_by_kind_and_suggestions_recorded(
    index_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    store.upgrade()
    with TestClient(create_app(_settings(), service, recorder=Recorder(store))) as client:
        suggestion_id = client.post("/v1/suggest", json={"issue": "renew my license"}).json()["suggestion_id"]
        for helpful in (True, True, False):
            client.post("/v1/feedback", json={"suggestion_id": suggestion_id, "helpful": helpful})
        samples = _samples(client)
    assert samples[("assist_feedback_events_total", _labels(kind="thumbs_up"))] == 2
    assert samples[("assist_feedback_events_total", _labels(kind="thumbs_down"))] == 1
    assert samples[("assist_suggestions_recorded_total", frozenset())] == 1
    assert samples[("assist_suggestions_dropped_total", frozenset())] == 0


def test_two_apps_in_one_process_keep_separate_registries(index_dir: Path, embedder: Embedder) -> None:
    service = KnowledgeService(index_dir, embedder)
    with TestClient(create_app(_settings(), service)) as first, TestClient(create_app(_settings(), service)) as second:
        first.get("/healthz")
        key = ("assist_http_requests_total", _labels(route="/healthz", method="GET", status="200"))
        assert _samples(first)[key] == 1
        assert key not in _samples(second)


def test_metrics_count_suggestions_and_knowledge_gaps(index_dir: Path, embedder: Embedder) -> None:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    with TestClient(create_app(_settings(), service)) as client:
        for text in ("my shirt arrived with a stain, can I return it?", "who won the football game last night?"):
            response = client.post("/v1/suggest",
                                   json={"transcript": [{"speaker": "customer", "text": text}]})
            assert response.status_code == 200
        samples = _samples(client)
    assert samples[("assist_suggestions_total", _labels(knowledge_gap="false"))] == 1
    assert samples[("assist_suggestions_total", _labels(knowledge_gap="true"))] == 1
