"""Reading a policy directory: serving builds the engine's objects only; a build and `assist check` also check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assist.errors import PolicyError
from assist.index.build import build_index
from assist.index.embedder import Embedder
from assist.knowledge.articles import load_catalog
from assist.policy.files import directory
from assist.policy.files.directory import check_policies, load_policies, verify_policies
from tests.conftest import FIXTURE_KB, KNOWLEDGE

BAD_ACTION = "action: return_item", "action: refund_everything"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """The bundled knowledge base, free to damage."""
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    return root


def _break(root: Path, file: str, old: str, new: str) -> None:
    path = root / "policies" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_serving_load_runs_none_of_the_editor_checks(knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = load_catalog(knowledge / "retail").by_id()
    expected = verify_policies(knowledge / "policies", articles)

    def refuse(*args: object) -> list[object]:
        raise AssertionError("an editor check ran while loading for serving")

    for check in ("reference_problems", "rule_problems", "article_problems"):
        monkeypatch.setattr(directory, check, refuse)
    assert load_policies(knowledge / "policies", articles) == expected


def test_an_unknown_name_stops_a_build_but_not_a_serving_load(knowledge: Path) -> None:
    _break(knowledge, "returns.yaml", *BAD_ACTION)
    articles = load_catalog(knowledge / "retail").by_id()
    with pytest.raises(PolicyError, match=r"returns.yaml:14: rules\[0\].action: unknown action 'refund_everything'"):
        verify_policies(knowledge / "policies", articles)
    assert "refund_everything" in {r.action for r in load_policies(knowledge / "policies", articles).rules}


def test_a_schema_error_stops_a_serving_load(knowledge: Path) -> None:
    _break(knowledge, "returns.yaml", "priority: 10", "priority: high")
    with pytest.raises(PolicyError, match=r"returns.yaml:17: rules\[0\].priority: must be a whole number, not 'high'"):
        load_policies(knowledge / "policies", {})


def test_check_reports_what_verify_refuses_and_the_warnings_beside(knowledge: Path) -> None:
    _break(knowledge, "returns.yaml", *BAD_ACTION)
    _break(knowledge, "returns.yaml", "  issues: [return", "  tags: [no-such-tag]\n  issues: [return")
    problems = check_policies(knowledge / "policies", load_catalog(knowledge / "retail").by_id())
    assert [(p.line, p.severity, p.message.split(":")[0]) for p in problems] == [
        (7, "warning", "applies_to.tags[0]"),
        (15, "error", "rules[0].action"),
    ]


def test_a_build_refuses_a_policy_error_that_only_the_editor_checks_find(
    tmp_path: Path, embedder: Embedder
) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, root)
    (root / "policies").mkdir()
    (root / "policies" / "vocabulary.yaml").write_text("actions: {refund: Refund}\n")
    (root / "policies" / "refunds.yaml").write_text(
        "rules:\n  - {id: r, action: refund_all, decision: allowed, explanation: Yes., applies_to: {issues: [x]}}\n"
    )
    with pytest.raises(PolicyError, match=r"refunds.yaml:2: rules\[0\].action: unknown action 'refund_all'"):
        build_index(load_catalog(root), embedder, tmp_path / "indexes")
    assert not (tmp_path / "indexes").exists() or not any((tmp_path / "indexes").iterdir())
