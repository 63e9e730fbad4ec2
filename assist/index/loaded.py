"""A published version read back: every file checked against its manifest, then decoded into the in-memory
`KnowledgeIndex` that serving ranks over. Loading only reads files: what could be computed was, at build time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss

from assist.digest import sha256
from assist.errors import IndexMismatchError, IndexNotFoundError, PolicyError
from assist.index import versions
from assist.index.derived import REQUIRED, Computed, Contents, load_derived
from assist.index.embedder import Embedder
from assist.index.files import (
    ARTICLES,
    PASSAGES,
    POLICIES,
    TITLES,
    VECTORS,
    article_from_record,
    deserialize,
    read_jsonl,
)
from assist.index.manifest import Manifest, article_hashes, read_manifest
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage
from assist.policy.files.directory import load_policies
from assist.policy.policyset import PolicySet


@dataclass(frozen=True)
class KnowledgeIndex:
    """A loaded, verified index version held in memory."""

    manifest: Manifest
    passages: tuple[Passage, ...]
    articles: dict[str, Article]
    vectors: faiss.Index
    titles: faiss.Index
    policies: PolicySet
    computed: Computed  # the build-time data of derived.DERIVED: BM25 indexes, article vectors

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


def read_files(path: Path, manifest: Manifest) -> dict[str, bytes]:
    """Every file the manifest lists under `path`, refused unless its checksum matches."""
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
    _check({VECTORS, TITLES, PASSAGES, ARTICLES} | REQUIRED <= set(manifest.files), path,
           "manifest lacks required files")
    return VersionFiles(path, manifest, read_files(path, manifest))


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
    _check(article_hashes(articles) == manifest.articles, path,
           "articles.jsonl does not match the manifest's article hashes")
    try:
        policies = load_policies(path / POLICIES, {a.id: a for a in articles})
    except PolicyError as exc:
        raise IndexMismatchError(f"{path / POLICIES}: policies do not load: {exc}") from exc
    return KnowledgeIndex(manifest, passages, {a.id: a for a in articles}, flat, titles, policies,
                          load_derived(path, data, Contents(articles, passages)))


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


def _check(condition: bool, path: Path, message: str) -> None:
    if not condition:
        raise IndexMismatchError(f"{path}: {message}")
