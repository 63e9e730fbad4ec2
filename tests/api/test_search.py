"""POST /v1/search: the agent's own search finds passages as suggest shows them, only those the caller may see."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assist.api.app import create_app
from assist.feedback import tables
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index.embedder import Embedder
from assist.service import KnowledgeService
from assist.settings import Settings

KEY = "search-key-0123456789"


@pytest.fixture
def client(built_index_dir: Path, embedder: Embedder) -> Iterator[TestClient]:
    service = KnowledgeService(built_index_dir, embedder)
    service.load()
    settings = Settings(_env_file=None, api_keys=[KEY], record_suggestions=False)  # type: ignore[call-arg]
    with TestClient(create_app(settings, service), headers={"Authorization": f"Bearer {KEY}"}) as test_client:
        yield test_client


def test_search_finds_the_passage_in_the_shape_of_a_suggest_answer(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "stained shirt return"})
    assert response.status_code == 200
    answers = response.json()["answers"]
    assert answers[0]["article_id"] == "returns-stain"
    assert answers[0]["passage_id"].startswith("returns-stain#")
    assert {"title", "section", "passage", "score", "highlights", "why", "more", "links"} <= set(answers[0])


def test_search_shows_only_what_the_caller_may_see(client: TestClient) -> None:
    def found(segment: str) -> list[str]:
        body = {"query": "gold concierge phone line", "limit": 10, "customer": {"segment": segment}}
        return [a["article_id"] for a in client.post("/v1/search", json=body).json()["answers"]]

    gold, silver = found("gold"), found("silver")
    assert "gold-lounge" in gold and "gold-lounge" not in silver
    drafts = client.post("/v1/search", json={"query": "winter promotion coats scarves"}).json()["answers"]
    assert "draft-promo" not in [a["article_id"] for a in drafts]


def test_search_returns_at_most_the_limit_asked(client: TestClient) -> None:
    answers = client.post("/v1/search", json={"query": "return refund shipping", "limit": 2}).json()["answers"]
    assert 1 <= len(answers) <= 2


@pytest.mark.parametrize("body", [{}, {"query": "   "}, {"query": "x" * 5001}, {"query": "refund", "limit": 0},
                                  {"query": "refund", "limit": "3"}])
def test_search_refuses_a_request_with_nothing_to_look_for_or_out_of_bounds(client: TestClient,
                                                                            body: dict[str, object]) -> None:
    assert client.post("/v1/search", json=body).status_code == 422


def test_search_needs_the_client_key_when_keys_are_set(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "refund"}, headers={"Authorization": "Bearer wrong-key"})
    assert response.status_code == 401


def test_a_passage_found_by_search_is_recorded_as_used_for_the_suggestion(built_index_dir: Path, embedder: Embedder,
                                                                          tmp_path: Path) -> None:
    service = KnowledgeService(built_index_dir, embedder)
    service.load()
    store = EventStore(f"sqlite:///{tmp_path / 'assist.db'}")
    store.upgrade()
    recorder = Recorder(store)
    with TestClient(create_app(Settings(_env_file=None), service, recorder=recorder)) as client:  # type: ignore[call-arg]
        shown = client.post("/v1/suggest", json={"issue": "how long does shipping take?"}).json()
        found = client.post("/v1/search", json={"query": "supervisor override code refund"}).json()["answers"][0]
        used = {"suggestion_id": shown["suggestion_id"], "event": "used", "passage_id": found["passage_id"]}
        assert client.post("/v1/feedback", json=used).status_code == 200
        for wrong in ({**used, "event": "opened"}, {**used, "passage_id": "no-ordinal"}):
            assert client.post("/v1/feedback", json=wrong).status_code == 422
    with store.engine.connect() as connection:
        rows = connection.execute(select(tables.events.c.kind, tables.events.c.rank, tables.events.c.passage_id)).all()
    assert [tuple(r) for r in rows] == [("used", None, found["passage_id"])]
