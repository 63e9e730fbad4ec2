"""The PII benchmark: what redaction leaves at rest, per kind, on labelled utterances.

A labelled value is *removed* when redaction covers at least `REMOVED` of its letters and digits (with
findings of any kind: at rest a card stored as `[PHONE]` is still gone). A finding is a true positive when it
overlaps a labelled value, a false positive otherwise. A `keep` value (an order number, a price, a tracking
number) is *kept* when no finding touches it: the stored text must stay useful for the reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assist.feedback.recorder import BATCH as RECORDER_BATCH
from assist.feedback.redaction import Finding, Kind, find_pii, find_pii_all

K = TypeVar("K")
REMOVED = 0.9  # of a value's letters and digits covered by findings


class LabelledSpan(BaseModel):
    """One labelled PII value, an exact substring of its utterance."""

    model_config = ConfigDict(extra="forbid")
    type: Kind
    value: str


class Utterance(BaseModel):
    """One line of the labelled file: a text, the PII in it, and ordinary values that must stay readable."""

    model_config = ConfigDict(extra="forbid")
    text: str
    pii: list[LabelledSpan]
    keep: list[str] = []

    @model_validator(mode="after")
    def _values_in_text(self) -> Utterance:
        for value in [span.value for span in self.pii] + self.keep:
            if value not in self.text:
                raise ValueError(f"value {value!r} is not in the text")
        return self


@dataclass(frozen=True)
class Miss:
    """A labelled value left readable, a finding no label asked for, or a keep value redacted."""

    text: str
    kind: Kind | None
    value: str


@dataclass
class KindCounts:
    """Labelled values (support) and how many were removed; true and false positive findings of this kind."""

    support: int = 0
    removed: int = 0
    tp: int = 0
    fp: int = 0


def _rates(support: int, removed: int, tp: int, fp: int) -> dict[str, float]:
    return {"recall": removed / support if support else 1.0, "precision": tp / (tp + fp) if tp + fp else 1.0,
            "support": support}


@dataclass
class PiiScores:
    """Per-kind counts over a labelled file, the keep values, and the misses and false alarms for reading."""

    counts: dict[Kind, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in Kind})
    keep_support: int = 0
    kept: int = 0
    seconds: float = 0.0
    utterances: int = 0
    misses: list[Miss] = field(default_factory=list)
    false_alarms: list[Miss] = field(default_factory=list)
    redacted_keeps: list[Miss] = field(default_factory=list)

    def add(self, utterance: Utterance, findings: list[Finding]) -> None:
        """Score the findings for one utterance against its labels."""
        text = utterance.text
        labels = _spans(text, [(span.type, span.value) for span in utterance.pii])
        for kind, start, end in labels:
            counts = self.counts[kind]
            counts.support += 1
            if _covered(text, start, end, findings) >= REMOVED:
                counts.removed += 1
            else:
                self.misses.append(Miss(text, kind, text[start:end]))
        for f in findings:
            if any(f.overlaps(start, end) for _, start, end in labels):
                self.counts[f.kind].tp += 1
            else:
                self.counts[f.kind].fp += 1
                self.false_alarms.append(Miss(text, f.kind, text[f.start : f.end]))
        for _, start, end in _spans(text, [(None, value) for value in utterance.keep]):
            self.keep_support += 1
            if any(f.overlaps(start, end) for f in findings):
                self.redacted_keeps.append(Miss(text, None, text[start:end]))
            else:
                self.kept += 1

    def summary(self) -> dict[str, dict[str, float]]:
        """Recall (removed at rest), precision and support per kind and `overall`; `kept`; ms per utterance."""
        result = {str(kind): _rates(c.support, c.removed, c.tp, c.fp) for kind, c in self.counts.items()}
        totals = [sum(getattr(c, name) for c in self.counts.values()) for name in ("support", "removed", "tp", "fp")]
        result["overall"] = _rates(*totals)
        result["kept"] = {"rate": self.kept / self.keep_support if self.keep_support else 1.0,
                          "support": self.keep_support}
        result["cost"] = {"ms_per_utterance": 1000 * self.seconds / max(self.utterances, 1)}
        return result


def _covered(text: str, start: int, end: int, findings: list[Finding]) -> float:
    """The share of `text[start:end]`'s letters and digits inside findings."""
    places = [i for i in range(start, end) if text[i].isalnum()]
    if not places:
        return 1.0
    return sum(1 for i in places if any(f.start <= i < f.end for f in findings)) / len(places)


def _spans(text: str, values: list[tuple[K, str]]) -> list[tuple[K, int, int]]:
    """Where each value lies; a value listed twice is looked for again after its first place."""
    spans, searched_from = [], dict[str, int]()
    for kind, value in values:
        start = text.find(value, searched_from.get(value, 0))
        if start < 0:  # listed more often than it occurs: count it where it first is
            start = text.find(value)
        searched_from[value] = start + 1
        spans.append((kind, start, start + len(value)))
    return spans


def read_utterances(path: Path) -> list[Utterance]:
    """Read a labelled JSONL file; a bad line is an error naming path:line."""
    utterances = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            utterances.append(Utterance.model_validate_json(line))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"{path}:{number}: {problems}") from exc
    return utterances


def score_pii(path: Path) -> PiiScores:
    """Run PII detection over a labelled file and count what it removed, missed, raised wrongly and kept."""
    scores = PiiScores()
    utterances = read_utterances(path)
    find_pii("warm up")  # the model's one-off load is not a per-utterance cost
    started = time.perf_counter()  # in the recorder's batches, as a server redacts
    for first in range(0, len(utterances), RECORDER_BATCH):
        batch = utterances[first : first + RECORDER_BATCH]
        for utterance, findings in zip(batch, find_pii_all([u.text for u in batch], [None] * len(batch)),
                                       strict=True):
            scores.add(utterance, findings)
    scores.seconds, scores.utterances = time.perf_counter() - started, len(utterances)
    return scores
