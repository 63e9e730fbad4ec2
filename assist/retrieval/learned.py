"""The learned ranker: a LightGBM lambdarank model that corrects the hand-weighted score of a call's best
candidates, fitted by `assist learn` on what agents used; and the candidates a ranking logs for it to learn from.

The model reads only features that mean the same for any article (similarities, BM25, position), never a passage
id, so what it learns on one knowledge base's history carries to articles it never saw. It learns a correction of
the hand-weighted score (fitted with that score as LightGBM's initial score). As served, it decides which passage of
an article answers, not which article comes first: each article keeps its hand scores, so the confidence calibration
and policy's decisions read what they read before (measured: let it reorder articles and, learned from the retail
calls, it lost 5 points of the retail case book's decisions while it gained on the passages agents used).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import lightgbm
import numpy as np

from assist.index.lexical import Scores
from assist.knowledge.passages import article_of
from assist.retrieval.features import FEATURES

LEARN_DEPTH = 50  # candidates logged per suggestion, and re-scored by a learned ranker: the best by the hand score
LOGGED = (*FEATURES, "ordinal")  # each logged candidate's values, in this column order
DERIVED = ("base", "base_rank", "base_behind")  # read from the logged values and the hand weights
INPUTS = (*LOGGED, *DERIVED)  # what the model reads, in this column order


def weighted(features: Mapping[str, Scores], weights: Mapping[str, float]) -> Scores:
    """The hand-weighted score: the one sum the retriever ranks by and the learned ranker starts from."""
    count = len(next(iter(features.values())))
    score = np.zeros(count, dtype=np.float32)
    for name, weight in weights.items():
        if weight:
            score += np.float32(weight) * features[name]
    return score


@dataclass(frozen=True)
class Candidates:
    """A ranking's best candidates by the hand score, as logged with its suggestion: passage keys, best first, and
    each one's values of `names` (a float32 matrix, one row per passage)."""

    passages: tuple[str, ...]
    values: np.ndarray
    names: tuple[str, ...] = LOGGED
    domain: str = ""  # the domain of the best candidate's article ("": none): what the call is about


def inputs(values: np.ndarray, names: tuple[str, ...], weights: Mapping[str, float]) -> tuple[np.ndarray, Scores]:
    """The model's input matrix (columns INPUTS) for one ranking's logged candidates, best first by the hand score,
    and their hand-weighted score. Raises ValueError when a column the model reads was not logged."""
    missing = [n for n in LOGGED if n not in names]
    if missing:
        raise ValueError(f"the candidates lack {', '.join(missing)}")
    logged = values[:, [names.index(n) for n in LOGGED]].astype(np.float32, copy=False)
    base = weighted({n: logged[:, i] for i, n in enumerate(LOGGED)}, weights)
    count = len(base)
    rank = np.arange(count, dtype=np.float32) / max(count, 1)
    behind = (base[0] - base) if count else base
    return np.column_stack([logged, base, rank, behind]).astype(np.float32), base


class LearnedRanker:
    """One fitted ranker version: scores the logged columns of a ranking's best candidates, for calls about the
    domains it learned from (elsewhere the hand weights rank: it was never judged there)."""

    def __init__(self, version: str, model: lightgbm.Booster, weights: Mapping[str, float],
                 domains: Iterable[str]) -> None:
        if tuple(model.feature_name()) != INPUTS:
            raise ValueError(f"the model reads {model.feature_name()}, this code gives {list(INPUTS)}")
        self.version = version
        self.model = model
        self.weights = dict(weights)
        self.domains = frozenset(domains)

    def learned(self, candidates: Candidates) -> tuple[Scores, Scores]:
        """The candidates' learned scores (the hand score plus the correction), and their hand scores."""
        matrix, base = inputs(candidates.values, candidates.names, self.weights)
        if not len(base):
            return base, base
        correction = np.asarray(self.model.predict(matrix, num_threads=1), dtype=np.float32)
        return np.asarray(base + correction, dtype=np.float32), base

    def scores(self, candidates: Candidates, articles: np.ndarray | None = None) -> Scores:
        """The candidates' scores as served: within each article, the passage the learned ranker puts first takes
        the article's best hand score, the next its second, and so on. Which article comes first, and by how much,
        stays the hand weights' (what policy's decisions read); which passage of it answers is learned.
        `articles`: each candidate's article as a number (read from the passage keys when not given)."""
        learned, base = self.learned(candidates)
        if articles is None:
            articles = np.unique([article_of(key) for key in candidates.passages], return_inverse=True)[1]
        served = base.copy()
        # by article, then learned score: each article's rows in its learned order, matched to its hand scores
        by_learned = np.lexsort((-learned, articles))
        by_hand = np.lexsort((-base, articles))
        served[by_learned] = base[by_hand]
        return served
