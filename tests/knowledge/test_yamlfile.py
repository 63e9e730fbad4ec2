"""The line-aware YAML reader: refusing anchors and aliases (an alias bomb cannot hang it), and placing problems."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assist.errors import Problem
from assist.knowledge.yamlfile import locate, parse_yaml, plain, problem_at, read_yaml
from tests.conftest import DATA

BOMB = DATA / "bombs" / "policy-alias-bomb.yaml"


def _finishes(work: Callable[[], Any], seconds: float = 60) -> Any:
    """Run `work` in a daemon thread; a hang fails the test instead of the whole run."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    return result[0]


def test_read_yaml_refuses_an_alias_bomb_at_the_first_anchor_line() -> None:
    data, problems = _finishes(lambda: read_yaml(BOMB))
    assert data is None
    assert problems == [Problem(BOMB, 2, "YAML anchors and aliases are not allowed in policy files "
                                         "(found anchor &a; write the value out)")]


def test_read_yaml_refuses_a_merge_key_alias_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: a\n    <<: *defaults\n")
    _, problems = read_yaml(path)
    assert [(p.line, p.message) for p in problems] == [
        (3, "YAML anchors and aliases are not allowed in policy files (found alias *defaults; write the value out)")
    ]


def test_read_yaml_reports_deep_nesting_as_a_problem_instead_of_crashing(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: " + "[" * 5000 + "\n")
    data, problems = read_yaml(path)
    assert data is None
    assert [str(p) for p in problems] == [f"{path}:1: bad YAML: nested too deeply"]


def test_read_yaml_still_reads_plain_mappings_and_inline_merge_keys(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("a: 1\nb:\n  <<: {c: 2}\n  d: 3\n")
    data, problems = read_yaml(path)
    assert (data, problems) == ({"a": 1, "b": {"c": 2, "d": 3}}, [])


SAMPLE = """\
area: returns
rules:
  - id: a
    when:
      purchase_age_days: {at_most: 30}
      has_receipt: [true, "yes"]
  - id: b
    segment: [gold, silver]
"""


def _sample(tmp_path: Path) -> Any:
    path = tmp_path / "returns.yaml"
    path.write_text(SAMPLE)
    data, problems = read_yaml(path)
    assert problems == []
    return data


@pytest.mark.parametrize(
    ("location", "line", "field"),
    [
        (("area",), 1, "area"),
        (("rules", 0, "when", "purchase_age_days", "at_most"), 5, "rules[0].when.purchase_age_days.at_most"),
        (("rules", 1, "segment", 1), 8, "rules[1].segment[1]"),
        (("rules", 1, "decision"), 7, "rules[1].decision"),  # a missing key: named, on the line of its mapping
        (("rules", 0, "when", "has_receipt", "one_of", 1), 6, "rules[0].when.has_receipt[1]"),  # shorthand list
        ((), 1, ""),
    ],
)
def test_locate_follows_a_location_to_its_line_and_names_the_field(
    tmp_path: Path, location: tuple[str | int, ...], line: int, field: str
) -> None:
    assert locate(_sample(tmp_path), location) == (line, field)


def test_locate_leaves_out_a_step_the_document_lacks_unless_it_is_the_last(tmp_path: Path) -> None:
    data = _sample(tmp_path)
    assert locate(data, ("rules", "function-after", 1, "segment")) == (8, "rules[1].segment")


def test_problem_at_writes_path_line_field_and_message(tmp_path: Path) -> None:
    problem = problem_at(_sample(tmp_path), Path("returns.yaml"), ("rules", 1, "id"), "duplicate rule id 'b'")
    assert str(problem) == "returns.yaml:7: rules[1].id: duplicate rule id 'b'"


def test_parse_yaml_numbers_lines_from_where_the_text_starts_in_its_file() -> None:
    data, problems = parse_yaml("id: x\ntags: [a, b]\n", Path("a.md"), first_line=2, kind="front matter")
    assert problems == []
    assert (data.key_lines, data["tags"].item_lines) == ({"id": 2, "tags": 3}, [3, 3])


def test_parse_yaml_leaves_dates_as_text_for_the_one_date_parser() -> None:
    data, _ = parse_yaml("effective_from: 2026-01-31\n", Path("a.yaml"))
    assert data == {"effective_from": "2026-01-31"}


def test_plain_turns_lined_containers_into_plain_ones(tmp_path: Path) -> None:
    copy = plain(_sample(tmp_path))
    assert copy == _sample(tmp_path)
    assert type(copy) is dict and type(copy["rules"]) is list and type(copy["rules"][0]) is dict
