from __future__ import annotations

import fcntl
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assist.index import storage, versions


def _publish(index_dir: Path, name: str, content: bytes = b"data") -> None:
    staging = versions.staging_dir(index_dir)
    storage.write_file(staging / "file", content)
    versions.publish(staging, index_dir, name)


def _fail_at(n: int, seen: list[tuple[str, Path]]) -> storage.FaultHook:
    def hook(step: str, path: Path) -> None:
        seen.append((step, path))
        if len(seen) == n:
            raise OSError(f"injected fault at step {n} ({step} {path.name})")

    return hook


def test_write_file_replaces_the_whole_content(tmp_path: Path) -> None:
    target = tmp_path / "f"
    storage.write_file(target, b"first")
    storage.write_file(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_write_file_failing_at_any_step_leaves_the_old_content_or_the_new_never_a_mix(tmp_path: Path) -> None:
    target = tmp_path / "f"
    storage.write_file(target, b"old")
    for n in range(1, 6):
        seen: list[tuple[str, Path]] = []
        with storage.inject_faults(_fail_at(n, seen)), pytest.raises(OSError, match="injected"):
            storage.write_file(target, b"new")
        expected = b"new" if seen[-1][0] == "fsync-dir" else b"old"
        assert target.read_bytes() == expected, seen[-1]
        assert [p.name for p in tmp_path.iterdir()] == ["f"]  # no temp file survives a failed write
        storage.write_file(target, b"old")


def test_publish_moves_the_pointer_only_after_the_version_is_in_place(tmp_path: Path) -> None:
    _publish(tmp_path, "v1")
    seen: list[tuple[str, Path]] = []
    with storage.inject_faults(_fail_at(3, seen)), pytest.raises(OSError):
        _publish(tmp_path, "v2")
    assert versions.current_version(tmp_path) == "v1"
    _publish(tmp_path, "v3")
    assert versions.current_version(tmp_path) == "v3"
    assert versions.list_versions(tmp_path) == ["v1", "v3"]


def test_publish_refuses_to_overwrite_a_version(tmp_path: Path) -> None:
    _publish(tmp_path, "v1")
    with pytest.raises(FileExistsError, match="v1"):
        _publish(tmp_path, "v1", b"other")
    assert (versions.version_path(tmp_path, "v1") / "file").read_bytes() == b"data"


@pytest.mark.parametrize("name", ["..", "../x", "a/b", "", ".hidden", "x" * 200])
def test_version_names_that_could_escape_the_versions_directory_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not an index version name"):
        versions.version_path(tmp_path, name)


def test_clean_removes_what_dead_writers_left_but_not_versions(tmp_path: Path) -> None:
    _publish(tmp_path, "v1")
    versions.staging_dir(tmp_path)
    (tmp_path / ".trash-abc").mkdir()
    (tmp_path / ".CURRENT.123.tmp").write_text("v2")
    removed = versions.clean_if_idle(tmp_path)
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "CURRENT", "versions"]
    assert versions.current_version(tmp_path) == "v1"


def test_clean_leaves_a_running_writers_staging_directory_alone(tmp_path: Path) -> None:
    with versions.writer(tmp_path):
        staging = versions.staging_dir(tmp_path)
        assert versions.clean_if_idle(tmp_path) == []
        assert staging.is_dir()


def test_writer_lock_is_exclusive(tmp_path: Path) -> None:
    with versions.writer(tmp_path), open(tmp_path / versions.LOCK, "ab") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_prune_keeps_the_newest_and_the_live_version(tmp_path: Path) -> None:
    for name in ("v1", "v2", "v3", "v4"):
        _publish(tmp_path, name)
    versions.set_current(tmp_path, "v1")
    assert versions.prune(tmp_path, keep=2) == ["v2"]
    assert versions.list_versions(tmp_path) == ["v1", "v3", "v4"]


def test_prune_failing_part_way_never_lists_a_half_deleted_version(tmp_path: Path) -> None:
    for name in ("v1", "v2", "v3"):
        _publish(tmp_path, name)
    seen: list[tuple[str, Path]] = []
    with storage.inject_faults(_fail_at(3, seen)), pytest.raises(OSError):
        versions.prune(tmp_path, keep=1)
    for name in versions.list_versions(tmp_path):
        assert (versions.version_path(tmp_path, name) / "file").read_bytes() == b"data"
    versions.prune(tmp_path, keep=1)
    assert versions.list_versions(tmp_path) == ["v3"]
    assert not list(tmp_path.glob(".trash-*"))


def test_remove_version_refuses_the_live_one(tmp_path: Path) -> None:
    _publish(tmp_path, "v1")
    with pytest.raises(ValueError, match="live"):
        versions.remove_version(tmp_path, "v1")


_HOLD_LOCK = """
import sys
from pathlib import Path
from assist.index import versions

with versions.writer(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_writer_waiting_for_the_lock_logs_the_holders_pid(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    assert holder.stdin is not None and holder.stdout is not None
    entered = threading.Event()

    def write() -> None:
        with versions.writer(tmp_path):
            entered.set()

    try:
        assert holder.stdout.readline() == b"held\n"
        with caplog.at_level(logging.WARNING, logger="assist.index.versions"):
            waiter = threading.Thread(target=write)
            waiter.start()
            deadline = time.monotonic() + 30  # a hang guard, not a timing assertion
            while not caplog.records and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not entered.is_set()
            holder.stdin.close()  # the holder exits, which releases the lock
            waiter.join(30)
    finally:
        holder.kill()
        holder.wait()
    assert entered.is_set()
    assert f"waiting for the writer lock held by pid {holder.pid}" in caplog.text


def test_current_version_of_an_unreadable_pointer_is_none_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / versions.POINTER).mkdir()
    with caplog.at_level(logging.WARNING, logger="assist.index.versions"):
        assert versions.current_version(tmp_path) is None
    assert str(tmp_path / versions.POINTER) in caplog.text
