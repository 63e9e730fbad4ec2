from __future__ import annotations

import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient

from assist import storage
from assist.articles import load_catalog
from assist.embedder import Embedder
from assist.server import create_server_app
from assist.settings import Settings
from assist.update import update_index

from .conftest import FIXTURE_KB


def test_served_app_watches_the_pointer_and_reloads_a_new_publish(
    tmp_path: Path, index_dir: Path, embedder: Embedder
) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    settings = Settings(_env_file=None, watch_seconds=0.02)  # type: ignore[call-arg]
    app = create_server_app(settings, index_dir)
    with TestClient(app) as client:
        assert client.get("/readyz").json()["index_version"] == storage.current_version(index_dir)
        (knowledge / "expired-sale.md").unlink()
        new = update_index(load_catalog(knowledge), embedder, index_dir).version
        deadline = time.monotonic() + 30  # a hang guard, not a timing assertion
        while client.get("/readyz").json()["index_version"] != new:
            assert time.monotonic() < deadline, "the watcher never loaded the new version"
            time.sleep(0.02)
        assert client.post("/v1/suggest", json={"issue": "stained shirt"}).json()["index_version"] == new
    assert not app.state.watcher.running


def test_served_app_without_a_watch_interval_does_not_watch(index_dir: Path) -> None:
    app = create_server_app(Settings(_env_file=None, watch_seconds=0), index_dir)  # type: ignore[call-arg]
    assert app.state.watcher is None
