"""A large IVF index built shard by shard, as a cluster hands vectors back: trained once on a sample, each
shard added to a copy of the empty trained index and merged in (faiss `merge_from`), so the driver holds the
index and one shard of raw vectors, never all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

from assist.index.embedder import Vectors
from assist.index.files import trained_ivf, training_rows
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage

Rows = np.ndarray[Any, np.dtype[np.int64]]
# Texts → their vectors in blocks as they are made: (rows of the texts, vectors), each row once, in any order.
StreamEncoder = Callable[[Sequence[str]], Iterator[tuple[Rows, Vectors]]]


@dataclass(frozen=True)
class ShardedVectors:
    """What a version needs of its passage vectors, built without holding them all: the serialised IVF index
    (direct map included, so its vectors can be read back) and each article's unit-length mean vector."""

    index: bytes
    article_vectors: Vectors


def build_sharded(articles: Sequence[Article], passages: Sequence[Passage], texts: Sequence[str],
                  stream: StreamEncoder, dimension: int, on_batch: Callable[[int], None] | None = None
                  ) -> ShardedVectors:
    """Embed `texts` (one per passage) through `stream` into an IVF-Flat index, shard by shard."""
    sample_rows = training_rows(len(texts))
    sample = np.empty((len(sample_rows), dimension), dtype=np.float32)
    for rows, vectors in stream([texts[i] for i in sample_rows]):
        sample[rows] = vectors
    template = trained_ivf(sample, len(texts), dimension)
    del sample
    index: faiss.IndexIVFFlat = faiss.clone_index(template)  # type: ignore[assignment]
    position = {a.id: i for i, a in enumerate(articles)}
    owner = np.array([position[p.article_id] for p in passages], dtype=np.int64)
    sums = np.zeros((len(articles), dimension), dtype=np.float32)
    for rows, vectors in stream(texts):
        shard = faiss.clone_index(template)
        shard.add_with_ids(vectors, rows)
        index.merge_from(shard, 0)
        np.add.at(sums, owner[rows], vectors)
        if on_batch is not None:
            on_batch(len(rows))
    index.make_direct_map()  # rows were the ids: every passage once, so an array map by row
    sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
    return ShardedVectors(bytes(faiss.serialize_index(index).tobytes()), sums)
