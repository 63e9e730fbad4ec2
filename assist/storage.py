"""Every file assist writes goes through here: atomic writes, immutable version directories, one live pointer.

Publishing a version: files are written into a staging directory and fsynced, the directory is renamed into
`versions/`, and only then is the `CURRENT` pointer replaced atomically. A crash at any point leaves the
previous pointer naming a complete version; stale staging directories are removed at the next start.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

POINTER = "CURRENT"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file, fsync, rename over, fsync the directory."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def staging_dir(index_dir: Path) -> Path:
    """A fresh, empty directory to build a version in."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    path.mkdir()
    return path


def publish(staging: Path, index_dir: Path, version: str) -> Path:
    """Move a fully written staging directory into place as `version`, then point CURRENT at it."""
    versions = index_dir / VERSIONS
    versions.mkdir(exist_ok=True)
    target = versions / version
    if target.exists():
        raise FileExistsError(f"index version {version} already exists in {versions}")
    _fsync_dir(staging)
    os.rename(staging, target)
    _fsync_dir(versions)
    set_current(index_dir, version)
    return target


def set_current(index_dir: Path, version: str) -> None:
    """Atomically make `version` the live one."""
    write_file(index_dir / POINTER, f"{version}\n".encode())


def current_version(index_dir: Path) -> str | None:
    """The version CURRENT names, or None when nothing was ever published."""
    pointer = index_dir / POINTER
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return name or None


def version_path(index_dir: Path, version: str) -> Path:
    """Where a published version lives."""
    return index_dir / VERSIONS / version


def list_versions(index_dir: Path) -> list[str]:
    """Published version names, oldest first (names sort by build time)."""
    versions = index_dir / VERSIONS
    return sorted(p.name for p in versions.iterdir() if p.is_dir()) if versions.is_dir() else []


def remove_version(index_dir: Path, version: str) -> None:
    """Delete a published version that is not live."""
    if version == current_version(index_dir):
        raise ValueError(f"refusing to remove the live index version {version}")
    shutil.rmtree(version_path(index_dir, version))


def clean_staging(index_dir: Path) -> list[Path]:
    """Remove staging directories left behind by builds that never published."""
    stale = [p for p in index_dir.glob(f"{STAGING_PREFIX}*") if p.is_dir()] if index_dir.is_dir() else []
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale
