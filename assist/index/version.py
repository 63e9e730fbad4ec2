"""Build, verify and load one immutable index version: FAISS vectors, passage store, articles, manifest."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assist.digest import sha256
from assist.errors import IndexMismatchError, IndexNotFoundError, PolicyError
from assist.index import storage, versions
from assist.index.derived import article_vectors, embedding_text, lexical_files
from assist.index.embedder import Embedder, Vectors
from assist.index.files import (
    ANN_FROM,
    ARTICLE_BM25,
    ARTICLE_VECTORS,
    ARTICLES,
    IVF,
    PASSAGE_BM25,
    PASSAGES,
    POLICIES,
    TITLES,
    VECTORS,
    article_from_record,
    article_record,
    deserialize,
    from_npy,
    index_type,
    jsonl,
    read_jsonl,
    serialize,
    to_npy,
)
from assist.index.lexical import LexicalIndex
from assist.index.manifest import FORMAT, MANIFEST, Manifest, read_manifest
from assist.index.shards import ShardedVectors, StreamEncoder, build_sharded
from assist.knowledge.articles import Article, Catalog
from assist.knowledge.passages import DEFAULT_TARGET, Passage, split_article
from assist.policy.files.directory import load_policies, policy_paths, verify_policies
from assist.policy.policyset import PolicySet

__all__ = ["ARTICLES", "FORMAT", "MANIFEST", "PASSAGES", "POLICIES", "TITLES", "VECTORS", "KnowledgeIndex", "Manifest",
           "build_index", "load_index"]

Progress = Callable[[int, int], None]
# Texts → vectors in input order, telling a callback how many each finished batch held (a Ray cluster's encode).
TextEncoder = Callable[[Sequence[str], Callable[[int], None] | None], Vectors]
_HEX4 = re.compile(r"[0-9a-f]{4}")


@dataclass(frozen=True)
class KnowledgeIndex:
    """A loaded, verified index version held in memory."""

    manifest: Manifest
    passages: tuple[Passage, ...]
    articles: dict[str, Article]
    vectors: faiss.Index
    titles: faiss.Index
    policies: PolicySet
    passage_bm25: LexicalIndex
    article_bm25: LexicalIndex
    article_vectors: Vectors  # each article's passages' mean direction, unit length

    @property
    def version(self) -> str:
        """The version name, as every response reports it."""
        return self.manifest.version


@dataclass(frozen=True)
class VersionFiles:
    """The bytes of one version's files, each checked against the manifest's checksum."""

    path: Path
    manifest: Manifest
    data: dict[str, bytes]


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


def policy_files(catalog: Catalog) -> dict[str, bytes]:
    """The policy files that travel with this knowledge tree, by file name; links out of the tree stay behind."""
    return {p.name: p.read_bytes() for p in policy_paths(catalog.policy_dir)[0]}


def embed_articles(
    articles: Sequence[Article], embedder: Embedder, passage_target: int, on_progress: Progress | None = None,
    encode: TextEncoder | None = None,
) -> tuple[list[Passage], Vectors, Vectors]:
    """Split and embed articles: their passages, one vector per passage, one title vector per article.

    `encode` embeds elsewhere (a Ray cluster) with the same model; by default `embedder` does, here.
    """
    passages = [p for article in articles for p in split_article(article, passage_target)]
    by_id = {a.id: a for a in articles}
    texts = [embedding_text(by_id[p.article_id], p) for p in passages]
    advance = _counter(len(texts), on_progress)
    # Batches of similar length pad less: both encoders sort by length and return rows in input order.
    run = encode or (lambda items, on_batch: embedder.encode(items, on_batch=on_batch))
    vectors = run(texts, advance) if texts else np.zeros((0, embedder.dimension), dtype=np.float32)
    titles = run([a.title for a in articles], None) if articles else np.zeros((0, embedder.dimension), np.float32)
    return passages, vectors, titles


def _counter(total: int, on_progress: Progress | None) -> Callable[[int], None]:
    """A batch callback that tells `on_progress` how many of `total` texts are embedded so far."""
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if on_progress is not None:
            on_progress(done, total)

    return advance


def build_index(
    catalog: Catalog, embedder: Embedder, index_dir: Path, passage_target: int = DEFAULT_TARGET,
    on_progress: Progress | None = None, ann_from: int = ANN_FROM, encode: TextEncoder | None = None,
    engine: tuple[str, int] = ("local", 1), stream: StreamEncoder | None = None,
) -> str:
    """Split, embed and publish every article of `catalog` and its policies as a new version; return its name.

    `encode` embeds elsewhere (a cluster); with `stream` as well, an index large enough for IVF is built shard
    by shard as the vectors come back (shards.py), never holding them all.

    Bad articles were already skipped by the catalog; an id used twice (raises ArticleError) or a policy error
    (raises PolicyError) stops the build, because serving the wrong article or authority is worse than serving
    yesterday's.
    """
    catalog.require_unique_ids()
    verify_policies(catalog.policy_dir, catalog.by_id())
    articles = catalog.articles
    with versions.writer(index_dir):
        started = time.perf_counter()
        passages = [p for article in articles for p in split_article(article, passage_target)]
        sharded = None
        if stream is not None and encode is not None and index_type(len(passages), ann_from) == IVF:
            by_id = {a.id: a for a in articles}
            texts = [embedding_text(by_id[p.article_id], p) for p in passages]
            sharded = build_sharded(articles, passages, texts, stream, embedder.dimension,
                                    _counter(len(texts), on_progress))
            vectors, titles = None, encode([a.title for a in articles], None)
        else:
            passages, vectors, titles = embed_articles(articles, embedder, passage_target, on_progress, encode)
        build = build_record(engine, len(passages), time.perf_counter() - started)
        return write_version(articles, passages, vectors, titles, embedder, index_dir, passage_target,
                             policy_files(catalog), ann_from, catalog.signature, build, sharded)


def build_record(engine: tuple[str, int], embedded: int, seconds: float) -> dict[str, Any]:
    """How a version's vectors were made, for its manifest: engine, workers, passages embedded per second."""
    name, workers = engine
    return {"engine": name, "workers": workers, "embedded": embedded,
            "passages_per_second": round(embedded / seconds, 1) if seconds > 0 else None}


def write_version(
    articles: Sequence[Article], passages: Sequence[Passage], vectors: Vectors | None, titles: Vectors,
    embedder: Embedder, index_dir: Path, passage_target: int, policies: dict[str, bytes], ann_from: int = ANN_FROM,
    sources: dict[str, list[int]] | None = None, build: dict[str, Any] | None = None,
    sharded: ShardedVectors | None = None,
) -> str:
    """Write a complete version into staging, verify it, then publish it; the caller holds `versions.writer`.

    Everything serving needs is computed here, once: the vector index (exact or IVF by size), both BM25
    indexes and the article vectors, so loading a version only reads files.
    """
    kind = IVF if sharded is not None else index_type(len(passages), ann_from)
    if sharded is None:
        if vectors is None:
            raise ValueError("write_version needs the passage vectors, or the sharded index built from them")
        sharded = ShardedVectors(serialize(vectors, embedder.dimension, kind),
                                 article_vectors(articles, passages, vectors))
    payloads = {
        VECTORS: sharded.index,
        TITLES: serialize(titles, embedder.dimension),
        PASSAGES: jsonl([asdict(p) for p in passages]),
        ARTICLES: jsonl([article_record(a) for a in articles]),
        ARTICLE_VECTORS: to_npy(sharded.article_vectors),
        **lexical_files(articles, passages),
        **{f"{POLICIES}/{name}": data for name, data in policies.items()},
    }
    now = dt.datetime.now(dt.UTC)
    name = new_version_name(now, versions.list_versions(index_dir))
    manifest = Manifest(
        format=FORMAT, version=name, model=embedder.name, dimension=embedder.dimension, count=len(passages),
        built_at=now.isoformat(timespec="seconds"), package_version=package_version("assist"),
        passage_target=passage_target, articles={a.id: a.content_hash for a in articles},
        policies={name: sha256(data) for name, data in policies.items()},
        files={file: sha256(data) for file, data in payloads.items()}, index_type=kind, sources=sources or {},
        build=build or {},
    ).sealed()
    staging = versions.staging_dir(index_dir)
    for folder in sorted({parent for file in payloads for parent in Path(file).parents} - {Path(".")}):
        storage.make_dir(staging / folder)
    for file, data in payloads.items():
        storage.write_file(staging / file, data)
    storage.write_file(staging / MANIFEST, manifest.to_bytes())
    _read_files(staging, manifest)  # what is on disk is what we meant to write, before anyone can see it
    versions.publish(staging, index_dir, name)
    return name


def _read_files(path: Path, manifest: Manifest) -> dict[str, bytes]:
    data = {}
    for file, digest in manifest.files.items():
        try:
            data[file] = (path / file).read_bytes()
        except FileNotFoundError as exc:
            raise IndexMismatchError(f"{path / file}: missing file listed in the manifest") from exc
        except OSError as exc:
            raise IndexMismatchError(f"{path / file}: cannot read ({exc.strerror})") from exc
        _check(sha256(data[file]) == digest, path / file, "checksum does not match the manifest")
    return data


def read_version(index_dir: Path, name: str) -> VersionFiles:
    """Read a published version's manifest and files, checking every checksum."""
    try:
        path = versions.version_path(index_dir, name)
    except ValueError as exc:
        raise IndexNotFoundError(f"{index_dir}: {exc}") from exc
    if not path.is_dir():
        raise IndexNotFoundError(f"index version {name} does not exist in {index_dir}")
    manifest = read_manifest(path)
    _check(manifest.version == name, path, f"manifest names version {manifest.version}, directory is {name}")
    _check({VECTORS, TITLES, PASSAGES, ARTICLES, ARTICLE_VECTORS} <= set(manifest.files), path,
           "manifest lacks required files")
    return VersionFiles(path, manifest, _read_files(path, manifest))


def _decode(files: VersionFiles) -> KnowledgeIndex:
    """Turn verified bytes into an index, cross-checking counts and hashes against the manifest."""
    path, manifest, data = files.path, files.manifest, files.data
    flat = deserialize(data[VECTORS], path / VECTORS)
    titles = deserialize(data[TITLES], path / TITLES)
    try:
        passages = tuple(Passage(**record) for record in read_jsonl(data[PASSAGES]))
        articles = [article_from_record(record) for record in read_jsonl(data[ARTICLES])]
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexMismatchError(f"{path}: unreadable passage or article records ({exc})") from exc
    _check(flat.ntotal == manifest.count == len(passages), path, f"{flat.ntotal} vectors, {len(passages)} "
           f"passages, manifest says {manifest.count}")
    _check(flat.d == titles.d == manifest.dimension, path, f"vectors have dimension {flat.d}, manifest says "
           f"{manifest.dimension}")
    _check(titles.ntotal == len(articles), path, f"{titles.ntotal} title vectors for {len(articles)} articles")
    _check({a.id: a.content_hash for a in articles} == manifest.articles, path,
           "articles.jsonl does not match the manifest's article hashes")
    try:
        policies = load_policies(path / POLICIES, {a.id: a for a in articles})
    except PolicyError as exc:
        raise IndexMismatchError(f"{path / POLICIES}: policies do not load: {exc}") from exc
    return KnowledgeIndex(manifest, passages, {a.id: a for a in articles}, flat, titles, policies,
                          LexicalIndex.load(path / PASSAGE_BM25, len(passages)),
                          LexicalIndex.load(path / ARTICLE_BM25, len(articles)),
                          from_npy(data[ARTICLE_VECTORS], path / ARTICLE_VECTORS))


def verify_version(index_dir: Path, name: str) -> Manifest:
    """Check a version end to end without the model: checksums, FAISS files, counts, policies."""
    files = read_version(index_dir, name)
    _decode(files)
    return files.manifest


def load_index(index_dir: Path, embedder: Embedder, version: str | None = None) -> KnowledgeIndex:
    """Load a version (the live one by default) and verify it end to end against its manifest."""
    name = version or versions.current_version(index_dir)
    if name is None:
        raise IndexNotFoundError(f"no published index in {index_dir}; run `assist index build`")
    files = read_version(index_dir, name)
    manifest, path = files.manifest, files.path
    _check(manifest.model == embedder.name, path, f"built with model {manifest.model!r}, loaded {embedder.name!r}")
    _check(manifest.dimension == embedder.dimension, path, f"dimension {manifest.dimension} != {embedder.dimension}")
    return _decode(files)


def rollback(index_dir: Path, version: str) -> Manifest:
    """Make an older (or any published) version live again, after verifying it."""
    with versions.writer(index_dir):
        manifest = verify_version(index_dir, version)
        versions.set_current(index_dir, version)
    return manifest


def _check(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise IndexMismatchError(f"{path}: {message}")
