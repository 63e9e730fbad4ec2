"""The files of an index version and how each is encoded: JSON lines for records, FAISS bytes for vectors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assist.errors import IndexMismatchError
from assist.index.embedder import Vectors
from assist.knowledge.articles import Article

VECTORS = "vectors.faiss"
TITLES = "titles.faiss"
PASSAGES = "passages.jsonl"
ARTICLES = "articles.jsonl"
POLICIES = "policies"


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


def serialize(vectors: Vectors, dimension: int) -> bytes:
    """Vectors as the bytes of a flat inner-product FAISS index."""
    flat = faiss.IndexFlatIP(dimension)
    flat.add(vectors)
    return bytes(faiss.serialize_index(flat).tobytes())


def deserialize(data: bytes, path: Path) -> faiss.Index:
    """A FAISS inner-product index from its bytes; `path` names it in errors."""
    try:
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    except RuntimeError as exc:
        raise IndexMismatchError(f"{path}: not a readable FAISS index ({str(exc).splitlines()[0]})") from exc
    if index.metric_type != faiss.METRIC_INNER_PRODUCT:
        raise IndexMismatchError(f"{path}: expected an inner-product index")
    return index


def matrix(index: faiss.Index) -> Vectors:
    """Every vector a flat index stores, exactly as stored."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return np.asarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32)
