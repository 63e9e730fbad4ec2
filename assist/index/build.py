"""Building a version: articles split into passages and embedded (here, on a cluster, or streamed shard by
shard), the build-time data computed, and the whole published with the tree's policies."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assist.index import versions
from assist.index.derived import Contents, Derivation, embedding_text
from assist.index.embedder import Embedder
from assist.index.files import ANN_FROM, IVF, index_type, serialize
from assist.index.publishing import VectorFiles, vector_files, write_version
from assist.index.shards import StreamEncoder, build_sharded
from assist.index.vectors import Vectors
from assist.knowledge.articles import Article, Catalog
from assist.knowledge.passages import DEFAULT_TARGET, Passage, split_article
from assist.policy.files.directory import policy_paths, verify_policies

Progress = Callable[[int, int], None]
# Texts → vectors in input order, telling a callback how many each finished batch held (a Ray cluster's encode).
TextEncoder = Callable[[Sequence[str], Callable[[int], None] | None], Vectors]


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
        if stream is not None and encode is not None and index_type(len(passages), ann_from) == IVF:
            vectors = _streamed(Contents(articles, passages), embedder.dimension, stream, encode, on_progress)
        else:
            passages, passage_vectors, titles = embed_articles(articles, embedder, passage_target, on_progress,
                                                               encode)
            vectors = vector_files(Contents(articles, passages), passage_vectors, titles, embedder.dimension, ann_from)
        build = build_record(engine, len(passages), time.perf_counter() - started)
        return write_version(Contents(articles, passages), vectors, embedder, index_dir, passage_target,
                             policy_files(catalog), catalog.signature, build)


def _streamed(contents: Contents, dimension: int, stream: StreamEncoder, encode: TextEncoder,
              on_progress: Progress | None) -> VectorFiles:
    """A large version's vector files, its passages embedded through `stream` and indexed shard by shard."""
    by_id = {a.id: a for a in contents.articles}
    texts = [embedding_text(by_id[p.article_id], p) for p in contents.passages]
    derivation = Derivation(contents, dimension)
    index = build_sharded(texts, stream, dimension, derivation.add, _counter(len(texts), on_progress))
    titles = encode([a.title for a in contents.articles], None)
    return VectorFiles(index, IVF, serialize(titles, dimension), derivation.files())


def build_record(engine: tuple[str, int], embedded: int, seconds: float) -> dict[str, Any]:
    """How a version's vectors were made, for its manifest: engine, workers, passages embedded per second."""
    name, workers = engine
    return {"engine": name, "workers": workers, "embedded": embedded,
            "passages_per_second": round(embedded / seconds, 1) if seconds > 0 else None}
