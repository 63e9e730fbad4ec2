"""What serving needs that is computed once, when a version is built: the one registry of build-time data.

Each entry names its file (or folder) inside a version, how it is computed from the version's articles, passages
and passage vectors, and how it is read back. Building, writing, checksumming, verifying and loading all walk
`DERIVED`, so data a new ranking feature needs is declared here and read in `retrieval/features.py`, nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, cast

import numpy as np

from assist.index.files import from_npy, to_npy
from assist.index.lexical import LexicalIndex
from assist.index.vectors import Rows, Vectors
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage

T = TypeVar("T")


@dataclass(frozen=True)
class Contents:
    """What a version holds, in its order: the articles and their passages."""

    articles: Sequence[Article]
    passages: Sequence[Passage]


class Accumulator(Protocol):
    """One entry's computation: shown passage vectors in blocks of rows (any order), then asked for its files."""

    def add(self, rows: Rows, vectors: Vectors) -> None: ...

    def files(self) -> dict[str, bytes]: ...


@dataclass(frozen=True)
class Derived(Generic[T]):
    """One piece of build-time data: `file` inside the version (a folder when `folder`), computed by the
    accumulator `start(file, contents, dimension)` makes, read back by `load(version path / file, its checksummed
    bytes, contents)`."""

    file: str
    start: Callable[[str, Contents, int], Accumulator]
    load: Callable[[Path, bytes, Contents], T]
    folder: bool = False


def embedding_text(article: Article, passage: Passage) -> str:
    """What the model sees for a passage: its heading path gives short passages their topic."""
    heading = " > ".join(part for part in (article.title, passage.section) if part)
    return f"{heading}\n{passage.text}"


class _ArticleMeans:
    """Each article's direction: the unit-length mean of its passages' vectors, summed block by block so a
    sharded build never holds every vector."""

    def __init__(self, file: str, contents: Contents, dimension: int) -> None:
        self._file = file
        position = {a.id: i for i, a in enumerate(contents.articles)}
        self._owner = np.array([position[p.article_id] for p in contents.passages], dtype=np.int64)
        self._sums = np.zeros((len(contents.articles), dimension), dtype=np.float32)

    def add(self, rows: Rows, vectors: Vectors) -> None:
        np.add.at(self._sums, self._owner[rows], vectors)

    def files(self) -> dict[str, bytes]:
        self._sums /= np.maximum(np.linalg.norm(self._sums, axis=1, keepdims=True), 1e-9)
        return {self._file: to_npy(self._sums)}


class _Lexical:
    """BM25 over one text per row, in the files bm25s writes, under `folder`; vectors play no part."""

    def __init__(self, folder: str, texts: Sequence[str]) -> None:
        self._folder, self._texts = folder, texts

    def add(self, rows: Rows, vectors: Vectors) -> None:
        pass

    def files(self) -> dict[str, bytes]:
        index = LexicalIndex.build(self._texts)
        return {f"{self._folder}/{name}": data for name, data in index.files().items()}


def _passage_lexical(folder: str, contents: Contents, _: int) -> Accumulator:
    """BM25 over each passage as it is embedded."""
    by_id = {a.id: a for a in contents.articles}
    return _Lexical(folder, [embedding_text(by_id[p.article_id], p) for p in contents.passages])


def _article_lexical(folder: str, contents: Contents, _: int) -> Accumulator:
    """BM25 over whole articles: title, routing text and body."""
    return _Lexical(folder, [f"{a.title}\n{a.routing}\n{a.body}" for a in contents.articles])


def _read_passage_lexical(where: Path, _: bytes, contents: Contents) -> LexicalIndex:
    return LexicalIndex.load(where, len(contents.passages))


def _read_article_lexical(where: Path, _: bytes, contents: Contents) -> LexicalIndex:
    return LexicalIndex.load(where, len(contents.articles))


def _read_npy(where: Path, data: bytes, _: Contents) -> Vectors:
    return from_npy(data, where)


ARTICLE_VECTORS: Derived[Vectors] = Derived("article_vectors.npy", _ArticleMeans, _read_npy)
PASSAGE_BM25: Derived[LexicalIndex] = Derived("bm25/passages", _passage_lexical, _read_passage_lexical, folder=True)
ARTICLE_BM25: Derived[LexicalIndex] = Derived("bm25/articles", _article_lexical, _read_article_lexical, folder=True)
# In the order their files are listed in the manifest.
DERIVED: tuple[Derived[Any], ...] = (ARTICLE_VECTORS, PASSAGE_BM25, ARTICLE_BM25)
REQUIRED = frozenset(entry.file for entry in DERIVED if not entry.folder)  # a folder may be empty: no BM25 files


class Derivation:
    """Every entry of `DERIVED` being computed for one version."""

    def __init__(self, contents: Contents, dimension: int) -> None:
        self._parts = [entry.start(entry.file, contents, dimension) for entry in DERIVED]

    def add(self, rows: Rows, vectors: Vectors) -> None:
        """Show every entry a block of passage vectors: `rows` are their passages' positions."""
        for part in self._parts:
            part.add(rows, vectors)

    def files(self) -> dict[str, bytes]:
        """Every entry's files, in registry order."""
        return {name: data for part in self._parts for name, data in part.files().items()}


def derive(contents: Contents, vectors: Vectors) -> dict[str, bytes]:
    """Every entry's files, computed from all of a version's passage vectors at once."""
    # An empty version has always stored its article vectors one column wide.
    derivation = Derivation(contents, vectors.shape[1] if len(vectors) else 1)
    if len(vectors):
        derivation.add(np.arange(len(vectors), dtype=np.int64), vectors)
    return derivation.files()


class Computed:
    """A loaded version's build-time data, each value looked up by its registry entry (typed by it)."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self._values = dict(values)

    def __getitem__(self, entry: Derived[T]) -> T:
        return cast(T, self._values[entry.file])


def load_derived(path: Path, data: Mapping[str, bytes], contents: Contents) -> Computed:
    """Every entry read back from a verified version at `path`."""
    return Computed({entry.file: entry.load(path / entry.file, data.get(entry.file, b""), contents)
                     for entry in DERIVED})
