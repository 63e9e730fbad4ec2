from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from assist.knowledge.articles import article_paths, load_catalog, parse_article
from assist.knowledge.passages import split_article
from assist_eval.bench_corpus import copy_id, copy_text, is_prose, make_corpus, shuffle_sentences, split_sentences
from tests.conftest import ROOT

DOC2DIAL = ROOT.parent / "shared" / "bench" / "doc2dial" / "knowledge"  # ../shared
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
BODY = """Renewing a licence

You can renew online. It takes ten minutes! Do you have your old card? Bring it along.
# Fees
The fee is 30 dollars. Seniors pay less. Cash is not accepted
- a list item. It stays where it is.
Offices open at nine. They close at five.
"""


def _tree(root: Path, articles: int = 3) -> Path:
    for n in range(articles):
        folder = root / ("dmv" if n % 2 else "ssa")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"art-{n}.md").write_text(
            f'---\nid: art-{n}\ntitle: "Article {n}:"\ndomain: {folder.name}\nsource: "x#{n}"\n---\n\n{BODY}')
    return root


def _sentences(body: str, shape: str | None = None) -> Counter[str]:
    """The sentences of the prose lines of `body` (of the lines that are prose in `shape`, when given)."""
    prose = [is_prose(line) for line in (shape if shape is not None else body).split("\n")]
    return Counter(s for line, keep in zip(body.split("\n"), prose, strict=True) if keep
                   for s in split_sentences(line))


def test_copy_id_keeps_copy_zero_and_suffixes_the_others() -> None:
    assert copy_id("dmv-foo", 0) == "dmv-foo"
    assert copy_id("dmv-foo", 7) == "dmv-foo-c07"
    assert copy_id("dmv-foo", 123) == "dmv-foo-c123"


def test_shuffle_sentences_keeps_the_multiset_and_the_structure_lines() -> None:
    shuffled = shuffle_sentences(BODY, random.Random(1))
    assert _sentences(shuffled) == _sentences(BODY)
    assert shuffled != BODY
    lines, original = shuffled.split("\n"), BODY.split("\n")
    assert len(lines) == len(original)
    for line, before in zip(lines, original, strict=True):
        if not is_prose(before):
            assert line == before  # headings, list items and blank lines stay put


def test_shuffle_sentences_keeps_each_lines_unterminated_tail_at_its_end() -> None:
    shuffled = shuffle_sentences(BODY, random.Random(3)).split("\n")
    assert shuffled[0] == "Renewing a licence"
    assert shuffled[4].endswith(". Cash is not accepted")


def test_copy_text_is_deterministic_and_changes_only_the_id_in_front_matter() -> None:
    raw = '---\nid: art-1\ntitle: "T:"\ndomain: dmv\n---\n\n' + BODY
    first, again = copy_text(raw, "art-1", 2, seed=7), copy_text(raw, "art-1", 2, seed=7)
    assert first == again
    assert first.startswith('---\nid: art-1-c02\ntitle: "T:"\ndomain: dmv\n---\n')
    assert copy_text(raw, "art-1", 0, seed=7) == raw
    assert copy_text(raw, "art-1", 3, seed=7) != first


def test_make_corpus_writes_valid_unique_ids_and_keeps_copy_zero_intact(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src")
    corpus = make_corpus(source, tmp_path / "out", passages=25, target=100)
    catalog = load_catalog(tmp_path / "out")
    ids = [a.id for a in catalog.articles]
    assert catalog.problems == () and catalog.conflicts == ()
    assert len(ids) == len(set(ids)) == corpus.articles
    assert all(SLUG.fullmatch(i) for i in ids)
    for path in article_paths(source):
        assert (tmp_path / "out" / path.relative_to(source)).read_bytes() == path.read_bytes()
    copies = [a for a in catalog.articles if "-c" in a.id]
    assert copies and all(a.domain == ("dmv" if a.id.startswith("art-1") else "ssa") for a in copies)
    originals = {a.id: a for a in load_catalog(source).articles}
    for copy in copies:
        original = originals[copy.id.rpartition("-c")[0]]
        assert _sentences(copy.body, shape=original.body) == _sentences(original.body)


def test_make_corpus_stops_at_about_the_wanted_passages(tmp_path: Path) -> None:
    source = _tree(tmp_path / "src", articles=4)
    per_article = len(split_article(parse_article(article_paths(source)[0]), 100))
    corpus = make_corpus(source, tmp_path / "out", passages=50, target=100)
    counted = sum(len(split_article(a, 100)) for a in load_catalog(tmp_path / "out").articles)
    assert corpus.passages == counted
    assert 50 <= counted < 50 + per_article + 2  # stops within one article of the target
    assert corpus.copies > 1


def test_make_corpus_refuses_an_empty_source(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(ValueError, match="no articles"):
        make_corpus(tmp_path / "src", tmp_path / "out", passages=10)


def test_make_corpus_of_doc2dial_reaches_the_target_with_shuffled_copies(tmp_path: Path) -> None:
    if not DOC2DIAL.is_dir():
        pytest.skip("the Doc2Dial benchmark is not on this machine")
    corpus = make_corpus(DOC2DIAL, tmp_path / "out", passages=4000)
    catalog = load_catalog(tmp_path / "out")
    assert catalog.problems == () and catalog.conflicts == ()
    assert 4000 <= corpus.passages <= 4200 and corpus.copies == 2
    originals = {a.id: a for a in load_catalog(DOC2DIAL).articles}
    copy = next(a for a in catalog.articles if a.id.endswith("-c01"))
    original = originals[copy.id.removesuffix("-c01")]
    assert copy.title == original.title and copy.domain == original.domain
    assert _sentences(copy.body, shape=original.body) == _sentences(original.body)
    assert copy.body != original.body
