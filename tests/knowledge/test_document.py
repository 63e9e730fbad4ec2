"""Policy files read against their schema: every problem as `path:line: field: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.knowledge.document import SHOWN_CHARS, read_document
from assist.policy.files.schema import MomentsFile, PolicyFile
from assist.policy.files.vocabulary import VocabularyFile


def _problems(tmp_path: Path, text: str, schema: type[VocabularyFile | PolicyFile | MomentsFile]) -> list[str]:
    path = tmp_path / "file.yaml"
    path.write_text(text)
    document, problems = read_document(path, schema)
    assert (document is None) == any(p.severity == "error" for p in problems)
    return [str(p).replace(f"{tmp_path}/", "") for p in problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("segments: [gold, 5]\n", "file.yaml:1: segments[1]: must be text, not 5"),
        ("colour: blue\n", "file.yaml:1: colour: unknown key"),
        ("facts:\n  age: {type: int, ask: 7}\n", "file.yaml:2: facts.age.ask: must be text, not 7"),
        ("actions:\n  refund: {keywords: [money]}\n", "file.yaml:2: actions.refund.label: required field is missing"),
        ("steps:\n  greet: '  '\n", "file.yaml:2: steps.greet.label: must not be empty"),
        ("- a\n- b\n", "file.yaml:1: must be a mapping, not ['a', 'b']"),
    ],
)
def test_vocabulary_problem_names_line_field_and_fault(tmp_path: Path, text: str, expected: str) -> None:
    assert _problems(tmp_path, text, VocabularyFile) == [expected]


def test_an_empty_file_is_an_empty_mapping(tmp_path: Path) -> None:
    assert _problems(tmp_path, "", VocabularyFile) == []
    assert _problems(tmp_path, "# nothing yet\n", PolicyFile) == ["file.yaml:1: rules: required field is missing"]


def test_a_long_wrong_value_is_quoted_shortened(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, f"currency: [{', '.join(['USD'] * 40)}]\n", VocabularyFile)
    quoted = problem.removeprefix("file.yaml:1: currency: must be text, not ")
    assert len(quoted) == SHOWN_CHARS and quoted.endswith("…")


def test_a_yaml_problem_comes_alone_without_schema_problems(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "segments: [gold\n", VocabularyFile)
    assert len(problems) == 1 and problems[0].startswith("file.yaml:2: bad YAML")


def test_a_key_written_twice_is_reported_beside_a_valid_document(tmp_path: Path) -> None:
    path = tmp_path / "file.yaml"
    path.write_text("currency: USD\ncurrency: EUR\n")
    document, problems = read_document(path, VocabularyFile)
    assert document is not None and document.model.currency == "EUR"
    assert [str(p) for p in problems] == [f"{path}:2: duplicate key 'currency'"]


def test_every_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = "moments:\n  - id: a\n    kind: party\n    label: x\n    cues: []\n  - {id: b, kind: life-event}\n"
    assert _problems(tmp_path, text, MomentsFile) == [
        "file.yaml:3: moments[0].kind: must be 'life-event' or 'failed-promise', not 'party'",
        "file.yaml:5: moments[0].cues: must not be empty",
        "file.yaml:6: moments[1].label: required field is missing",
        "file.yaml:6: moments[1].cues: required field is missing",
    ]
