"""The files of an index version and how each is encoded: JSON lines for records, FAISS bytes for vectors,
.npy for derived arrays (the build-time data itself is declared in derived.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from assist.errors import IndexMismatchError
from assist.index.vectors import Vectors
from assist.knowledge.articles import Article

VECTORS = "vectors.faiss"
TITLES = "titles.faiss"
PASSAGES = "passages.jsonl"
ARTICLES = "articles.jsonl"
POLICIES = "policies"

# Exact search below this many passages; above, an inverted-file index (flat search at 100k costs as much as the
# query embedding, and grows linearly). Measured on Doc2Dial x 29 (100k passages, 29 near-identical copies of
# every passage): IVF-Flat with 4 * sqrt(n) lists probing 128 gave recall@10 0.984 against exact search at
# 1.4 ms for the service's search (exact: 15.7 ms); HNSW (M 32) reached only 0.80 at efSearch 128 and 0.94 at
# 1024 on those near-duplicates. See docs/performance.md.
ANN_FROM = 50_000
IVF_LISTS_PER_ROOT = 4  # lists = 4 * sqrt(passages)
IVF_TRAIN_PER_LIST = 40  # k-means sees at most 40 sample vectors per list (FAISS wants >= 39)
IVF_NPROBE = 128
FLAT, IVF = "flat", "ivf"


def article_record(article: Article) -> dict[str, Any]:
    """An article as one JSON line of articles.jsonl."""
    record = asdict(article)
    record["path"] = str(article.path)
    for key in ("effective_from", "effective_until"):
        record[key] = record[key].isoformat() if record[key] else None
    return record


def article_from_record(record: dict[str, Any]) -> Article:
    """The article one line of articles.jsonl holds."""
    fields = dict(record)
    fields["path"] = Path(fields["path"])
    for key in ("segments", "tags", "steps", "audience"):
        fields[key] = tuple(fields[key])
    for key in ("effective_from", "effective_until"):
        fields[key] = dt.date.fromisoformat(fields[key]) if fields[key] else None
    return Article(**fields)


def jsonl(records: Sequence[dict[str, Any]]) -> bytes:
    """Records as JSON lines."""
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode("utf-8")


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    """The records of a JSON-lines file."""
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def index_type(count: int, ann_from: int = ANN_FROM) -> str:
    """The vector index a version of `count` passages gets: exact below `ann_from`, IVF-Flat from there on."""
    return IVF if count >= ann_from else FLAT


def serialize(vectors: Vectors, dimension: int, kind: str = FLAT) -> bytes:
    """Vectors as the bytes of an inner-product FAISS index of `kind` (flat, or IVF-Flat trained on a sample)."""
    if kind != IVF:
        flat = faiss.IndexFlatIP(dimension)
        flat.add(vectors)
        return bytes(faiss.serialize_index(flat).tobytes())
    ivf = trained_ivf(vectors[training_rows(len(vectors))], len(vectors), dimension)
    ivf.add(vectors)
    ivf.make_direct_map()  # so its vectors can be read back (update reuses them; retrieval reads them)
    return bytes(faiss.serialize_index(ivf).tobytes())


def training_rows(count: int) -> npt.NDArray[np.int64]:
    """The rows (sorted) whose vectors train an IVF index of `count` vectors: at most 40 per list, seed 0."""
    lists = ivf_lists(count)
    sample = np.random.default_rng(0).choice(count, min(count, IVF_TRAIN_PER_LIST * lists), replace=False)
    return np.sort(sample).astype(np.int64)


def ivf_lists(count: int) -> int:
    """The inverted lists of an IVF index over `count` vectors: 4·√count."""
    return max(1, min(count, int(IVF_LISTS_PER_ROOT * math.sqrt(count))))


def trained_ivf(sample: Vectors, count: int, dimension: int) -> faiss.IndexIVFFlat:
    """An empty inner-product IVF-Flat index for `count` vectors, its lists trained on `sample`."""
    quantizer = faiss.IndexFlatIP(dimension)  # faiss' wrapper keeps it referenced by the index
    ivf = faiss.IndexIVFFlat(quantizer, dimension, ivf_lists(count), faiss.METRIC_INNER_PRODUCT)
    ivf.train(sample)
    return ivf


def to_npy(array: np.ndarray[Any, Any]) -> bytes:
    """An array as .npy bytes (no pickle)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def from_npy(data: bytes, path: Path) -> np.ndarray[Any, Any]:
    """The array in .npy bytes; `path` names it in errors."""
    try:
        return np.asarray(np.load(io.BytesIO(data), allow_pickle=False))
    except ValueError as exc:
        raise IndexMismatchError(f"{path}: not a readable .npy array ({exc})") from exc


def deserialize(data: bytes, path: Path) -> faiss.Index:
    """A FAISS inner-product index from its bytes; `path` names it in errors."""
    try:
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except RuntimeError as exc:
        raise IndexMismatchError(f"{path}: not a readable FAISS index ({str(exc).splitlines()[0]})") from exc
    if index.metric_type != faiss.METRIC_INNER_PRODUCT:
        raise IndexMismatchError(f"{path}: expected an inner-product index")
    if isinstance(index, faiss.IndexIVF):  # deserialize_index already gives the concrete class
        index.nprobe = IVF_NPROBE
    return index


def matrix(index: faiss.Index) -> Vectors:
    """Every vector an index stores (flat, or IVF-Flat with its direct map), exactly as stored."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)
