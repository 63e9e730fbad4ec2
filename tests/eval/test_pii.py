from __future__ import annotations

from pathlib import Path

import pytest

from assist.feedback.redaction import Kind
from assist_eval.pii import Miss, score_pii

DATA = Path(__file__).resolve().parents[1] / "data" / "pii_utterances.jsonl"


# The file labels six kinds; names, dates of birth and account numbers in it are not labelled, so precision is
# read for the six kinds it does label.
LABELLED = ("EMAIL", "PHONE", "CARD", "SSN", "IBAN", "ADDRESS")


def test_score_pii_on_the_labelled_utterances_meets_the_targets() -> None:
    summary = score_pii(DATA).summary()
    for kind in LABELLED:
        assert summary[kind]["recall"] >= 0.98, (kind, summary[kind])
        assert summary[kind]["precision"] >= 0.95, (kind, summary[kind])


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
    assert (scores.counts[Kind.EMAIL].support, scores.counts[Kind.EMAIL].removed, scores.counts[Kind.EMAIL].tp) == (
        1, 1, 1)
    # a phone number labelled SSN is still gone at rest: removed, and the PHONE finding is a true positive
    assert (scores.counts[Kind.SSN].support, scores.counts[Kind.SSN].removed) == (1, 1)
    assert (scores.counts[Kind.PHONE].tp, scores.counts[Kind.PHONE].fp) == (1, 0)
    assert Miss("nothing here", Kind.ADDRESS, "here") in scores.misses
    summary = scores.summary()
    assert summary["EMAIL"] == {"recall": 1.0, "precision": 1.0, "support": 1}
    assert summary["overall"] == {"recall": 2 / 3, "precision": 1.0, "support": 3}


def test_score_pii_counts_a_keep_value_a_finding_touches_as_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "pii.jsonl"
    path.write_text('{"text": "order 4471203 to ann@example.org", "pii": [{"type": "EMAIL", "value": '
                    '"ann@example.org"}], "keep": ["4471203"]}\n'
                    '{"text": "card 4111 1111 1111 1111", "pii": [], "keep": ["4111 1111 1111 1111"]}\n',
                    encoding="utf-8")
    scores = score_pii(path)
    assert (scores.kept, scores.keep_support) == (1, 2)
    assert [m.value for m in scores.redacted_keeps] == ["4111 1111 1111 1111"]
    assert scores.summary()["kept"] == {"rate": 0.5, "support": 2}


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
