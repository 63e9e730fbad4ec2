"""Unmet needs grouped by meaning, each group labelled by its own words: what editors read in the gap report.

The redacted customer turns are embedded with the service's own model and grouped in two stages. Cores:
agglomerative clustering on cosine distance (average linkage, a distance threshold), since the number of unmet
needs is not known in advance (which rules out k-means' fixed k) and a threshold keeps one group per need however
many there are. Then a question left alone joins the core it is closest to on average, when it is close enough
and clearly closer to that core than to any other: a wrong join mixes needs, and a mixed group misleads an editor
more than a small one, so an ambiguous question stays on its own.

Measured on four labelled sets (22 themes; docs/benchmarks.md#gap-groups, `scripts/gap-study`) against average
linkage alone at 0.55, the grouping before: about as much gathered (the largest group of each theme, summed: 54-56
against 55-57) with fewer groups mixing themes (2-4 against 4-6), ONNX or torch, with or without 60 Doc2Dial
questions beside them. Neither comes near a theme of ten in one group: MiniLM puts half or more of a theme's
question pairs at a cosine distance above 0.7, and a third of the outside set's questions nearest to one of another
theme, so HDBSCAN, shared-nearest-neighbour similarity, content words or noun chunks alone, the content words'
contextual vectors, TF-IDF or shared lemmas beside the similarity, and removing the mean or the first principal
component all gathered more only by mixing more. A group's label is its most characteristic words by class-based
TF-IDF (the group's words weighed against every group's). Groups come largest first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from assist.feedback.gaps import GapQuestion, GapReason
from assist.index.embedder import Embedder
from assist.knowledge.words import words

GROUP_DISTANCE = 0.5  # cosine distance (1 - similarity) under which questions form a core (docs/benchmarks.md)
JOIN_SIMILARITY = 0.4  # the least average similarity to a core at which a question left alone joins it
JOIN_MARGIN = 0.1  # ... and by how much that core must be closer than the next
LABEL_WORDS = 3
_REDACTED = re.compile(r"\[[A-Z_]+\]")  # what redaction left, `[NAME]`: not the need's words
BestArticle = Callable[[str], tuple[str, float] | None]


@dataclass(frozen=True)
class ReasonCount:
    """How many of a group's needs are listed for one reason."""

    reason: GapReason
    count: int


@dataclass(frozen=True)
class GapGroup:
    """Needs of one meaning: its label (its most characteristic words), the need closest to the group's centre,
    its members nearest first, why they are listed, and the best article the live index has (None: none)."""

    size: int
    representative: str
    members: tuple[GapQuestion, ...]
    best_article: str | None
    best_score: float | None
    label: tuple[str, ...] = ()
    reasons: tuple[ReasonCount, ...] = ()

    @property
    def examples(self) -> tuple[str, ...]:
        """Three members besides the representative."""
        return tuple(m.text for m in self.members[1:4])


def group_gaps(questions: Sequence[GapQuestion], embedder: Embedder, best_article: BestArticle,
               distance: float = GROUP_DISTANCE) -> list[GapGroup]:
    """Group unmet needs by meaning; each group labelled, with its representative, reasons and best article."""
    if not questions:
        return []
    vectors = embedder.encode([q.text for q in questions])
    labels = cluster(vectors, distance)
    rows_of = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    names = group_labels([[questions[int(i)].text for i in rows] for rows in rows_of])
    groups = []
    for rows, name in zip(rows_of, names, strict=True):
        centre = vectors[rows].mean(axis=0)
        order = rows[np.argsort(-(vectors[rows] @ centre), kind="stable")]
        members = tuple(questions[int(i)] for i in order)
        found = best_article(members[0].text)
        groups.append(GapGroup(len(members), members[0].text, members, found[0] if found else None,
                               round(found[1], 4) if found else None, name, _reasons(members)))
    groups.sort(key=lambda g: (-g.size, g.representative))
    return groups


def cluster(vectors: np.ndarray, distance: float = GROUP_DISTANCE) -> np.ndarray:
    """A group number for each unit vector: cores by average linkage under `distance`, then the questions left
    alone joined to their clearly closest core (`join`)."""
    if len(vectors) == 1:
        return np.zeros(1, dtype=np.int64)
    cores = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=distance).fit_predict(vectors)
    return join(vectors, cores)


def join(vectors: np.ndarray, labels: np.ndarray, least: float = JOIN_SIMILARITY,
         margin: float = JOIN_MARGIN) -> np.ndarray:
    """Each question alone in its group moved into the group of several it is most similar to on average, when
    that similarity is at least `least` and beats the next group's by `margin`; groups of several stay as they are."""
    sizes = np.bincount(labels)
    cores = np.flatnonzero(sizes > 1)
    alone = np.flatnonzero(sizes[labels] == 1)
    if not len(cores) or not len(alone):
        return labels
    members = (labels[:, None] == cores[None, :]).astype(vectors.dtype)
    affinity = (vectors[alone] @ vectors.T) @ members / sizes[cores]  # mean similarity of each lone one to each core
    order = np.argsort(-affinity, axis=1, kind="stable")
    best = np.take_along_axis(affinity, order[:, :1], axis=1)[:, 0]
    runner_up = np.take_along_axis(affinity, order[:, 1:2], axis=1)[:, 0] if len(cores) > 1 else np.full_like(best, -1)
    joins = (best >= least) & (best - runner_up >= margin)
    joined = labels.copy()
    joined[alone[joins]] = cores[order[joins, 0]]
    return joined


def group_labels(groups: Sequence[Sequence[str]], size: int = LABEL_WORDS) -> list[tuple[str, ...]]:
    """Each group's `size` most characteristic words (class-based TF-IDF: a word's share of the group's words
    times the log of how rare it is across groups); a word said once in a group of several labels it only when
    no word is said twice."""
    counts = [Counter(w for text in texts for w in set(_content(text))) for texts in groups]
    spread = Counter(w for c in counts for w in c)
    average = sum(sum(c.values()) for c in counts) / max(len(counts), 1)
    labels = []
    for texts, count in zip(groups, counts, strict=True):
        total = sum(count.values()) or 1
        floor = 2 if len(texts) > 2 else 1
        weight = {w: n / total * np.log(1 + average / spread[w]) for w, n in count.items() if n >= floor} \
            or {w: n / total * np.log(1 + average / spread[w]) for w, n in count.items()}  # no word repeats
        labels.append(tuple(sorted(weight, key=lambda w: (-weight[w], w))[:size]))
    return labels


def _content(text: str) -> list[str]:
    """The words of a need that can name it: no stop words, no numbers, no one-letter words."""
    return [w for w in words(_REDACTED.sub(" ", text))
            if w not in ENGLISH_STOP_WORDS and len(w) > 1 and not w.isdigit()]


def _reasons(members: Sequence[GapQuestion]) -> tuple[ReasonCount, ...]:
    count = Counter(r for m in members for r in m.reasons)
    return tuple(ReasonCount(reason, count[reason]) for reason in GapReason if count[reason])
