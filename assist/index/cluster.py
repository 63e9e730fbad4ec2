"""Embedding on a Ray cluster: the passages become a Ray Dataset and `map_batches` runs the packaged model on
the workers, loaded once per actor; vectors come back to the driver in passage order.

Ray is an optional extra (`pip install 'assist[ray]'`): only `--ray` imports this module, and it imports Ray
itself only when asked to connect.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assist.errors import ConfigurationError
from assist.index.embedder import BATCH, Backend, Embedder
from assist.index.vectors import Rows, Vectors

CONNECT_SECONDS = 20.0


@dataclass(frozen=True)
class ClusterOptions:
    """Where and how wide to embed: the cluster's address (None: a local Ray on this machine's cores), actors,
    texts per batch, GPUs per actor."""

    address: str | None = None
    concurrency: int | None = None
    batch_size: int = 256
    num_gpus: float = 0.0

    def __post_init__(self) -> None:
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be at least 1, got {self.batch_size}")
        if self.num_gpus < 0:
            raise ValueError(f"GPUs per actor must not be negative, got {self.num_gpus}")


class _Encode:
    """One Ray actor's encoder: the configured model (the package's, or a model directory found at the same path
    on every node), loaded once; CUDA when the actor was given a GPU. Each row is one encoder batch, formed on
    the driver exactly as a local build forms it."""

    def __init__(self, backend: Backend, cache_dir: str, gpu: bool, model_dir: str | None = None) -> None:
        self.embedder = Embedder(threads=None if gpu else 1, backend=backend, cache_dir=Path(cache_dir),
                                 device="cuda" if gpu else "cpu", model_dir=Path(model_dir) if model_dir else None)

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
        rows, vectors = [], []
        for chunk_rows, chunk_texts in zip(batch["rows"], batch["texts"], strict=True):
            rows.append(np.asarray(chunk_rows, dtype=np.int64))
            vectors.append(self.embedder.encode([str(t) for t in chunk_texts], batch_size=len(chunk_texts)))
        return {"row": np.concatenate(rows), "vector": np.concatenate(vectors)}


class Cluster:
    """A connection to Ray for embedding; `workers` is how many actors encode at once."""

    def __init__(self, options: ClusterOptions, backend: Backend, cache_dir: Path, model_dir: Path | None = None
                 ) -> None:
        if options.num_gpus and backend != "torch":
            raise ConfigurationError("GPU actors run the torch encoder (the int8 ONNX encoder is CPU-only); "
                                     "set ASSIST_ENCODER=torch for a GPU build")
        self.options, self.backend, self.cache_dir, self.model_dir = options, backend, cache_dir, model_dir
        self._ray = _connect(options.address)
        cpus = int(self._ray.cluster_resources().get("CPU", os.cpu_count() or 1))
        gpus = int(self._ray.cluster_resources().get("GPU", 0))
        per_actor = max(options.num_gpus, 1e-9)
        self.workers = options.concurrency or (max(1, int(gpus / per_actor)) if options.num_gpus else max(1, cpus))

    def encode(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> Vectors:
        """Vectors for `texts`, in their order: the same batches as Embedder.encode forms (sorted by length,
        BATCH texts each), so the vectors are those a local build makes."""
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        for rows, batch in self.stream(texts):
            if vectors.shape[1] == 0:
                vectors = np.empty((len(texts), batch.shape[1]), dtype=np.float32)
            vectors[rows] = batch
            if on_batch is not None:
                on_batch(len(rows))
        return vectors

    def stream(self, texts: Sequence[str]) -> Iterator[tuple[Rows, Vectors]]:
        """The vectors of `texts` as Ray hands them back, one block at a time: (rows of `texts`, vectors)."""
        if not texts:
            return
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        chunks = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        dataset = self._ray.data.from_items([{"rows": rows, "texts": [texts[i] for i in rows]} for rows in chunks])
        encoded = dataset.map_batches(
            _Encode, fn_constructor_kwargs={"backend": self.backend, "cache_dir": str(self.cache_dir),
                                            "gpu": bool(self.options.num_gpus),
                                            "model_dir": str(self.model_dir) if self.model_dir else None},
            batch_size=max(1, self.options.batch_size // BATCH), num_gpus=self.options.num_gpus,
            compute=self._ray.data.ActorPoolStrategy(size=self.workers), batch_format="numpy")
        for batch in encoded.iter_batches(batch_size=None, batch_format="numpy"):
            yield np.asarray(batch["row"], dtype=np.int64), np.asarray(batch["vector"], dtype=np.float32)

    def close(self) -> None:
        """Disconnect (a local Ray started for this build stops with it)."""
        self._ray.shutdown()


def _connect(address: str | None) -> Any:
    """Ray, connected to `address` (None: a new local cluster on loopback); ConfigurationError, naming the
    address, when Ray is missing or the cluster does not answer within CONNECT_SECONDS."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigurationError("--ray needs Ray: pip install 'assist[ray]'") from exc
    if address is not None:
        _reachable(address)
    # A local Ray listens on loopback only, like every service of ours on a workstation.
    local: dict[str, Any] = {} if address else {"_node_ip_address": "127.0.0.1", "num_cpus": os.cpu_count() or 1}
    logging.getLogger("ray").setLevel(logging.WARNING)  # Ray Data's progress lines: our bar says it
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False, include_dashboard=False,
                 logging_level=logging.ERROR, **local)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError… for a bad address
        where = address or "a local Ray cluster"
        raise ConfigurationError(f"cannot reach the Ray cluster at {where}: {exc}".splitlines()[0]) from exc
    return ray


def _reachable(address: str) -> None:
    """Fail fast, naming the address, when nothing listens there (Ray itself would retry for minutes)."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigurationError(f"--ray-address {address!r}: expected host:port or ray://host:port")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise ConfigurationError(f"cannot reach the Ray cluster at {address} "
                                 f"(within {CONNECT_SECONDS:g} s): {exc.strerror or exc}") from exc
