from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from assist.cli import app
from assist.index import versions

from .conftest import DATA, FIXTURE_KB

runner = CliRunner()


def test_check_prints_every_problem_as_path_line_message_and_exits_1() -> None:
    result = runner.invoke(app, ["check", str(DATA / "bad")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    bad_date = DATA / "bad" / "bad-date.md"
    assert f"{bad_date}:5: bad date in 'effective_from': '2024-13-45' (expected YYYY-MM-DD)" in lines
    assert sum(1 for line in lines if ".md:" in line and ": warning:" not in line) == 4
    assert f"{DATA / 'bad' / 'good.md'}:5: warning: no text an agent could read" in "\n".join(lines)


def test_check_of_a_valid_tree_exits_0() -> None:
    result = runner.invoke(app, ["check", str(FIXTURE_KB)])
    assert result.exit_code == 0, result.stdout


def test_index_build_publishes_a_version_and_skips_bad_articles(tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", "build", "--knowledge", str(DATA / "bad"), "--index-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert versions.current_version(tmp_path) in result.stdout
    assert "bad-date.md:5" in result.output


def _kb_with(tmp_path: Path, extra: Path, where: str) -> Path:
    """A copy of the fixture knowledge base with `extra` copied in at `where`."""
    knowledge = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, knowledge)
    (knowledge / where).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(extra, knowledge / where)
    return knowledge


def test_check_of_a_policy_alias_bomb_exits_1_promptly_naming_path_and_line(tmp_path: Path) -> None:
    knowledge = _kb_with(tmp_path, DATA / "bombs" / "policy-alias-bomb.yaml", "policies/returns.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSIST_")}
    result = subprocess.run([str(Path(sys.executable).parent / "assist"), "check", str(knowledge)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)  # a hang fails here
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"{knowledge / 'policies' / 'returns.yaml'}:2: YAML anchors and aliases are not allowed in policy files"
            in result.stdout)


def test_check_skips_an_article_alias_bomb_and_counts_the_good_articles(tmp_path: Path) -> None:
    knowledge = _kb_with(tmp_path, DATA / "bombs" / "article-alias-bomb.md", "retail/article-alias-bomb.md")
    result = runner.invoke(app, ["check", str(knowledge)])
    assert result.exit_code == 1
    assert (f"{knowledge / 'retail' / 'article-alias-bomb.md'}:4: YAML anchors and aliases are not allowed in front "
            "matter") in result.stdout
    assert f"{len(list(FIXTURE_KB.glob('*.md')))} articles ok, 1 errors" in result.stdout


def test_check_exits_1_on_an_id_used_in_two_folders(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(DATA / "dup")])
    assert result.exit_code == 1
    assert f"{DATA / 'dup' / 'retail' / 'dup-a.md'}:2: duplicate id 'same-id'" in result.stdout


def test_index_build_with_an_id_used_twice_prints_the_conflict_and_publishes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["index", "build", "--knowledge", str(DATA / "dup"), "--index-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"conflict: {DATA / 'dup' / 'retail' / 'dup-a.md'}:2: duplicate id 'same-id'" in result.output
    assert "index not built" in result.output
    assert versions.current_version(tmp_path) is None


def test_check_skips_an_article_over_assist_max_article_bytes(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_text("---\nid: big\ntitle: Big\n---\n" + "word " * 1000)
    result = runner.invoke(app, ["check", str(tmp_path)], env={"ASSIST_MAX_ARTICLE_BYTES": "2048"})
    assert result.exit_code == 1
    assert f"{tmp_path / 'big.md'}:1: article is 5,027 bytes, over the limit of 2,048 (setting max_article_bytes" in (
        result.stdout)
