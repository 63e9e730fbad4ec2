"""BM25 over passages (bm25s), with the stemming tokenizer shared by queries and highlights."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer

Scores = npt.NDArray[np.float32]
_STEMMER = Stemmer.Stemmer("english")
# bm25s logs every index build at DEBUG; one per loaded version is noise in our logs.
logging.getLogger("bm25s").setLevel(logging.WARNING)


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed tokens of `text`, in order."""
    tokens = bm25s.tokenize(text, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)
    return list(tokens[0]) if tokens else []


class LexicalIndex:
    """A BM25 index over texts: built when a version is built, saved inside it, loaded (memory-mapped) to serve."""

    def __init__(self, bm25: bm25s.BM25 | None, size: int) -> None:
        self.size = size
        self._bm25 = bm25
        self._vocab: dict[str, int] = bm25.vocab_dict if bm25 is not None else {}

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        """Tokenize and index `texts` (an empty corpus gives an index that scores nothing)."""
        if not texts:
            return cls(None, 0)
        bm25 = bm25s.BM25()
        corpus = bm25s.tokenize(list(texts), stopwords="en", stemmer=_STEMMER, show_progress=False)
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
        known = [t for t in query_terms if t in self._vocab]
        if self._bm25 is None or not known:
            return np.zeros(self.size, dtype=np.float32)
        result = self._bm25.get_scores(known, weight_mask=mask)
        return np.asarray(result, dtype=np.float32)


def matching_words(text: str, stems: frozenset[str]) -> tuple[str, ...]:
    """The words of `text` whose stems are in `stems`, as written, first occurrence order, lower-cased."""
    found: dict[str, None] = {}
    words = bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)
    for word in words[0] if words else []:
        if _STEMMER.stemWord(word) in stems:
            found.setdefault(word, None)
    return tuple(found)
