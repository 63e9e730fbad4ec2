"""A learned ranker fitted on the older examples of a period and judged on the most recent ones, beside the ranker
it would replace: LightGBM's lambdarank over the features every ranking logs, starting from the hand-weighted score.

The held-back slice is the newest examples by time, never a random sample: the ranker is judged on what came after
everything it learned from, as it will be served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import lightgbm
import numpy as np

from assist.errors import LearningError
from assist.learning.history import Example
from assist.retrieval.learned import INPUTS, LearnedRanker, inputs

HOLD_BACK = 0.2  # the newest share of the examples, held back to judge the fitted ranker
MIN_EXAMPLES = 50  # fewer examples to fit on than this is noise, not learning
# Boosting rounds: chosen on Doc2Dial dev, fitting on one half of its articles and judging on the other (100, 300
# and early stopping on the newest tenth were measured; early stopping on so few events stopped after a tree or two).
ROUNDS = 100
PARAMS: Mapping[str, object] = {
    "objective": "lambdarank", "metric": "ndcg", "eval_at": [1, 5], "learning_rate": 0.05, "num_leaves": 15,
    "min_data_in_leaf": 100, "feature_fraction": 0.8, "lambda_l2": 1.0, "lambdarank_truncation_level": 20,
    "feature_pre_filter": False, "verbose": -1,
    "deterministic": True, "seed": 7, "num_threads": 2,
}
Scorer = Callable[[Example], np.ndarray]
Rounds = Callable[[int, int], None]  # (done, at most)


@dataclass(frozen=True)
class Figures:
    """How a ranker orders the examples: the used passage first (hit@1), in the first five, reciprocal rank."""

    examples: int
    hit_at_1: float
    hit_at_5: float
    mrr: float


@dataclass(frozen=True)
class Fitted:
    """A fitted model, with its figures and the live ranker's on the same held-back examples."""

    model: lightgbm.Booster
    rounds: int
    fitted_on: int
    held_back: int
    figures: Figures
    live: Figures

    @property
    def better(self) -> bool:
        """Whether it beats the live ranker on the held-back examples (reciprocal rank, then hit@1)."""
        return (self.figures.mrr, self.figures.hit_at_1) > (self.live.mrr, self.live.hit_at_1)

    def report(self) -> dict[str, object]:
        """The figures as a manifest keeps them."""
        return {"rounds": self.rounds, "fitted_on": self.fitted_on, "held_back": self.held_back,
                "figures": asdict(self.figures), "live": asdict(self.live)}


def split(examples: Sequence[Example], share: float = HOLD_BACK) -> tuple[list[Example], list[Example]]:
    """The older examples to fit on and the newest `share` to judge on (examples come oldest first)."""
    held = max(1, round(len(examples) * share))
    return list(examples[:-held]), list(examples[-held:])


def fit(examples: Sequence[Example], weights: Mapping[str, float], live: Scorer | None = None,
        progress: Rounds | None = None) -> Fitted:
    """Fit on all but the newest examples and judge on those, beside `live` (None: the hand weights, which is the
    order the candidates were logged in). LearningError when there is too little to learn from."""
    if len(examples) < MIN_EXAMPLES:
        raise LearningError(f"{len(examples)} examples with a used passage among the logged candidates; at least "
                            f"{MIN_EXAMPLES} are needed (replay a labelled set with `assist eval replay`, or wait "
                            "for more feedback)")
    train, held = split(examples)
    callbacks: list[Callable[..., Any]] = []
    if progress is not None:
        callbacks.append(lambda env: progress(env.iteration + 1, env.end_iteration))
    model = lightgbm.train(dict(PARAMS), _dataset(train, weights), num_boost_round=ROUNDS, callbacks=callbacks)
    learned = LearnedRanker("fitted", model, weights, domains(examples))
    figures = judge(held, lambda ex: learned.scores(ex.candidates))
    return Fitted(model, ROUNDS, len(train), len(held), figures, judge(held, live or _logged_order))


def domains(examples: Sequence[Example]) -> list[str]:
    """The domains the examples' calls were about: where a ranker fitted on them may be served."""
    return sorted({e.candidates.domain for e in examples})


def judge(examples: Sequence[Example], scorer: Scorer) -> Figures:
    """Where `scorer` puts each example's first used passage."""
    ranks = []
    for example in examples:
        scores = scorer(example)
        order = np.argsort(-scores, kind="stable")
        ranks.append(int(np.flatnonzero(example.labels[order] > 0)[0]) + 1)
    count = len(ranks)
    if not count:
        return Figures(0, 0.0, 0.0, 0.0)
    return Figures(count, round(sum(r == 1 for r in ranks) / count, 4), round(sum(r <= 5 for r in ranks) / count, 4),
                   round(sum(1 / r for r in ranks) / count, 4))


def _logged_order(example: Example) -> np.ndarray:
    """The hand weights' order: the candidates were logged best first by it."""
    return -np.arange(len(example.labels), dtype=np.float32)


def _dataset(examples: Sequence[Example], weights: Mapping[str, float]) -> lightgbm.Dataset:
    """Examples as one LightGBM ranking dataset: a group per suggestion, the hand score as the initial score."""
    matrices, bases = zip(*(inputs(e.candidates.values, e.candidates.names, weights) for e in examples), strict=True)
    return lightgbm.Dataset(np.vstack(matrices), label=np.concatenate([e.labels for e in examples]),
                            group=[len(e.labels) for e in examples], init_score=np.concatenate(bases),
                            feature_name=list(INPUTS), free_raw_data=False)
