"""Build, verify and load one immutable index version: FAISS vectors, passage store, articles, manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assist import storage
from assist.articles import Article, Catalog
from assist.embedder import Embedder, Vectors
from assist.errors import IndexMismatchError, IndexNotFoundError, PolicyError
from assist.passages import Passage, split_article
from assist.policy import PolicySet, load_policies

FORMAT = 2
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
TITLES = "titles.faiss"
PASSAGES = "passages.jsonl"
ARTICLES = "articles.jsonl"
POLICIES = "policies"


@dataclass(frozen=True)
class Manifest:
    """What a version holds and how it was made; the loader refuses anything that does not match."""

    format: int
    version: str
    model: str
    dimension: int
    count: int
    built_at: str
    package_version: str
    passage_target: int
    articles: dict[str, str]
    policies: dict[str, str]
    files: dict[str, str]


@dataclass(frozen=True)
class KnowledgeIndex:
    """A loaded, verified index version held in memory."""

    manifest: Manifest
    passages: tuple[Passage, ...]
    articles: dict[str, Article]
    vectors: faiss.Index
    titles: faiss.Index
    policies: PolicySet

    @property
    def version(self) -> str:
        """The version name, as every response reports it."""
        return self.manifest.version


def embedding_text(article: Article, passage: Passage) -> str:
    """What the model sees for a passage: its heading path gives short passages their topic."""
    heading = " > ".join(part for part in (article.title, passage.section) if part)
    return f"{heading}\n{passage.text}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _article_record(article: Article) -> dict[str, Any]:
    record = asdict(article)
    record["path"] = str(article.path)
    for key in ("effective_from", "effective_until"):
        record[key] = record[key].isoformat() if record[key] else None
    return record


def _article_from_record(record: dict[str, Any]) -> Article:
    fields = dict(record)
    fields["path"] = Path(fields["path"])
    for key in ("segments", "tags", "steps", "audience"):
        fields[key] = tuple(fields[key])
    for key in ("effective_from", "effective_until"):
        fields[key] = dt.date.fromisoformat(fields[key]) if fields[key] else None
    return Article(**fields)


def _jsonl(records: Sequence[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode("utf-8")


def new_version_name(now: dt.datetime) -> str:
    """Version names sort by build time and stay unique within a second."""
    return f"{now:%Y-%m-%dT%H:%M:%SZ}-{uuid.uuid4().hex[:4]}"


def policy_files(catalog: Catalog) -> dict[str, bytes]:
    """The policy files that travel with this knowledge tree, by file name."""
    directory = catalog.policy_dir
    if not directory.is_dir():
        return {}
    paths = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
    return {p.name: p.read_bytes() for p in paths}


def build_index(
    catalog: Catalog,
    embedder: Embedder,
    index_dir: Path,
    passage_target: int = 700,
    on_progress: Callable[[int, int], None] | None = None,
) -> str:
    """Split, embed and publish every article of `catalog` and its policies as a new version; return its name.

    Bad articles were already skipped by the catalog; a policy error stops the build (raises PolicyError),
    because serving the wrong authority is worse than serving yesterday's.
    """
    load_policies(catalog.policy_dir, catalog.by_id())
    passages: list[Passage] = []
    texts: list[str] = []
    for article in catalog.articles:
        for passage in split_article(article, passage_target):
            passages.append(passage)
            texts.append(embedding_text(article, passage))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if on_progress is not None:
            on_progress(done, len(texts))

    vectors = embedder.encode(texts, on_batch=advance)
    titles = embedder.encode([a.title for a in catalog.articles])
    return write_version(catalog.articles, passages, vectors, titles, embedder, index_dir, passage_target,
                         policy_files(catalog))


def _serialize(vectors: Vectors, dimension: int) -> bytes:
    flat = faiss.IndexFlatIP(dimension)
    flat.add(vectors)
    return bytes(faiss.serialize_index(flat).tobytes())


def _deserialize(data: bytes, path: Path) -> faiss.Index:
    index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    _check(index.metric_type == faiss.METRIC_INNER_PRODUCT, path, "expected an inner-product index")
    return index


def write_version(
    articles: Sequence[Article],
    passages: Sequence[Passage],
    vectors: Vectors,
    titles: Vectors,
    embedder: Embedder,
    index_dir: Path,
    passage_target: int,
    policies: dict[str, bytes],
) -> str:
    """Write a complete version into staging, then publish it atomically."""
    payloads = {
        VECTORS: _serialize(vectors, embedder.dimension),
        TITLES: _serialize(titles, embedder.dimension),
        PASSAGES: _jsonl([asdict(p) for p in passages]),
        ARTICLES: _jsonl([_article_record(a) for a in articles]),
        **{f"{POLICIES}/{name}": data for name, data in policies.items()},
    }
    now = dt.datetime.now(dt.UTC)
    name = new_version_name(now)
    manifest = Manifest(
        format=FORMAT, version=name, model=embedder.name, dimension=embedder.dimension, count=len(passages),
        built_at=now.isoformat(timespec="seconds"), package_version=package_version("assist"),
        passage_target=passage_target, articles={a.id: a.content_hash for a in articles},
        policies={name: _sha256(data) for name, data in policies.items()},
        files={file: _sha256(data) for file, data in payloads.items()},
    )
    staging = storage.staging_dir(index_dir)
    (staging / POLICIES).mkdir()
    for file, data in payloads.items():
        storage.write_file(staging / file, data)
    storage.write_file(staging / MANIFEST, json.dumps(asdict(manifest), indent=2).encode("utf-8"))
    storage.publish(staging, index_dir, name)
    return name


def read_manifest(path: Path) -> Manifest:
    """Read and type-check a version's manifest."""
    try:
        raw = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise IndexMismatchError(f"{path}: index format {raw.get('format')}, this assist reads format {FORMAT}; "
                                     "rebuild with `assist index build`")
        return Manifest(**raw)
    except FileNotFoundError as exc:
        raise IndexMismatchError(f"{path}: no {MANIFEST}; not a complete index version") from exc
    except (ValueError, TypeError) as exc:
        raise IndexMismatchError(f"{path / MANIFEST}: unreadable manifest ({exc})") from exc


def load_index(index_dir: Path, embedder: Embedder, version: str | None = None) -> KnowledgeIndex:
    """Load a version (the live one by default) and verify it end to end against its manifest."""
    name = version or storage.current_version(index_dir)
    if name is None:
        raise IndexNotFoundError(f"no published index in {index_dir}; run `assist index build`")
    path = storage.version_path(index_dir, name)
    if not path.is_dir():
        raise IndexNotFoundError(f"index version {name} does not exist in {index_dir}")
    manifest = read_manifest(path)
    _check(manifest.version == name, path, f"manifest names version {manifest.version}, directory is {name}")
    _check(manifest.model == embedder.name, path, f"built with model {manifest.model!r}, loaded {embedder.name!r}")
    _check(manifest.dimension == embedder.dimension, path, f"dimension {manifest.dimension} != {embedder.dimension}")
    data = {}
    for file, digest in manifest.files.items():
        try:
            data[file] = (path / file).read_bytes()
        except FileNotFoundError as exc:
            raise IndexMismatchError(f"{path / file}: missing file listed in the manifest") from exc
        _check(_sha256(data[file]) == digest, path / file, "checksum does not match the manifest")
    flat = _deserialize(data[VECTORS], path / VECTORS)
    titles = _deserialize(data[TITLES], path / TITLES)
    passages = tuple(Passage(**json.loads(line)) for line in data[PASSAGES].decode("utf-8").splitlines())
    articles = [_article_from_record(json.loads(line)) for line in data[ARTICLES].decode("utf-8").splitlines()]
    _check(flat.ntotal == manifest.count == len(passages), path, f"{flat.ntotal} vectors, {len(passages)} "
           f"passages, manifest says {manifest.count}")
    _check(flat.d == titles.d == manifest.dimension, path, f"vectors have dimension {flat.d}, manifest says "
           f"{manifest.dimension}")
    _check(titles.ntotal == len(articles), path, f"{titles.ntotal} title vectors for {len(articles)} articles")
    try:
        policies = load_policies(path / POLICIES, {a.id: a for a in articles})
    except PolicyError as exc:
        raise IndexMismatchError(f"{path / POLICIES}: policies do not load: {exc}") from exc
    return KnowledgeIndex(manifest, passages, {a.id: a for a in articles}, flat, titles, policies)


def _check(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise IndexMismatchError(f"{path}: {message}")


def is_stale(catalog: Catalog, index_dir: Path) -> bool:
    """True when nothing is published or the live version was built from different articles or code."""
    name = storage.current_version(index_dir)
    if name is None:
        return True
    try:
        manifest = read_manifest(storage.version_path(index_dir, name))
    except IndexMismatchError:
        return True
    return (
        manifest.articles != {a.id: a.content_hash for a in catalog.articles}
        or manifest.policies != {name: _sha256(data) for name, data in policy_files(catalog).items()}
        or manifest.package_version != package_version("assist")
    )
