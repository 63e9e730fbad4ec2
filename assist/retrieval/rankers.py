"""Learned ranker versions on disk, beside the index versions: `<index dir>/rankers/versions/<name>/` holds a
fitted model and its manifest, and `<index dir>/rankers/CURRENT` names the one served (none: the hand weights).

The same crash-safe steps as index versions (assist.index.versions): written into a staging directory, renamed
into place, and only then pointed at. A version is written whether or not it wins on the held-back events, so
its figures can be read; only a winner (or a forced one) becomes CURRENT. Replicas load CURRENT as they load an
index version, and a rollback moves the pointer back to the version it replaced.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm

from assist.errors import RankerError
from assist.index import versions
from assist.index.publishing import new_version_name
from assist.index.storage import fsync_dir, write_file
from assist.retrieval.learned import LearnedRanker

RANKERS = "rankers"
MANIFEST = "manifest.json"
MODEL = "model.txt"


def root(index_dir: Path) -> Path:
    """Where the ranker versions of an index directory live."""
    return index_dir / RANKERS


def current(index_dir: Path) -> str | None:
    """The ranker version served, or None for the hand weights."""
    return versions.current_version(root(index_dir))


def names(index_dir: Path) -> list[str]:
    """Every ranker version written, oldest first."""
    return versions.list_versions(root(index_dir))


def manifest(index_dir: Path, name: str) -> dict[str, Any]:
    """A ranker version's manifest; RankerError when it is missing or unreadable."""
    path = versions.version_path(root(index_dir), name) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RankerError(f"ranker version {name}: cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise RankerError(f"ranker version {name}: {path} is not a JSON object")
    return data


def load(index_dir: Path, name: str) -> LearnedRanker:
    """A ranker version, ready to serve; RankerError when it cannot be."""
    meta = manifest(index_dir, name)
    path = versions.version_path(root(index_dir), name) / MODEL
    try:
        model = lightgbm.Booster(model_str=path.read_text(encoding="utf-8"))
        return LearnedRanker(name, model, meta["weights"], meta["domains"])
    except (OSError, ValueError, KeyError, TypeError, lightgbm.basic.LightGBMError) as exc:
        raise RankerError(f"ranker version {name}: {exc}") from exc


@dataclass(frozen=True)
class Written:
    """A ranker version just written, and whether it is now the one served."""

    name: str
    live: bool


def write(index_dir: Path, model: lightgbm.Booster, meta: dict[str, Any], live: bool, now: dt.datetime) -> Written:
    """Write a fitted ranker as a new version (its manifest gets `version` and `replaces`, the version served
    when it was fitted); point CURRENT at it when `live`."""
    base = root(index_dir)
    with versions.writer(base):
        name = new_version_name(now, names(index_dir))
        meta = {**meta, "version": name, "replaces": current(index_dir)}
        staging = versions.staging_dir(base)
        write_file(staging / MODEL, model.model_to_string().encode())
        write_file(staging / MANIFEST, (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
        versions.publish(staging, base, name, live=live)
    return Written(name, live)


def rollback(index_dir: Path, to: str | None = None) -> tuple[str | None, str | None]:
    """Serve `to`, or else the version the served one replaced (None: the hand weights); (from, to)."""
    base = root(index_dir)
    with versions.writer(base):
        served = current(index_dir)
        if to is None:
            if served is None:
                raise RankerError("no learned ranker is served: nothing to roll back")
            to = manifest(index_dir, served).get("replaces")
        if to is None:
            (base / versions.POINTER).unlink(missing_ok=True)
            fsync_dir(base)
            return served, None
        load(index_dir, to)  # refuse to point at a version that cannot be served
        versions.set_current(base, to)
    return served, to
