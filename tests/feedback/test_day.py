"""A realistic day of calls through the HTTP API: 200 Doc2Dial suggestions and 45 questions the knowledge base
cannot answer, with agents' feedback; the reports must count exactly what was sent, and group the unanswered
questions by their theme."""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assist.api.app import create_app
from assist.feedback.recorder import Recorder
from assist.feedback.store import EventStore
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.knowledge.articles import load_catalog
from assist.service import KnowledgeService
from assist.settings import Settings
from tests.conftest import DATA, KNOWLEDGE, ROOT

DOC2DIAL = ROOT.parent / "shared" / "bench" / "doc2dial"
ADMIN = {"Authorization": "Bearer day-admin-key-0123456789"}
CALLS = 200


def _queries() -> list[dict[str, Any]]:
    if not (DOC2DIAL / "queries_dev.jsonl").exists():
        pytest.skip(f"the Doc2Dial benchmark is not beside the checkout ({DOC2DIAL})")
    lines = (DOC2DIAL / "queries_dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:CALLS]]


@pytest.fixture(scope="module")
def day_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The bundled retail base plus the Doc2Dial articles the day's calls are about."""
    knowledge = tmp_path_factory.mktemp("day-knowledge")
    shutil.copytree(KNOWLEDGE, knowledge, dirs_exist_ok=True)
    for gold in {q["gold_article"] for q in _queries()}:
        source = next((DOC2DIAL / "knowledge").rglob(f"{gold}.md"))
        shutil.copy(source, knowledge / "retail" / source.name)
    index_dir = tmp_path_factory.mktemp("day-index")
    build_index(load_catalog(knowledge), embedder, index_dir)
    return index_dir


@pytest.fixture
def client(day_index: Path, embedder: Embedder, store: EventStore) -> Iterator[TestClient]:
    service = KnowledgeService(day_index, embedder)
    service.load()
    settings = Settings(_env_file=None, admin_keys=["day-admin-key-0123456789"])  # type: ignore[call-arg]
    with TestClient(create_app(settings, service, recorder=Recorder(store))) as test_client:
        yield test_client


def _feedback(client: TestClient, **body: Any) -> None:
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 200, response.text


def test_a_day_of_calls_is_counted_exactly_and_unanswered_questions_are_grouped_by_theme(
    client: TestClient,
) -> None:
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    conversations: dict[str, str] = {}
    for n, query in enumerate(_queries()):
        conversation = query["qid"].rsplit("_", 1)[0]
        body = {"conversation_id": conversation, "customer": {"id": "c", "segment": "standard"},
                "transcript": query["transcript"]}
        shown = client.post("/v1/suggest", json=body).json()
        suggestion, answers = shown["suggestion_id"], [a["article_id"] for a in shown["answers"]]
        for rank, article in enumerate(answers, start=1):
            expected[article]["shown"] += 1
            expected[article]["shown_first"] += rank == 1
        for kind, rank, every in (("used", 1, 3), ("opened", 2, 5), ("thumbs_up", 1, 7), ("thumbs_down", 3, 11)):
            if n % every == 0 and rank <= len(answers):
                _feedback(client, suggestion_id=suggestion, event=kind, rank=rank)
                expected[answers[rank - 1]][kind] += 1
        conversations[conversation] = suggestion
    for suggestion in conversations.values():
        _feedback(client, suggestion_id=suggestion, event="outcome", outcome="resolved")

    themes: dict[str, str] = {}
    for line in (DATA / "offtopic_questions.jsonl").read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        shown = client.post("/v1/suggest", json={"customer": {"segment": "silver"}, "transcript": [
            {"speaker": "customer", "text": question["text"]}]}).json()
        themes[shown["suggestion_id"]] = question["theme"]
        for rank, answer in enumerate(shown["answers"], start=1):
            expected[answer["article_id"]]["shown"] += 1
            expected[answer["article_id"]]["shown_first"] += rank == 1
        if shown["answers"]:  # the agent tells us the first answer did not help
            _feedback(client, suggestion_id=shown["suggestion_id"], event="thumbs_down", rank=1)
            expected[shown["answers"][0]["article_id"]]["thumbs_down"] += 1

    report = client.get("/v1/reports/articles", params={"since": "1d"}, headers=ADMIN).json()
    counted = {a["article_id"]: a for a in report["articles"]}
    for article, counts in expected.items():
        for field in ("shown", "shown_first", "used", "opened", "thumbs_up", "thumbs_down"):
            assert counted[article][field] == counts[field], (article, field)
    assert sum(a["resolved_when_used"] == 1.0 for a in counted.values() if a["used"]) >= 1

    groups = client.get("/v1/reports/gaps", params={"since": "1d"}, headers=ADMIN).json()["groups"]
    grouped = [[themes.get(m["suggestion_id"]) for m in g["members"]] for g in groups]
    assert {t for members in grouped for t in members if t} == set(themes.values())
    for members in grouped:
        if any(members):  # a group holding an unanswered theme holds that theme only
            assert len(set(members)) == 1, members
    for theme in set(themes.values()):  # every theme is gathered, not scattered one question per group
        assert max(members.count(theme) for members in grouped) >= 2, theme
    assert [g["size"] for g in groups] == sorted((g["size"] for g in groups), reverse=True)
