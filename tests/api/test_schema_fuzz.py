"""Schemathesis fuzzes the app against its own OpenAPI schema: no 5xx, and every response matches the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from assist.api.app import create_app
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder
from assist.service import KnowledgeService
from assist.settings import Settings

KEY, ADMIN_KEY = "fuzz-key-0123456789", "fuzz-admin-key-0123456789"
OPERATIONS = [("POST", "/v1/suggest"), ("POST", "/v1/search"), ("GET", "/v1/articles/{article_id}"),
              ("GET", "/v1/vocabulary"),
              ("POST", "/v1/feedback"),
              ("POST", "/v1/admin/reload"),
              ("GET", "/v1/reports/articles"), ("GET", "/v1/reports/actions"), ("GET", "/v1/reports/gaps"),
              ("GET", "/v1/reports/check"),
              ("GET", "/healthz"), ("GET", "/readyz")]


@pytest.fixture(scope="module")
def api_schema(built_index_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
               ) -> schemathesis.BaseSchema:
    service = KnowledgeService(built_index_dir, embedder)
    service.load()
    store = EventStore(f"sqlite:///{tmp_path_factory.mktemp('fuzz-store') / 'assist.db'}")
    store.upgrade()
    settings = Settings(_env_file=None, api_keys=[KEY], admin_keys=[ADMIN_KEY])  # type: ignore[call-arg]
    app = create_app(settings, service, recorder=Recorder(store))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_of_the_schema_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == {f"{method} {path}" for method, path in OPERATIONS}


CASES = [(m, p, mode) for m, p in OPERATIONS for mode in GenerationMode if m == "POST" or mode.is_positive]


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=[f"{m} {p} {g.value}" for m, p, g in CASES])
def test_the_api_honours_its_own_schema(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
              database=None)
    def fuzz(case: schemathesis.Case) -> None:
        key = ADMIN_KEY if path.startswith(("/v1/admin/", "/v1/reports/")) else KEY
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"})

    fuzz()
