from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assist.knowledge.articles import Article, load_catalog
from assist.knowledge.hygiene import (
    check_articles,
    hygiene_problems,
    near_duplicates,
    normal_title,
    readable,
    shingles,
)
from tests.conftest import DATA

DOC2DIAL = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "doc2dial" / "knowledge"

RETURNS = " ".join(f"returns{n}" for n in range(100))  # 100 words: 96 shingles of five
FOOTER = " ".join(f"footer{n}" for n in range(30))


def _write(root: Path, name: str, title: str, body: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nid: {path.stem}\ntitle: {title}\n---\n{body}", encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    _write(root, "retail/returns.md", "Returns", f"{RETURNS}\n")
    _write(root, "retail/returns-copy.md", "Returning an item", f"{RETURNS} Bring the receipt.\n")
    _write(root, "empty.md", "Empty", "")
    _write(root, "links-only.md", "Store hours", "# Store hours\n\n## Weekdays\n\n[See the store page](https://example.com)\n")
    _write(root, "shipping.md", "Shipping options", "Standard shipping takes five days; express takes two.\n")
    _write(root, "shipping-again.md", "shipping  Options!", "Orders over fifty dollars ship for free.\n")
    # Two distinct articles sharing a footer are not duplicates.
    _write(root, "gift-cards.md", "Gift cards", " ".join(f"gift{n}" for n in range(100)) + f"\n\n{FOOTER}\n")
    _write(root, "coupons.md", "Coupons", " ".join(f"coupon{n}" for n in range(100)) + f"\n\n{FOOTER}\n")
    _write(root, "faq.md", "FAQ", "# Questions\n\nCall us at [the help line](tel:555) any day of the week.\n")
    return root


def _article(name: str, body: str, title: str = "T") -> Article:
    return Article(id=name, title=title, body=body, path=Path("/kb") / f"{name}.md", body_line=5, content_hash="")


def test_hygiene_problems_reports_duplicates_unreadable_articles_and_title_collisions_exactly(tree: Path) -> None:
    problems = hygiene_problems(load_catalog(tree).articles)
    assert [(p.path.relative_to(tree).as_posix(), p.line, p.message, p.severity) for p in problems] == [
        ("empty.md", 5, "no text an agent could read: the body is empty or only headings, links and markup",
         "warning"),
        ("links-only.md", 5, "no text an agent could read: the body is empty or only headings, links and markup",
         "warning"),
        ("retail/returns.md", 1, "retail/returns-copy.md and retail/returns.md are 96 % the same; merge them or say "
                                 "how they differ", "warning"),
        ("shipping.md", 3, "title 'Shipping options' is also the title of shipping-again.md", "warning"),
    ]


def test_hygiene_problems_leaves_clean_articles_and_shared_boilerplate_alone(tree: Path) -> None:
    reported = {p.path.name for p in hygiene_problems(load_catalog(tree).articles)}
    assert reported.isdisjoint({"gift-cards.md", "coupons.md", "faq.md", "returns-copy.md", "shipping-again.md"})


def test_hygiene_problems_rejects_a_threshold_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match=r"got 1\.5"):
        hygiene_problems([], threshold=1.5)


def test_near_duplicates_reports_each_pair_once_on_the_later_article() -> None:
    articles = [_article("a", RETURNS), _article("b", RETURNS), _article("c", RETURNS)]
    problems = near_duplicates(articles)
    assert [(p.path.name, p.message.split(" are ")[0]) for p in problems] == [
        ("b.md", "a.md and b.md"), ("c.md", "a.md and c.md"), ("c.md", "b.md and c.md")]
    assert all("100 % the same" in p.message for p in problems)


def test_near_duplicates_ignores_articles_without_words() -> None:
    assert near_duplicates([_article("a", ""), _article("b", "  \n")]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcd"), max_size=14), min_size=2, max_size=8),
       st.sampled_from([0.3, 0.5, 0.8, 1.0]))
def test_near_duplicates_finds_exactly_the_pairs_a_full_comparison_finds(bodies: list[list[str]],
                                                                         threshold: float) -> None:
    articles = [_article(f"a{n}", " ".join(words)) for n, words in enumerate(bodies)]
    sets = [shingles(a.body) for a in articles]
    expected = {(f"a{i}.md", f"a{j}.md") for i, j in itertools.combinations(range(len(sets)), 2)
                if sets[i] and sets[j] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold}
    found = {tuple(p.message.split(" are ")[0].split(" and ")) for p in near_duplicates(articles, threshold)}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Refunds take five days.", True),
        ("[Refund policy](https://example.com/refunds)", False),
        ("# Refunds\n\nhttps://example.com/refunds", False),
        ("id: refunds\ntitle: Refunds\n---", False),
        ("<!-- TODO write this -->\n<br>", False),
        ("Coming soon!", False),
    ],
)
def test_readable_needs_words_outside_headings_links_and_markup(text: str, expected: bool) -> None:
    assert readable(text) is expected


def test_normal_title_ignores_case_spacing_and_punctuation() -> None:
    assert normal_title("  Shipping   OPTIONS! ") == normal_title("shipping options") == "shipping options"


def test_hygiene_problems_finds_the_27_copied_articles_of_doc2dial() -> None:
    if not DOC2DIAL.is_dir():
        pytest.skip(f"the Doc2Dial knowledge base is not at {DOC2DIAL}")
    problems = hygiene_problems(load_catalog(DOC2DIAL).articles)
    duplicates = [p for p in problems if "% the same" in p.message]
    assert len(duplicates) == 27
    assert all(p.path.stem.endswith("-2") for p in duplicates)  # each page's second copy, never two distinct pages
    assert not [p for p in problems if "no text" in p.message]


def test_routing_text_left_at_the_top_of_a_body_is_a_warning_naming_where_it_belongs() -> None:
    routed = _article("routed", "Use this article when a parcel is late. Customers usually put it as: 'late'.")
    clean = _article("clean", "The short answer: late parcels are refunded. Use this article's steps.", title="Late")
    problems = hygiene_problems([routed, clean])
    assert [(p.path.name, p.severity) for p in problems] == [("routed.md", "warning")]
    assert "use_when" in problems[0].message and "asked_as" in problems[0].message


def test_check_articles_gives_file_problems_then_the_hygiene_warnings() -> None:
    catalog, files, hygiene = check_articles(DATA / "bad", 1024 * 1024)
    assert [p.path.name for p in files] == [p.path.name for p in (*catalog.problems, *catalog.conflicts)]
    assert all(p.severity == "warning" for p in hygiene) and hygiene
