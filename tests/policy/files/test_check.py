"""`assist check` over a whole tree: what joins articles and policies (segments no policy declares)."""

from __future__ import annotations

import shutil
from pathlib import Path

from assist.policy.files.check import check_tree
from assist.settings import Settings
from tests.conftest import KNOWLEDGE


def test_an_article_for_a_segment_the_vocabulary_does_not_declare_is_flagged_at_its_field(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / "retail" / "platinum-lounge.md").write_text(
        "---\nid: platinum-lounge\ntitle: The platinum lounge\nsegments: [platinum, gold]\n---\n"
        "Platinum members may use the lounge in every flagship store.\n", encoding="utf-8")
    _, problems = check_tree(root, Settings(_env_file=None).max_article_bytes)  # type: ignore[call-arg]
    flagged = [p for p in problems if p.path.name == "platinum-lounge.md"]
    assert [(p.line, p.severity) for p in flagged] == [(4, "warning")]
    assert "'platinum'" in flagged[0].message and "'gold'" not in flagged[0].message


def test_the_bundled_knowledge_base_has_no_dead_link_or_unknown_segment() -> None:
    _, problems = check_tree(KNOWLEDGE, Settings(_env_file=None).max_article_bytes)  # type: ignore[call-arg]
    assert not [p for p in problems if "dead link" in p.message or "not declared in" in p.message]
