"""Index versions on disk: immutable version directories, one live pointer, one writer at a time.

Publishing a version: files are written into a staging directory and fsynced, the directory is renamed into
`versions/`, and only then is the `CURRENT` pointer replaced atomically. A crash at any point leaves the
previous pointer naming a complete version; stale staging directories are removed at the next start.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from assist.index.storage import fault_point, fsync_dir, make_dir, write_file

POINTER = "CURRENT"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
LOCK = ".lock"
_VERSION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z:._-]{0,127}")
log = logging.getLogger(__name__)


@contextmanager
def writer(index_dir: Path) -> Iterator[None]:
    """Hold the writer lock of `index_dir` (one build, update, rollback or prune at a time).

    The kernel drops the lock when its process dies, so whoever holds it next knows every staging
    directory it finds was left by a dead writer, and removes it.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = index_dir / LOCK
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock)
        _write_holder(fd, f"{os.getpid()}\n".encode())
        try:
            clean(index_dir)
            yield
        finally:
            _write_holder(fd, b"")  # while still locked: a later waiter never reads a dead writer's pid
    finally:
        os.close(fd)


def _acquire(fd: int, lock: Path) -> None:
    """Take the lock; when another writer holds it, say who before waiting."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    who = f"pid {holder}" if holder.isdigit() else "another process"
    log.warning("waiting for the writer lock held by %s (%s)", who, lock, extra={"holder_pid": holder})
    fcntl.flock(fd, fcntl.LOCK_EX)


def _write_holder(fd: int, data: bytes) -> None:
    """Record who holds the lock; best effort, so a full disk never blocks a prune that would free it."""
    with suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


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


def publish(staging: Path, index_dir: Path, version: str, live: bool = True) -> Path:
    """Move a fully written staging directory into place as `version`, then (`live`) point CURRENT at it."""
    versions = index_dir / VERSIONS
    versions.mkdir(exist_ok=True)
    target = version_path(index_dir, version)
    if target.exists():
        raise FileExistsError(f"index version {version} already exists in {versions}")
    fsync_dir(staging)
    fault_point("rename", target)
    os.rename(staging, target)
    fsync_dir(versions)
    if live:
        set_current(index_dir, version)
    return target


def set_current(index_dir: Path, version: str) -> None:
    """Atomically make `version` the live one."""
    write_file(index_dir / POINTER, f"{check_name(version)}\n".encode())


def current_version(index_dir: Path) -> str | None:
    """The version CURRENT names, or None when nothing was published or the pointer cannot be read (logged)."""
    pointer = index_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission: treat as no pointer, but say so
        reason = getattr(exc, "strerror", None) or str(exc)
        log.warning("index pointer %s unreadable, treated as absent: %s", pointer, reason, extra={"path": str(pointer)})
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
    fault_point("rename", trash)
    os.rename(version_path(index_dir, version), trash)
    fsync_dir(index_dir / VERSIONS)
    fault_point("remove", trash)
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
