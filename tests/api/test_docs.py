from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assist.api.app import create_app
from assist.index.embedder import Embedder
from assist.service import KnowledgeService
from assist.settings import Settings

KEYS = {"api_keys": ["client-key-0123456789"], "admin_keys": ["admin-key-0123456789"]}
_REFERENCE = re.compile(r"""(?:href|src)=["']([^"']+)["']""")


def _client(tmp_path: Path, embedder: Embedder, **settings: Any) -> TestClient:
    service = KnowledgeService(tmp_path, embedder)  # docs need no index
    return TestClient(create_app(Settings(_env_file=None, **settings), service))  # type: ignore[call-arg]


def test_docs_load_swagger_ui_from_the_app_and_no_other_host(tmp_path: Path, embedder: Embedder) -> None:
    with _client(tmp_path, embedder) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert not re.search(r"https?://|//[a-z]", page.text), page.text
        assets = _REFERENCE.findall(page.text)
        assert {a.rsplit(".", 1)[-1] for a in assets} >= {"js", "css"}
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize("path", ["/docs", "/openapi.json", "/docs-assets/swagger-ui.css"])
def test_production_serves_docs_only_when_they_are_made_public(
    tmp_path: Path, embedder: Embedder, path: str
) -> None:
    with _client(tmp_path, embedder, profile="production", **KEYS) as hidden:
        assert hidden.get(path).status_code == 404
    with _client(tmp_path, embedder, profile="production", public_docs=True, **KEYS) as public:
        assert public.get(path).status_code == 200
