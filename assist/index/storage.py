"""Every file assist writes goes through here: atomic writes, whole-line appends, directories.

Every step that changes the disk passes through `fault_point`, the fault-injection seam: `inject_faults` lets
a test fail (raise `OSError` at) any chosen step, the way SQLite's test harness fails its Nth I/O call.
The layout of index versions on disk (staging, `versions/`, the `CURRENT` pointer) is in `versions.py`.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FaultHook = Callable[[str, Path], None]
_fault_hook: FaultHook | None = None
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


def fault_point(step: str, path: Path) -> None:
    """Where a test may fail the disk: call the injected hook, if any, before `step` touches `path`."""
    if _fault_hook is not None:
        _fault_hook(step, path)


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fault_point("fsync-dir", path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file, fsync, rename over, fsync the directory."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        fault_point("create", temp)
        with open(temp, "wb") as handle:
            fault_point("write", temp)
            handle.write(data)
            handle.flush()
            fault_point("fsync", temp)
            os.fsync(handle.fileno())
        fault_point("replace", path)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def make_dir(path: Path) -> None:
    """Create one directory (inside a staging directory)."""
    fault_point("mkdir", path)
    path.mkdir()
