from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assist import storage
from assist.cli import app

from .conftest import DATA, FIXTURE_KB

runner = CliRunner()


def test_check_prints_every_problem_as_path_line_message_and_exits_1() -> None:
    result = runner.invoke(app, ["check", str(DATA / "bad")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    bad_date = DATA / "bad" / "bad-date.md"
    assert f"{bad_date}:5: bad date in 'effective_from': '2024-13-45' (expected YYYY-MM-DD)" in lines
    assert sum(1 for line in lines if ".md:" in line) == 5


def test_check_of_a_valid_tree_exits_0() -> None:
    result = runner.invoke(app, ["check", str(FIXTURE_KB)])
    assert result.exit_code == 0, result.stdout


def test_index_build_publishes_a_version_and_skips_bad_articles(tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", "build", "--knowledge", str(DATA / "bad"), "--index-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert storage.current_version(tmp_path) in result.stdout
    assert "bad-date.md:5" in result.output
