"""What the benchmark measures inside its own process: the raw encoder, the floor, the ANN index's recall.

These load the model here, never in the service: the service is a separate process driven over HTTP.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from assist.index.derived import embedding_text
from assist.index.embedder import Embedder
from assist.index.files import VECTORS, deserialize, matrix
from assist.index.manifest import read_manifest
from assist.index.versions import current_version, version_path
from assist.knowledge.articles import load_catalog
from assist.knowledge.passages import split_article
from assist_eval.bench_results import BenchError, median, rate

K = 10
MakeEmbedder = Callable[[int], Embedder]  # threads -> the encoder the service is configured with


@dataclass(frozen=True)
class RawEncoder:
    """The encoder alone on a length-sorted sample of the build's own embedding texts."""

    texts: int
    seconds: float
    encoder: str

    @property
    def per_second(self) -> float:
        """Passages encoded per second."""
        return rate(self.texts, self.seconds)


@dataclass(frozen=True)
class Floor:
    """Medians of one query encode and one exact search of the built vectors, each on 1 thread."""

    encode_ms: float
    search_ms: float
    total_ms: float  # median of the per-sample sums
    samples: int
    vectors: int
    encoder: str


@dataclass(frozen=True)
class Recall:
    """Recall@10 of the stored index against exact search over the same vectors."""

    index_type: str  # the FAISS class of the stored index, e.g. IndexFlatIP or IndexIVFFlat
    recall: float
    queries: int
    exact: bool  # the stored index is itself exact: recall is 1.0 by definition, nothing was searched


def live_vectors(index_dir: Path) -> tuple[str, faiss.Index]:
    """The live version's name and its stored vector index."""
    name = current_version(index_dir)
    if name is None:
        raise BenchError(f"no published index version in {index_dir}")
    path = version_path(index_dir, name) / VECTORS
    return name, deserialize(path.read_bytes(), path)  # as the service reads it (IVF nprobe included)


def manifest_index_type(index_dir: Path, name: str) -> str:
    """The index type the version's manifest records."""
    return read_manifest(version_path(index_dir, name)).index_type


def raw_encoder(
    knowledge: Path, target: int, sample: int, make_embedder: MakeEmbedder = Embedder, seed: int = 7
) -> RawEncoder:
    """Encode a sample of the knowledge base's embedding texts directly, length-sorted, 2 threads."""
    catalog = load_catalog(knowledge)
    texts = [embedding_text(a, p) for a in catalog.articles for p in split_article(a, target)]
    chosen = sorted(random.Random(seed).sample(texts, min(sample, len(texts))), key=len)
    embedder = make_embedder(2)
    embedder.encode(chosen[:32])  # the first call pays one-off set-up costs
    start = time.perf_counter()
    embedder.encode(chosen)
    return RawEncoder(len(chosen), time.perf_counter() - start, embedder.name)


def exact_index(stored: faiss.Index) -> faiss.Index:
    """An exact inner-product index over the stored index's vectors (the stored one itself when flat)."""
    if isinstance(stored, faiss.IndexFlat):
        return stored
    try:
        vectors = matrix(stored)
    except RuntimeError as exc:
        raise BenchError(f"cannot read the vectors back from a {type(stored).__name__}: {exc}") from exc
    exact = faiss.IndexFlatIP(stored.d)
    exact.add(np.ascontiguousarray(vectors))
    return exact


def floor(index_dir: Path, queries: Sequence[str], samples: int, make_embedder: MakeEmbedder = Embedder) -> Floor:
    """The least one suggestion can cost: encode one query and search every vector exactly, 1 thread each."""
    if not queries:
        raise BenchError("floor: no query texts")
    faiss.omp_set_num_threads(1)
    exact = exact_index(live_vectors(index_dir)[1])
    embedder = make_embedder(1)
    for text in queries[:5]:  # warm-up
        exact.search(embedder.encode([text]), K)
    encode, search, total = [], [], []
    for n in range(samples):
        start = time.perf_counter()
        vector = embedder.encode([queries[n % len(queries)]])
        middle = time.perf_counter()
        exact.search(vector, K)
        end = time.perf_counter()
        encode.append((middle - start) * 1e3)
        search.append((end - middle) * 1e3)
        total.append((end - start) * 1e3)
    return Floor(median(encode), median(search), median(total), samples, int(exact.ntotal), embedder.name)


def recall_at_10(index_dir: Path, queries: Sequence[str], make_embedder: MakeEmbedder = Embedder) -> Recall:
    """Mean recall@10 of the live version's stored index against exact search, over `queries`."""
    _, stored = live_vectors(index_dir)
    kind = type(stored).__name__
    if isinstance(stored, faiss.IndexFlat):
        return Recall(kind, 1.0, 0, exact=True)
    vectors = make_embedder(1).encode(list(queries))
    _, found = stored.search(vectors, K)
    _, truth = exact_index(stored).search(vectors, K)
    k = min(K, int(stored.ntotal))
    hits = [len(set(row[row >= 0].tolist()) & set(true.tolist())) / k for row, true in zip(found, truth, strict=True)]
    return Recall(kind, float(np.mean(hits)) if hits else 0.0, len(hits), exact=False)
