"""The line-aware YAML reader of policy files: refusing anchors and aliases, so an alias bomb cannot hang it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assist.errors import Problem
from assist.knowledge.yamlfile import read_yaml
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
