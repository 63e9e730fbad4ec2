"""Publishing a version: its files written into staging with a sealed manifest, read back, then made live; and
an older version made live again. The caller of `write_version` holds `versions.writer`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assist.index import storage, versions
from assist.index.derived import Contents, derive
from assist.index.embedder import Embedder
from assist.index.files import (
    ANN_FROM,
    ARTICLES,
    PASSAGES,
    POLICIES,
    TITLES,
    VECTORS,
    article_record,
    index_type,
    jsonl,
    serialize,
)
from assist.index.loaded import read_files, verify_version
from assist.index.manifest import FORMAT, MANIFEST, Manifest, article_hashes, file_hashes, release
from assist.index.vectors import Vectors

_HEX4 = re.compile(r"[0-9a-f]{4}")


@dataclass(frozen=True)
class VectorFiles:
    """A version's vectors as files: the passage vector index and its type, the title index, and the
    build-time data of derived.DERIVED."""

    index: bytes
    index_type: str
    titles: bytes
    derived: dict[str, bytes]


def vector_files(contents: Contents, vectors: Vectors, titles: Vectors, dimension: int,
             ann_from: int = ANN_FROM) -> VectorFiles:
    """A version's vector files from all its passage and title vectors at once (exact or IVF by size)."""
    kind = index_type(len(contents.passages), ann_from)
    return VectorFiles(serialize(vectors, dimension, kind), kind, serialize(titles, dimension),
                    derive(contents, vectors))


def new_version_name(now: dt.datetime, existing: Sequence[str] = ()) -> str:
    """A name that sorts after every existing version: build time, then a counter within the second.

    If the clock stepped back, the newest existing stamp is reused, so "newest" always means "last published".
    """
    stamp = f"{now:%Y-%m-%dT%H:%M:%SZ}"
    newest = max(existing, default="")
    head, _, tail = newest.rpartition("-")
    if head >= stamp and len(head) == len(stamp):
        counter = int(tail, 16) + 1 if _HEX4.fullmatch(tail) else 0
        return f"{head}-{counter:04x}"
    return f"{stamp}-0000"


def write_version(
    contents: Contents, vectors: VectorFiles, embedder: Embedder, index_dir: Path, passage_target: int,
    policies: dict[str, bytes], sources: dict[str, list[int]] | None = None, build: dict[str, Any] | None = None,
) -> str:
    """Write a complete version into staging, verify it, then publish it; return its name."""
    articles, passages = contents.articles, contents.passages
    payloads = {
        VECTORS: vectors.index,
        TITLES: vectors.titles,
        PASSAGES: jsonl([asdict(p) for p in passages]),
        ARTICLES: jsonl([article_record(a) for a in articles]),
        **vectors.derived,
        **{f"{POLICIES}/{name}": data for name, data in policies.items()},
    }
    now = dt.datetime.now(dt.UTC)
    name = new_version_name(now, versions.list_versions(index_dir))
    manifest = Manifest(
        format=FORMAT, version=name, model=embedder.name, dimension=embedder.dimension, count=len(passages),
        built_at=now.isoformat(timespec="seconds"), package_version=release(),
        passage_target=passage_target, articles=article_hashes(articles), policies=file_hashes(policies),
        files=file_hashes(payloads), index_type=vectors.index_type,
        sources=sources or {}, build=build or {},
    ).sealed()
    staging = versions.staging_dir(index_dir)
    for folder in sorted({parent for file in payloads for parent in Path(file).parents} - {Path(".")}):
        storage.make_dir(staging / folder)
    for file, data in payloads.items():
        storage.write_file(staging / file, data)
    storage.write_file(staging / MANIFEST, manifest.to_bytes())
    read_files(staging, manifest)  # what is on disk is what we meant to write, before anyone can see it
    versions.publish(staging, index_dir, name)
    return name


def rollback(index_dir: Path, version: str) -> Manifest:
    """Make an older (or any published) version live again, after verifying it."""
    with versions.writer(index_dir):
        manifest = verify_version(index_dir, version)
        versions.set_current(index_dir, version)
    return manifest
