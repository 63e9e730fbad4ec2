from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from assist.errors import ArticleError
from assist.knowledge.articles import load_catalog, parse_article
from assist.knowledge.frontmatter import MAX_FRONT_MATTER_FIELDS
from tests.conftest import DATA, FIXTURE_KB, KNOWLEDGE, ROOT

BAD = DATA / "bad"
DUP = DATA / "dup"
BOMBS = DATA / "bombs"


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
        ("bad-date.md", 5, "bad date in 'effective_from': '2024-13-45' (expected YYYY-MM-DD)"),
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
    assert [a.id for a in catalog.articles] == ["good"]
    assert len(catalog.problems) == 4
    assert catalog.conflicts == ()


def test_load_catalog_of_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")


def test_bundled_retail_knowledge_base_is_valid() -> None:
    catalog = load_catalog(KNOWLEDGE)
    assert catalog.problems == () and catalog.conflicts == ()
    assert len(catalog.articles) >= 59


def test_load_catalog_reports_an_id_used_in_two_folders_as_a_conflict_naming_both_paths() -> None:
    catalog = load_catalog(DUP)
    assert catalog.problems == ()
    [conflict] = catalog.conflicts
    assert str(conflict) == (f"{DUP / 'retail' / 'dup-a.md'}:2: duplicate id 'same-id': "
                             f"also the id of {DUP / 'archive' / 'dup-b.md'}:2")
    with pytest.raises(ArticleError, match="duplicate id 'same-id'"):
        catalog.require_unique_ids()


def test_parse_article_refuses_an_alias_bomb_in_front_matter_at_the_first_anchor_line() -> None:
    path = BOMBS / "article-alias-bomb.md"
    with pytest.raises(ArticleError) as caught:
        parse_article(path)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == (path, 4)
    assert "YAML anchors and aliases are not allowed in front matter (found anchor &a" in problem.message


@pytest.mark.parametrize(
    ("front", "line", "found"),
    [
        ("id: x\ntitle: X\nbase: &b {a: 1}\n", 4, "anchor &b"),
        ("id: x\ntitle: X\nextra:\n  <<: *b\n", 5, "alias *b"),
    ],
)
def test_parse_article_refuses_any_anchor_or_alias_including_merge_keys(front: str, line: int, found: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(Path("a.md"), f"---\n{front}---\nBody.\n")
    [problem] = caught.value.problems
    assert problem.line == line
    assert f"not allowed in front matter (found {found};" in problem.message


def test_load_catalog_skips_the_alias_bomb_and_keeps_the_good_articles(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE_KB, tmp_path / "kb")
    shutil.copy(BOMBS / "article-alias-bomb.md", tmp_path / "kb" / "article-alias-bomb.md")
    catalog = load_catalog(tmp_path / "kb")
    assert "article-alias-bomb" not in catalog.by_id()
    assert len(catalog.articles) == len(load_catalog(FIXTURE_KB).articles)
    assert [str(p).split(": ", 1)[0] for p in catalog.problems] == [f"{tmp_path / 'kb' / 'article-alias-bomb.md'}:4"]


def test_parse_article_refuses_more_front_matter_fields_than_the_limit_at_the_first_extra_one() -> None:
    fields = "".join(f"field{n}: {n}\n" for n in range(MAX_FRONT_MATTER_FIELDS))
    with pytest.raises(ArticleError) as caught:
        parse_article(Path("a.md"), f"---\nid: x\ntitle: X\n{fields}---\nBody.\n")
    [problem] = caught.value.problems
    assert problem.line == MAX_FRONT_MATTER_FIELDS + 2
    assert f"front matter has {MAX_FRONT_MATTER_FIELDS + 2} fields, over the limit of 64" in problem.message


def test_parse_article_refuses_front_matter_over_16_kib() -> None:
    with pytest.raises(ArticleError, match=r"a.md:2: front matter is 20,0\d\d bytes, over the limit of 16,384"):
        parse_article(Path("a.md"), f"---\nid: x\ntitle: X\nnote: {'n' * 20_000}\n---\nBody.\n")


def test_parse_article_reports_deeply_nested_front_matter_instead_of_crashing() -> None:
    with pytest.raises(ArticleError, match="nested too deeply"):
        parse_article(Path("a.md"), f"---\nid: x\ntitle: X\nnote: {'[' * 5000}\n---\nBody.\n")


@pytest.mark.parametrize(
    "written",
    ['"../../etc/passwd"', '".."', '"a..b"', '"a/b"', '"a\\0b"', '"a\\nb"', '"a b"', '"-lead"', '".hidden"',
     "x" * 129],
)
def test_parse_article_refuses_an_id_that_is_not_a_slug_at_the_id_line(written: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(Path("a.md"), f"---\ntitle: X\nid: {written}\n---\nBody.\n")
    [problem] = caught.value.problems
    assert problem.line == 3
    assert "is not a slug" in problem.message


@pytest.mark.parametrize("slug", ["a", "faq-membership", "dmv_1.2-renewal", "X" * 128])
def test_parse_article_accepts_slug_ids(slug: str) -> None:
    assert parse_article(Path("a.md"), f"---\nid: {slug}\ntitle: X\n---\nBody.\n").id == slug


def test_doc2dial_benchmark_ids_are_all_slugs() -> None:
    bench = ROOT.parent / "shared" / "bench" / "doc2dial" / "knowledge"  # ../shared
    if not bench.is_dir():
        pytest.skip("the Doc2Dial benchmark is not on this machine")
    catalog = load_catalog(bench)
    assert catalog.problems == () and catalog.conflicts == ()
    assert len(catalog.articles) > 200


def test_load_catalog_skips_an_article_over_the_size_limit_naming_size_limit_and_setting(tmp_path: Path) -> None:
    (tmp_path / "small.md").write_text("---\nid: small\ntitle: Small\n---\nShort.\n")
    big = tmp_path / "big.md"
    big.write_text("---\nid: big\ntitle: Big\n---\n" + "word " * 1000)
    catalog = load_catalog(tmp_path, max_article_bytes=2048)
    assert [a.id for a in catalog.articles] == ["small"]
    [problem] = catalog.problems
    size = big.stat().st_size
    assert str(problem) == (f"{big}:1: article is {size:,} bytes, over the limit of 2,048 "
                            "(setting max_article_bytes, ASSIST_MAX_ARTICLE_BYTES)")


def test_load_catalog_skips_a_link_out_of_the_tree_with_a_warning_and_keeps_links_inside(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("---\nid: secret\ntitle: Secret\n---\nNot for agents.\n")
    root = tmp_path / "knowledge"
    (root / "retail").mkdir(parents=True)
    (root / "retail" / "leak.md").symlink_to(secret)
    (root / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    (root / "notes").mkdir()
    (root / "notes" / "kept.txt").write_text("---\nid: kept\ntitle: Kept\n---\nInside the tree.\n")
    (root / "retail" / "kept.md").symlink_to(root / "notes" / "kept.txt")
    catalog = load_catalog(root)
    assert [a.id for a in catalog.articles] == ["kept"]
    folder, warning = catalog.problems
    assert (folder.path, folder.severity) == (root / "linked-folder", "warning")
    assert "linked directory" in folder.message
    assert (warning.path, warning.severity) == (root / "retail" / "leak.md", "warning")
    assert str(warning) == f"{root / 'retail' / 'leak.md'}:1: warning: links outside the knowledge tree ({root}); " \
                           "skipped, not read"


def test_outside_marks_what_customer_service_does_not_handle_and_must_be_a_bool(tmp_path: Path) -> None:
    assert parse_article(KNOWLEDGE / "retail" / "outside-customer-service.md").outside
    assert not parse_article(KNOWLEDGE / "retail" / "returns-wrong-size.md").outside
    path = tmp_path / "bad-outside.md"
    path.write_text("---\nid: jobs\ntitle: Jobs\noutside: sometimes\n---\nSee the careers page.\n")
    with pytest.raises(ArticleError) as caught:
        parse_article(path)
    problem = caught.value.problems[0]
    assert problem.line == 4 and problem.message.startswith("'outside' must be true or false")
