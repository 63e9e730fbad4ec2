"""An article's front matter read as a schema: each field's own message on its line, unknown fields kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from assist.errors import ArticleError
from assist.knowledge.frontmatter import KNOWN_FIELDS, OPENING_LINE, field_line, read_front_matter


def test_read_front_matter_keeps_unknown_fields_and_places_every_field() -> None:
    article = read_front_matter("---\n# note\nid: a\ntitle: A\nregion: north\n---\nBody.\n", Path("a.md"))
    assert article.front.model.model_extra == {"region": "north"}
    assert article.front.line(("title",)) == 4
    assert (article.body, article.body_line) == ("Body.\n", 7)


def test_a_missing_field_is_reported_on_the_opening_line_and_a_bad_one_on_its_own() -> None:
    with pytest.raises(ArticleError) as raised:
        read_front_matter("---\n\nid: a b\ntags: [x, 1]\n---\n", Path("a.md"))
    assert [(p.line, p.message.split(" ")[0]) for p in raised.value.problems] == [
        (OPENING_LINE, "missing"), (3, "id"), (4, "'tags'")]


def test_field_line_finds_a_field_of_an_article_file_and_falls_back_when_it_cannot_read_it(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nid: a\n\ntitle: A\nsteps: [greet]\n---\n")
    assert (field_line(path, "title"), field_line(path, "steps")) == (4, 5)
    assert field_line(tmp_path / "missing.md", "title") == 2


def test_known_fields_are_the_fields_of_the_schema() -> None:
    assert {"id", "title", "status", "steps", "use_when", "asked_as", "outside"} <= KNOWN_FIELDS
    assert "id_form" not in KNOWN_FIELDS
