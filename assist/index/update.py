"""Incremental reindex: re-embed only the articles whose content changed since the live version.

The result is the version a full rebuild of the same tree would publish: passages and articles in catalog
order, unchanged articles' passage and title vectors copied from the live version (FAISS `reconstruct`),
changed and new articles split and embedded now, deleted ones dropped, policies and records rewritten.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assist.errors import AssistError, IndexMismatchError
from assist.index import versions
from assist.index.build import Progress, TextEncoder, build_record, embed_articles, policy_files
from assist.index.derived import Contents
from assist.index.embedder import Embedder
from assist.index.files import (
    ANN_FROM,
    ARTICLES,
    PASSAGES,
    TITLES,
    VECTORS,
    article_record,
    deserialize,
    jsonl,
    matrix,
    read_jsonl,
)
from assist.index.loaded import VersionFiles, read_version
from assist.index.manifest import Manifest, file_hashes, read_manifest
from assist.index.publishing import vector_files, write_version
from assist.index.vectors import Vectors
from assist.knowledge.articles import Article, Catalog, tree_signature
from assist.knowledge.passages import DEFAULT_TARGET, Passage
from assist.policy.files.directory import verify_policies

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Update:
    """What an incremental update did; `version` is None when the live version already matched."""

    version: str | None
    base: str | None
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reused: int = 0
    embedded: int = 0
    full_reason: str = ""


@dataclass(frozen=True)
class _Base:
    """The live version, as far as an update reuses it."""

    name: str
    hashes: dict[str, str]
    passages: dict[str, list[tuple[Passage, int]]]
    vectors: Vectors
    titles: dict[str, Vectors]
    articles_bytes: bytes
    policies: dict[str, str]


def update_index(
    catalog: Catalog, embedder: Embedder, index_dir: Path, passage_target: int = DEFAULT_TARGET,
    on_progress: Progress | None = None, ann_from: int = ANN_FROM, encode: TextEncoder | None = None,
    engine: tuple[str, int] = ("local", 1),
) -> Update:
    """Publish a version matching `catalog`, re-embedding only new and changed articles.

    Falls back to embedding everything when the live version is missing, unreadable, or was built by a
    different model, passage size or assist release; `full_reason` says why. Like a build, it publishes
    nothing when two articles share an id (ArticleError) or a policy has errors (PolicyError).
    """
    catalog.require_unique_ids()
    verify_policies(catalog.policy_dir, catalog.by_id())
    policies = policy_files(catalog)
    with versions.writer(index_dir):
        base, reason = _base(index_dir, embedder, passage_target)
        diff = _diff(catalog, base, reason)
        if base and _unchanged(catalog, policies, base):
            return diff
        fresh = [a for a in catalog.articles if a.id in {*diff.added, *diff.changed}]
        started = time.perf_counter()
        passages, vectors, titles = _assemble(catalog.articles, fresh, base, embedder, passage_target, on_progress,
                                              encode)
        embedded = sum(1 for p in passages if p.article_id in {a.id for a in fresh})
        build = build_record(engine, embedded, time.perf_counter() - started)
        contents = Contents(catalog.articles, passages)
        name = write_version(contents, vector_files(contents, vectors, titles, embedder.dimension, ann_from),
                             embedder, index_dir, passage_target, policies, catalog.signature, build)
    log.info("index updated", extra={"index_version": name, "base": diff.base, "embedded": embedded})
    return replace(diff, version=name, reused=len(passages) - embedded, embedded=embedded)


def _diff(catalog: Catalog, base: _Base | None, reason: str) -> Update:
    hashes = base.hashes if base else {}
    fresh = [a for a in catalog.articles if hashes.get(a.id) != a.content_hash]
    return Update(
        version=None, base=base.name if base else None,
        added=tuple(a.id for a in fresh if a.id not in hashes),
        changed=tuple(a.id for a in fresh if a.id in hashes),
        removed=tuple(sorted(set(hashes) - {a.id for a in catalog.articles})), full_reason=reason,
    )


def _unchanged(catalog: Catalog, policies: dict[str, bytes], base: _Base) -> bool:
    same_policies = base.policies == file_hashes(policies)
    return same_policies and jsonl([article_record(a) for a in catalog.articles]) == base.articles_bytes


def _base(index_dir: Path, embedder: Embedder, passage_target: int) -> tuple[_Base | None, str]:
    """The live version if its vectors can be reused, else None and the reason."""
    name = versions.current_version(index_dir)
    if name is None:
        return None, "nothing published yet"
    try:
        files = read_version(index_dir, name)
    except AssistError as exc:
        log.warning("live version unreadable; re-embedding everything", extra={"error": str(exc)})
        return None, f"live version {name} is unreadable: {exc}"
    mismatch = files.manifest.mismatch(passage_target, embedder.name)
    if mismatch:
        return None, f"live version {name} was built with {mismatch}"
    return _reusable(files), ""


def _reusable(files: VersionFiles) -> _Base:
    grouped: dict[str, list[tuple[Passage, int]]] = {}
    for row, record in enumerate(read_jsonl(files.data[PASSAGES])):
        passage = Passage(**record)
        grouped.setdefault(passage.article_id, []).append((passage, row))
    titles = matrix(deserialize(files.data[TITLES], files.path / TITLES))
    ids = [str(record["id"]) for record in read_jsonl(files.data[ARTICLES])]
    return _Base(
        name=files.manifest.version, hashes=dict(files.manifest.articles), passages=grouped,
        vectors=matrix(deserialize(files.data[VECTORS], files.path / VECTORS)),
        titles={article_id: titles[i] for i, article_id in enumerate(ids)},
        articles_bytes=files.data[ARTICLES], policies=dict(files.manifest.policies),
    )


def _assemble(
    articles: tuple[Article, ...], fresh: list[Article], base: _Base | None, embedder: Embedder,
    passage_target: int, on_progress: Progress | None, encode: TextEncoder | None = None,
) -> tuple[list[Passage], Vectors, Vectors]:
    """Passages, passage vectors and title vectors in catalog order, reusing the base where unchanged."""
    new_passages, new_vectors, new_titles = embed_articles(fresh, embedder, passage_target, on_progress, encode)
    new_rows: dict[str, list[int]] = {}
    for row, passage in enumerate(new_passages):
        new_rows.setdefault(passage.article_id, []).append(row)
    fresh_ids = {a.id: i for i, a in enumerate(fresh)}
    passages: list[Passage] = []
    vectors: list[Vectors] = []
    titles: list[Vectors] = []
    for article in articles:
        if article.id in fresh_ids:
            rows = new_rows.get(article.id, [])
            passages.extend(new_passages[r] for r in rows)
            vectors.extend(new_vectors[r] for r in rows)
            titles.append(new_titles[fresh_ids[article.id]])
        elif base is not None:  # not fresh means the base holds this article with the same content
            for passage, row in base.passages.get(article.id, []):
                passages.append(passage)
                vectors.append(base.vectors[row])
            titles.append(base.titles[article.id])
    return passages, _stack(vectors, embedder.dimension), _stack(titles, embedder.dimension)


def _stack(rows: list[Vectors], dimension: int) -> Vectors:
    if not rows:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.ascontiguousarray(np.stack(rows), dtype=np.float32)


def is_stale(catalog: Catalog, index_dir: Path, passage_target: int = DEFAULT_TARGET, model: str | None = None) -> bool:
    """True when nothing is published or the live version was built from different articles, code or (when
    `model` is given) by another encoder."""
    manifest = _live_manifest(index_dir)
    return (
        manifest is None
        or not manifest.built_from(catalog.articles, policy_files(catalog))
        or bool(manifest.mismatch(passage_target, model))
    )


def unchanged(root: Path, index_dir: Path, passage_target: int = DEFAULT_TARGET, model: str | None = None) -> bool:
    """True when the live version was built by this code from exactly the files now under `root` (same paths,
    sizes and modification times): nothing to read or hash. False means "look closer" (`is_stale`)."""
    manifest = _live_manifest(index_dir)
    return (
        manifest is not None and bool(manifest.sources) and manifest.sources == tree_signature(root)
        and not manifest.mismatch(passage_target, model)
    )


def _live_manifest(index_dir: Path) -> Manifest | None:
    """The live version's manifest, or None when nothing is published or it cannot be read."""
    name = versions.current_version(index_dir)
    if name is None:
        return None
    try:
        return read_manifest(versions.version_path(index_dir, name))
    except (IndexMismatchError, ValueError):
        return None
