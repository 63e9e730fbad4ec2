"""A large IVF index built shard by shard, as a cluster hands vectors back: trained once on a sample, each
shard added to a copy of the empty trained index and merged in (faiss `merge_from`), so the driver holds the
index and one shard of raw vectors, never all of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import faiss
import numpy as np

from assist.index.files import trained_ivf, training_rows
from assist.index.vectors import Rows, Vectors

# Texts → their vectors in blocks as they are made: (rows of the texts, vectors), each row once, in any order.
StreamEncoder = Callable[[Sequence[str]], Iterator[tuple[Rows, Vectors]]]


def build_sharded(texts: Sequence[str], stream: StreamEncoder, dimension: int,
                  on_block: Callable[[Rows, Vectors], None], on_batch: Callable[[int], None] | None = None) -> bytes:
    """Embed `texts` (one per passage) through `stream` into a serialised IVF-Flat index, shard by shard, its
    direct map included so its vectors can be read back; each block is also shown to `on_block` (the
    build-time data computed from passage vectors)."""
    sample_rows = training_rows(len(texts))
    sample = np.empty((len(sample_rows), dimension), dtype=np.float32)
    for rows, vectors in stream([texts[i] for i in sample_rows]):
        sample[rows] = vectors
    template = trained_ivf(sample, len(texts), dimension)
    del sample
    index: faiss.IndexIVFFlat = faiss.clone_index(template)  # type: ignore[assignment]
    for rows, vectors in stream(texts):
        shard = faiss.clone_index(template)
        shard.add_with_ids(vectors, rows)
        index.merge_from(shard, 0)
        on_block(rows, vectors)
        if on_batch is not None:
            on_batch(len(rows))
    index.make_direct_map()  # rows were the ids: every passage once, so an array map by row
    return bytes(faiss.serialize_index(index).tobytes())
