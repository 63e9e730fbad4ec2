"""The PII benchmark: recall and precision of redaction's findings, per kind, on labelled utterances.

A labelled span is found when a finding of the same kind overlaps it; a finding is a true positive when it
overlaps a labelled span of its kind, and a false positive otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assist.feedback.redaction import Finding, Kind, find_pii


class LabelledSpan(BaseModel):
    """One labelled PII value, an exact substring of its utterance."""

    model_config = ConfigDict(extra="forbid")
    type: Kind
    value: str


class Utterance(BaseModel):
    """One line of the labelled file: a text and the PII in it."""

    model_config = ConfigDict(extra="forbid")
    text: str
    pii: list[LabelledSpan]

    @model_validator(mode="after")
    def _values_in_text(self) -> Utterance:
        for span in self.pii:
            if span.value not in self.text:
                raise ValueError(f"value {span.value!r} is not in the text")
        return self


@dataclass(frozen=True)
class Miss:
    """A labelled value no finding of its kind overlapped, or a finding no label of its kind did."""

    text: str
    kind: Kind
    value: str


@dataclass
class KindCounts:
    """Labelled spans (support), true and false positive findings, and missed labels for one kind."""

    support: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0


def _rates(support: int, tp: int, fp: int, fn: int) -> dict[str, float]:
    recall = (support - fn) / support if support else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return {"recall": recall, "precision": precision, "support": support}


@dataclass
class PiiScores:
    """Per-kind counts over a labelled file, with the misses and false alarms for reading."""

    counts: dict[Kind, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in Kind})
    misses: list[Miss] = field(default_factory=list)
    false_alarms: list[Miss] = field(default_factory=list)

    def add(self, utterance: Utterance, findings: list[Finding]) -> None:
        """Score the findings for one utterance against its labels."""
        labels = _label_spans(utterance)
        for kind, start, end in labels:
            counts = self.counts[kind]
            counts.support += 1
            if not any(f.kind == kind and f.start < end and start < f.end for f in findings):
                counts.fn += 1
                self.misses.append(Miss(utterance.text, kind, utterance.text[start:end]))
        for f in findings:
            if any(kind == f.kind and start < f.end and f.start < end for kind, start, end in labels):
                self.counts[f.kind].tp += 1
            else:
                self.counts[f.kind].fp += 1
                self.false_alarms.append(Miss(utterance.text, f.kind, utterance.text[f.start : f.end]))

    def summary(self) -> dict[str, dict[str, float]]:
        """Recall, precision and support per kind, and over all kinds as `overall`."""
        result = {str(kind): _rates(c.support, c.tp, c.fp, c.fn) for kind, c in self.counts.items()}
        totals = [sum(getattr(c, name) for c in self.counts.values()) for name in ("support", "tp", "fp", "fn")]
        result["overall"] = _rates(*totals)
        return result


def _label_spans(utterance: Utterance) -> list[tuple[Kind, int, int]]:
    """Where each label lies; a value labelled twice is looked for again after its first place."""
    spans, searched_from = [], dict[str, int]()
    for label in utterance.pii:
        start = utterance.text.find(label.value, searched_from.get(label.value, 0))
        if start < 0:  # labelled more often than it occurs: count it where it first is
            start = utterance.text.find(label.value)
        searched_from[label.value] = start + 1
        spans.append((label.type, start, start + len(label.value)))
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
    """Run PII detection over a labelled file and count what it found, missed and raised wrongly."""
    scores = PiiScores()
    for utterance in read_utterances(path):
        scores.add(utterance, find_pii(utterance.text))
    return scores
