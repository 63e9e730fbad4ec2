from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assist.api import create_app
from assist.embedder import Embedder
from assist.service import KnowledgeService
from assist.settings import Settings


@pytest.fixture
def client(index_dir: Path, embedder: Embedder) -> Iterator[TestClient]:
    service = KnowledgeService(index_dir, embedder)
    service.load()
    with TestClient(create_app(Settings(), service)) as test_client:
        yield test_client


def _suggest(client: TestClient, **body: Any) -> Any:
    return client.post("/v1/suggest", json=body)


def test_suggest_returns_ranked_answers_in_the_contract_shape(client: TestClient) -> None:
    response = _suggest(client, conversation_id="c1", customer={"id": "u1", "segment": "silver"},
                        transcript=[{"speaker": "customer", "text": "My shirt arrived stained, can I return it?"}])
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"suggestion_id", "index_version", "took_ms", "confidence", "knowledge_gap", "answers",
                         "empowerment", "next_best_actions"}
    assert body["suggestion_id"].startswith("sg_")
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
    ],
)
def test_suggest_rejects_out_of_contract_requests_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = _suggest(client, **body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_readyz_is_503_until_an_index_is_loaded(tmp_path: Path, embedder: Embedder) -> None:
    service = KnowledgeService(tmp_path, embedder)
    with TestClient(create_app(Settings(), service)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert _suggest(client, issue="anything").status_code == 503


def test_readyz_names_the_loaded_version(client: TestClient, index_dir: Path) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["index_version"] == (index_dir / "CURRENT").read_text().strip()


def test_openapi_schema_documents_suggest(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/v1/suggest" in schema["paths"]
    assert client.get("/docs").status_code == 200
