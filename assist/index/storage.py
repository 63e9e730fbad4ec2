"""Every file assist writes goes through here: atomic writes, immutable version directories, one live pointer.

Publishing a version: files are written into a staging directory and fsynced, the directory is renamed into
`versions/`, and only then is the `CURRENT` pointer replaced atomically. A crash at any point leaves the
previous pointer naming a complete version; stale staging directories are removed at the next start.

Every step that changes the disk passes through `_step`, the fault-injection seam: `inject_faults` lets a
test fail (raise `OSError` at) any chosen step, the way SQLite's test harness fails its Nth I/O call.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from assist.errors import FeedbackNotStoredError

POINTER = "CURRENT"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
TRASH_PREFIX = ".trash-"
LOCK = ".lock"
_VERSION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z:._-]{0,127}")

FaultHook = Callable[[str, Path], None]
_fault_hook: FaultHook | None = None
_append_lock = threading.Lock()
log = logging.getLogger(__name__)


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
    """Append one whole line to the feedback log, or nothing: raise FeedbackNotStoredError if it is not stored.

    A failed or short write (full disk, file size limit) is cut back off, so the file only ever holds whole
    lines; appends are serialized within the process (a lock) and across processes (flock).
    """
    data = line if line.endswith(b"\n") else line + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _append_lock:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                _append_whole(fd, path, data)
            finally:
                os.close(fd)
    except OSError as exc:
        raise FeedbackNotStoredError(path, exc.strerror or str(exc)) from exc


def _append_whole(fd: int, path: Path, data: bytes) -> None:
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        data = b"\n" + data  # a line torn by a crash stays a line of its own; ours does not join it
    try:
        _step("append", path)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            if written == 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            view = view[written:]
        _step("fsync", path)
        os.fsync(fd)
    except OSError:
        try:
            os.ftruncate(fd, size)
        except OSError:
            log.error("feedback file may end in a torn line", extra={"path": str(path)})
        raise


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
