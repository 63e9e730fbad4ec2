"""BM25 over passages (bm25s), tokenized as queries are (assist.knowledge.words)."""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from assist.knowledge.words import STEMMER

Scores = npt.NDArray[np.float32]
# bm25s logs every index build at DEBUG; one per loaded version is noise in our logs.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """A BM25 index over texts: built when a version is built, saved inside it, loaded (memory-mapped) to serve."""

    def __init__(self, bm25: bm25s.BM25 | None, size: int) -> None:
        self.size = size
        self._bm25 = bm25
        self._vocab: dict[str, int] = bm25.vocab_dict if bm25 is not None else {}
        # Plain views of the (memory-mapped) score columns: slicing np.memmap itself costs a wrapper per slice.
        stored = bm25.scores if bm25 is not None else {}
        self._columns = tuple(np.asarray(stored.get(name, ())) for name in ("data", "indices", "indptr"))

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Tokenize and index `texts` (an empty corpus gives an index that scores nothing)."""
        if not texts:
            return cls(None, 0)
        bm25 = bm25s.BM25()
        corpus = bm25s.tokenize(list(texts), stopwords="en", stemmer=STEMMER, show_progress=False)
        bm25.index(corpus, show_progress=False)
        return cls(bm25, len(texts))

    def files(self) -> dict[str, bytes]:
        """The index as named files (bm25s' own format), to be written inside a version."""
        if self._bm25 is None:
            return {}
        with tempfile.TemporaryDirectory() as directory:
            self._bm25.save(directory, show_progress=False)
            return {path.name: path.read_bytes() for path in sorted(Path(directory).iterdir())}

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        """The index saved in `directory` by `files()`; memory-mapped, so loading costs no tokenizing."""
        if size == 0:
            return cls(None, 0)
        bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False)
        return cls(bm25, size)

    def scores(self, query_terms: Sequence[str], mask: npt.NDArray[np.float32] | None = None) -> Scores:
        """BM25 score of every text for the query terms (repeat a term to weight it); 0 where masked out."""
        ids = Counter(self._vocab[t] for t in query_terms if t in self._vocab)
        if self._bm25 is None or not ids:
            return np.zeros(self.size, dtype=np.float32)
        # bm25s' own get_scores adds each term's column with np.add.at, once per repeat; one bincount over
        # the same stored columns, each read once and weighted by its repeats, gives the same sums faster.
        data, indices, indptr = self._columns
        rows = np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in ids])
        weights = np.concatenate([data[indptr[i]:indptr[i + 1]] * np.float32(n) for i, n in ids.items()])
        result = np.bincount(rows, weights=weights, minlength=self.size).astype(np.float32)
        if self._bm25.nonoccurrence_array is not None:
            result += np.float32(sum(self._bm25.nonoccurrence_array[i] * n for i, n in ids.items()))
        if mask is not None:
            result *= mask
        return result
