"""The `assist index` commands that manage versions: update, list, rollback, prune."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from assist import storage
from assist.cli import app

from .conftest import FIXTURE_KB

runner = CliRunner()


def _index(*args: str) -> str:
    result = runner.invoke(app, ["index", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_index_update_publishes_only_when_articles_changed(tmp_path: Path, index_dir: Path) -> None:
    before = storage.current_version(index_dir)
    assert "nothing published" in _index("update", "--knowledge", str(FIXTURE_KB), "--index-dir", str(index_dir))
    assert storage.current_version(index_dir) == before
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "expired-sale.md").unlink()
    output = _index("update", "--knowledge", str(knowledge), "--index-dir", str(index_dir))
    assert "0 added, 0 changed, 1 removed; 0 passages embedded" in output
    assert storage.current_version(index_dir) != before


def test_index_list_rollback_and_prune_manage_versions(tmp_path: Path, index_dir: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    first = storage.current_version(index_dir) or ""
    (knowledge / "expired-sale.md").unlink()
    _index("update", "--knowledge", str(knowledge), "--index-dir", str(index_dir))
    second = storage.current_version(index_dir) or ""
    listing = _index("list", "--index-dir", str(index_dir))
    assert first in listing and second in listing
    assert f"* {second}" in listing
    assert first in _index("rollback", first, "--index-dir", str(index_dir))
    assert storage.current_version(index_dir) == first
    assert "removed 0 versions" in _index("prune", "--keep", "1", "--index-dir", str(index_dir))  # live is kept
    _index("rollback", second, "--index-dir", str(index_dir))
    assert first in _index("prune", "--keep", "1", "--index-dir", str(index_dir))
    assert storage.list_versions(index_dir) == [second]


def test_index_rollback_to_an_unknown_version_fails_and_changes_nothing(index_dir: Path) -> None:
    live = storage.current_version(index_dir)
    result = runner.invoke(app, ["index", "rollback", "2020-01-01T00:00:00Z-0000", "--index-dir", str(index_dir)])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert storage.current_version(index_dir) == live
