from __future__ import annotations

from pathlib import Path

import pytest

from assist.eval.pii import Miss, score_pii
from assist.feedback.redaction import Kind

DATA = Path(__file__).resolve().parents[1] / "data" / "pii_utterances.jsonl"


def test_score_pii_on_the_labelled_utterances_meets_the_targets() -> None:
    summary = score_pii(DATA).summary()
    for kind in ("CARD", "EMAIL", "PHONE"):
        assert summary[kind]["recall"] >= 0.98, (kind, summary[kind])
    assert summary["overall"]["precision"] >= 0.95, summary["overall"]


def test_score_pii_counts_hits_misses_and_false_alarms_per_kind(tmp_path: Path) -> None:
    path = tmp_path / "pii.jsonl"
    path.write_text(
        '{"text": "mail ann@example.org or call 212-555-0100", "pii": ['
        '{"type": "EMAIL", "value": "ann@example.org"}, {"type": "SSN", "value": "212-555-0100"}]}\n'
        "\n"
        '{"text": "nothing here", "pii": [{"type": "ADDRESS", "value": "here"}]}\n',
        encoding="utf-8",
    )
    scores = score_pii(path)
    assert (scores.counts[Kind.EMAIL].support, scores.counts[Kind.EMAIL].tp) == (1, 1)
    assert (scores.counts[Kind.SSN].support, scores.counts[Kind.SSN].fn) == (1, 1)
    assert scores.counts[Kind.PHONE].fp == 1
    assert Miss("nothing here", Kind.ADDRESS, "here") in scores.misses
    summary = scores.summary()
    assert summary["EMAIL"] == {"recall": 1.0, "precision": 1.0, "support": 1}
    assert summary["PHONE"]["precision"] == 0.0
    assert summary["overall"] == {"recall": 1 / 3, "precision": 0.5, "support": 3}


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '{"text": "hi", "pii": [{"type": "NAME", "value": "hi"}]}',
        '{"text": "hi", "pii": [{"type": "EMAIL", "value": "bye"}]}',
        '{"text": "hi"}',
    ],
)
def test_score_pii_names_the_path_and_line_of_a_bad_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "pii.jsonl"
    path.write_text('{"text": "fine", "pii": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{path}:2: "):
        score_pii(path)
