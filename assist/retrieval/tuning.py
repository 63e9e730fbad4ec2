"""The knobs of ranking: feature weights, candidate depth, confidence calibration, display and reading windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from assist.knowledge.passages import MAX_CHARS
from assist.retrieval.features import FEATURES
from assist.retrieval.query import Window

# Chosen on one half of the Doc2Dial dev dialogues, checked on the other half (see README, "Answer quality").
DEFAULT_WEIGHTS = MappingProxyType({
    "bm25_last": 0.5, "bm25_all": 0.2, "dense_last": 0.5, "dense_all": 0.5,
    "article_bm25_all": 0.5, "article_dense_all": 0.2,
    "doc_bm25_all": 1.2, "doc_bm25_agent": 1.2, "doc_title": 0.8, "doc_opening": 1.2,
    "said": 0.0, "after_said": 0.0,
    # read by a learned ranker only (assist learn): no hand weight
    "dense_agent": 0.0, "after_dense_agent": 0.0, "length": 0.0, "quoted": 0.0, "from_said": 0.0,
})
@dataclass(frozen=True)
class Tuning:
    """The knobs of ranking: feature weights, candidate depth, and the confidence calibration."""

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    depth: int = 100
    # P(first answer is the right passage) = logistic(slope * lead over the second + offset), fitted on the
    # Doc2Dial dev split; scaled down when even the best passage is far in meaning from the customer's words.
    confidence_slope: float = 6.0
    confidence_offset: float = 0.2
    relevance_floor: float = 0.15
    relevance_full: float = 0.4
    gap_threshold: float = 0.35
    # Passages are indexed small, for precise matching, and shown with their neighbours up to this many
    # characters: the answer the agent needs next often continues just after the matching sentences.
    display_chars: int = 1190
    # How much of the transcript is read (and so embedded) per request.
    window: Window = field(default_factory=Window)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown ranking features {sorted(unknown)}; known: {', '.join(FEATURES)}")
        if self.depth < 1:
            raise ValueError(f"depth must be at least 1, got {self.depth}")
        if not 0 < self.display_chars <= MAX_CHARS:
            raise ValueError(f"display_chars must be in 1..{MAX_CHARS}, got {self.display_chars}")
