"""The `assist index` commands that manage versions: update, list, rollback, prune."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assist.cli import app
from assist.index import storage, versions

from .conftest import FIXTURE_KB

runner = CliRunner()


@pytest.fixture(autouse=True)
def _torch_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture index is built with the torch encoder; the CLI must read it with the same one."""
    monkeypatch.setenv("ASSIST_ENCODER", "torch")


def _index(*args: str) -> str:
    result = runner.invoke(app, ["index", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_index_update_publishes_only_when_articles_changed(tmp_path: Path, index_dir: Path) -> None:
    before = versions.current_version(index_dir)
    assert "nothing published" in _index("update", "--knowledge", str(FIXTURE_KB), "--index-dir", str(index_dir))
    assert versions.current_version(index_dir) == before
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "expired-sale.md").unlink()
    output = _index("update", "--knowledge", str(knowledge), "--index-dir", str(index_dir))
    assert "0 added, 0 changed, 1 removed; 0 passages embedded" in output
    assert versions.current_version(index_dir) != before


def test_index_list_rollback_and_prune_manage_versions(tmp_path: Path, index_dir: Path) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    first = versions.current_version(index_dir) or ""
    (knowledge / "expired-sale.md").unlink()
    _index("update", "--knowledge", str(knowledge), "--index-dir", str(index_dir))
    second = versions.current_version(index_dir) or ""
    listing = _index("list", "--index-dir", str(index_dir))
    assert first in listing and second in listing
    assert f"* {second}" in listing
    assert first in _index("rollback", first, "--index-dir", str(index_dir))
    assert versions.current_version(index_dir) == first
    assert "removed 0 versions" in _index("prune", "--keep", "1", "--index-dir", str(index_dir))  # live is kept
    _index("rollback", second, "--index-dir", str(index_dir))
    assert first in _index("prune", "--keep", "1", "--index-dir", str(index_dir))
    assert versions.list_versions(index_dir) == [second]


def test_index_rollback_to_an_unknown_version_fails_and_changes_nothing(index_dir: Path) -> None:
    live = versions.current_version(index_dir)
    result = runner.invoke(app, ["index", "rollback", "2020-01-01T00:00:00Z-0000", "--index-dir", str(index_dir)])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert versions.current_version(index_dir) == live


def _disk_full_at_first(step_name: str, failed: list[Path]) -> storage.FaultHook:
    def hook(step: str, path: Path) -> None:
        if step == step_name and not failed:
            failed.append(path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    return hook


@pytest.mark.parametrize(("command", "what"), [("build", "index not built"), ("update", "index not updated")])
def test_index_build_and_update_on_a_full_disk_report_one_line_and_publish_nothing(
    tmp_path: Path, index_dir: Path, command: str, what: str
) -> None:
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / "expired-sale.md").unlink()  # so that update has something to publish
    live, published = versions.current_version(index_dir), versions.list_versions(index_dir)
    failed: list[Path] = []
    with storage.inject_faults(_disk_full_at_first("write", failed)):
        result = runner.invoke(app, ["index", command, "--knowledge", str(knowledge), "--index-dir", str(index_dir)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert f"{what}: {failed[0]}: No space left on device" in result.output
    assert "Traceback" not in result.output
    assert versions.current_version(index_dir) == live
    assert versions.list_versions(index_dir) == published


def test_index_prune_on_a_failing_disk_reports_one_line(tmp_path: Path) -> None:
    for name in ("v1", "v2"):
        staging = versions.staging_dir(tmp_path)
        storage.write_file(staging / "file", b"data")
        versions.publish(staging, tmp_path, name)
    failed: list[Path] = []
    with storage.inject_faults(_disk_full_at_first("rename", failed)):
        result = runner.invoke(app, ["index", "prune", "--keep", "1", "--index-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"not pruned: {failed[0]}: No space left on device" in result.output
    assert versions.list_versions(tmp_path) == ["v1", "v2"]


def test_index_list_with_a_current_that_is_a_directory_lists_versions_and_warns(index_dir: Path) -> None:
    live = versions.current_version(index_dir) or ""
    pointer = index_dir / versions.POINTER
    pointer.unlink()
    pointer.mkdir()
    listing = _index("list", "--index-dir", str(index_dir))
    assert f"  {live}" in listing  # listed, not marked live
    assert "unreadable, treated as absent: Is a directory" in " ".join(listing.split())  # warned on stderr
