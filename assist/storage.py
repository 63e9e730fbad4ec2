"""Every file assist writes goes through here: atomic writes, immutable version directories, one live pointer.

Publishing a version: files are written into a staging directory and fsynced, the directory is renamed into
`versions/`, and only then is the `CURRENT` pointer replaced atomically. A crash at any point leaves the
previous pointer naming a complete version; stale staging directories are removed at the next start.

Every step that changes the disk passes through `_step`, the fault-injection seam: `inject_faults` lets a
test fail (raise `OSError` at) any chosen step, the way SQLite's test harness fails its Nth I/O call.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POINTER = "CURRENT"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
LOCK = ".lock"
_VERSION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z:._-]{0,127}")

FaultHook = Callable[[str, Path], None]
_fault_hook: FaultHook | None = None


@contextmanager
def inject_faults(hook: FaultHook) -> Iterator[None]:
    """Call `hook(step, path)` before every disk-changing step while the block runs (tests only)."""
    global _fault_hook
    previous, _fault_hook = _fault_hook, hook
    try:
        yield
    finally:
        _fault_hook = previous


def _step(step: str, path: Path) -> None:
    if _fault_hook is not None:
        _fault_hook(step, path)


def _fsync_dir(path: Path) -> None:
    _step("fsync-dir", path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file, fsync, rename over, fsync the directory."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        _step("create", temp)
        with open(temp, "wb") as handle:
            _step("write", temp)
            handle.write(data)
            handle.flush()
            _step("fsync", temp)
            os.fsync(handle.fileno())
        _step("replace", path)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def append_line(path: Path, line: bytes) -> None:
    """Append one line to a log file with a single write, then fsync it (used for the feedback log)."""
    _step("append", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(line if line.endswith(b"\n") else line + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def make_dir(path: Path) -> None:
    """Create one directory (inside a staging directory)."""
    _step("mkdir", path)
    path.mkdir()


@contextmanager
def writer(index_dir: Path) -> Iterator[None]:
    """Hold the writer lock of `index_dir` (one build, update, rollback or prune at a time).

    The kernel drops the lock when its process dies, so whoever holds it next knows every staging
    directory it finds was left by a dead writer, and removes it.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        clean(index_dir)
        yield


def clean_if_idle(index_dir: Path) -> list[Path]:
    """Remove what dead writers left behind, unless a writer is running now; return what was removed."""
    try:
        with open(index_dir / LOCK, "ab") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return clean(index_dir)
    except OSError:  # busy, or a read-only index directory: nothing to clean that we may touch
        return []


def clean(index_dir: Path) -> list[Path]:
    """Remove staging and trash directories and temp files; call only while holding the writer lock."""
    if not index_dir.is_dir():
        return []
    stale = [p for p in index_dir.iterdir() if p.name.startswith((STAGING_PREFIX, TRASH_PREFIX))]
    stale += [p for p in index_dir.glob(".*.tmp") if p.is_file()]
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


def staging_dir(index_dir: Path) -> Path:
    """A fresh, empty directory to build a version in."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    make_dir(path)
    return path


def publish(staging: Path, index_dir: Path, version: str) -> Path:
    """Move a fully written staging directory into place as `version`, then point CURRENT at it."""
    versions = index_dir / VERSIONS
    versions.mkdir(exist_ok=True)
    target = version_path(index_dir, version)
    if target.exists():
        raise FileExistsError(f"index version {version} already exists in {versions}")
    _fsync_dir(staging)
    _step("rename", target)
    os.rename(staging, target)
    _fsync_dir(versions)
    set_current(index_dir, version)
    return target


def set_current(index_dir: Path, version: str) -> None:
    """Atomically make `version` the live one."""
    write_file(index_dir / POINTER, f"{check_name(version)}\n".encode())


def current_version(index_dir: Path) -> str | None:
    """The version CURRENT names, or None when nothing was ever published."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    return name or None


def check_name(version: str) -> str:
    """A version name, refused if it could reach outside `versions/`."""
    if not _VERSION_NAME.fullmatch(version) or ".." in version:
        raise ValueError(f"not an index version name: {version!r}")
    return version


def version_path(index_dir: Path, version: str) -> Path:
    """Where a published version lives."""
    return index_dir / VERSIONS / check_name(version)


def list_versions(index_dir: Path) -> list[str]:
    """Published version names, oldest first (names sort by build time)."""
    versions = index_dir / VERSIONS
    return sorted(p.name for p in versions.iterdir() if p.is_dir()) if versions.is_dir() else []


def remove_version(index_dir: Path, version: str) -> None:
    """Delete a published version that is not live: renamed out of `versions/` first, so no half-deleted
    directory is ever listed as a version."""
    if version == current_version(index_dir):
        raise ValueError(f"refusing to remove the live index version {version}")
    trash = index_dir / f"{TRASH_PREFIX}{uuid.uuid4().hex}"
    _step("rename", trash)
    os.rename(version_path(index_dir, version), trash)
    _fsync_dir(index_dir / VERSIONS)
    _step("remove", trash)
    shutil.rmtree(trash)


def prune(index_dir: Path, keep: int) -> list[str]:
    """Remove all but the `keep` newest versions, never the live one; return the removed names."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    with writer(index_dir):
        live = current_version(index_dir)
        names = list_versions(index_dir)
        doomed = [n for n in names[: max(len(names) - keep, 0)] if n != live]
        for name in doomed:
            remove_version(index_dir, name)
    return doomed
