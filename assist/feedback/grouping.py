"""Unmet needs grouped by meaning, each group labelled by its own words: what editors read in the gap report.

The redacted customer turns are embedded with the service's own model and grouped by agglomerative clustering on
cosine distance (average linkage, a distance threshold): the number of unmet needs is not known in advance, which
rules out k-means' fixed k, and a threshold keeps one group per need however many there are. HDBSCAN, a content-
word embedding, TF-IDF mixed into the similarity and neighbour smoothing were measured against it and mixed themes
more for what they gathered (docs/benchmarks.md#gap-groups). A group's label is its most characteristic words by
class-based TF-IDF (the group's words weighed against every group's). Groups come largest first.
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

GROUP_DISTANCE = 0.55  # cosine distance (1 - similarity) under which questions are one need (docs/benchmarks.md)
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
    if len(questions) == 1:
        labels = np.zeros(1, dtype=np.int64)
    else:
        labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                         distance_threshold=distance).fit_predict(vectors)
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
