"""The array types every index module shares: embeddings, one float32 row per text, and row numbers into them.

A leaf, so the encoders (embedder.py, onnx.py, cluster.py) and the files they feed import it without importing
each other.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Rows = npt.NDArray[np.int64]
