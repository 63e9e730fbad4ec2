from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assist.articles import load_catalog, parse_article
from assist.errors import ArticleError

from .conftest import DATA, FIXTURE_KB

BAD = DATA / "bad"


def test_parse_article_reads_known_fields_and_keeps_unknown_ones_as_metadata() -> None:
    article = parse_article(FIXTURE_KB / "license-renewal.md")
    assert article.id == "license-renewal"
    assert article.domain == "dmv"
    assert article.status == "published"
    assert article.metadata == {"region": "north"}
    assert article.body.lstrip().startswith("You can renew")


def test_parse_article_reads_steps_segments_and_dates() -> None:
    steps = parse_article(FIXTURE_KB / "returns-stain.md").steps
    assert steps == ("pull-up-account", "validate-purchase", "membership")
    assert parse_article(FIXTURE_KB / "gold-lounge.md").segments == ("gold",)
    sale = parse_article(FIXTURE_KB / "expired-sale.md")
    assert sale.effective_until == dt.date(2020, 8, 31)
    assert not sale.is_live(dt.date(2026, 1, 1))
    assert sale.is_live(dt.date(2020, 7, 1))


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("no-title.md", 1, "missing or empty required field 'title'"),
        ("bad-yaml.md", 4, "bad YAML"),
        ("bad-date.md", 5, "bad date in 'effective_from'"),
        ("bad-status.md", 4, "unknown status 'live'"),
    ],
)
def test_parse_article_reports_problem_with_path_and_line(name: str, line: int, fragment: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(BAD / name)
    problem = caught.value.problems[0]
    assert (problem.path, problem.line) == (BAD / name, line)
    assert fragment in problem.message
    assert str(problem).startswith(f"{BAD / name}:{line}: ")


def test_parse_article_without_front_matter_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# Just a heading\n")
    with pytest.raises(ArticleError, match="missing front matter"):
        parse_article(path)


def test_load_catalog_skips_bad_articles_and_keeps_the_rest() -> None:
    catalog = load_catalog(BAD)
    assert sorted(a.id for a in catalog.articles) == ["good", "same-id"]
    messages = [str(p) for p in catalog.problems]
    assert len(messages) == 5
    assert any("dup-b.md:2: duplicate id 'same-id'" in m for m in messages)


def test_load_catalog_of_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")


def test_bundled_retail_knowledge_base_is_valid() -> None:
    catalog = load_catalog(Path(__file__).parents[1] / "knowledge")
    assert catalog.problems == ()
    assert len(catalog.articles) >= 59
