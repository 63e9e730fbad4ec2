"""A large IVF index built shard by shard equals the one built from all vectors at once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from assist.index import versions
from assist.index.build import build_index
from assist.index.derived import ARTICLE_VECTORS
from assist.index.embedder import Embedder
from assist.index.files import deserialize, matrix
from assist.index.loaded import load_index
from assist.index.vectors import Rows, Vectors
from assist.knowledge.articles import load_catalog
from tests.conftest import FIXTURE_KB


def _shuffled_blocks(embedder: Embedder, size: int) -> object:
    """A stream that hands vectors back in blocks of `size`, in a scrambled order, as a cluster may."""

    def stream(texts: Sequence[str]) -> Iterator[tuple[Rows, Vectors]]:
        vectors = embedder.encode(texts)
        order = np.random.default_rng(7).permutation(len(texts))
        for start in range(0, len(order), size):
            rows = np.sort(order[start : start + size]).astype(np.int64)
            yield rows, vectors[rows]

    return stream


def test_a_sharded_ivf_build_serves_what_a_whole_build_serves(tmp_path: Path, embedder: Embedder) -> None:
    catalog = load_catalog(FIXTURE_KB)
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    build_index(catalog, embedder, whole, ann_from=1)
    build_index(catalog, embedder, sharded, ann_from=1, stream=_shuffled_blocks(embedder, 3),  # type: ignore[arg-type]
                encode=lambda texts, on_batch: embedder.encode(texts, on_batch=on_batch))
    a, b = load_index(whole, embedder), load_index(sharded, embedder)
    assert a.manifest.index_type == b.manifest.index_type == "ivf"
    assert [p.key for p in a.passages] == [p.key for p in b.passages]
    np.testing.assert_allclose(matrix(a.vectors), matrix(b.vectors), atol=1e-6)
    np.testing.assert_allclose(a.computed[ARTICLE_VECTORS], b.computed[ARTICLE_VECTORS], atol=1e-5)
    queries = embedder.encode(["my shirt arrived stained", "renew my license", "how long does shipping take"])
    assert (a.vectors.search(queries, 5)[1] == b.vectors.search(queries, 5)[1]).all()
    stored = versions.version_path(sharded, versions.current_version(sharded) or "") / "vectors.faiss"
    assert deserialize(stored.read_bytes(), stored).ntotal == len(b.passages)
