from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assist.knowledge.articles import Article, parse_article
from assist.knowledge.passages import MAX_CHARS, split_article
from tests.conftest import FIXTURE_KB

WORD = re.compile(r"\S+")


def _article(body: str) -> Article:
    return Article(id="a", title="A", body=body, path=Path("a.md"), body_line=4, content_hash="x")


def _words_outside_headings(body: str) -> list[str]:
    lines = [line for line in body.splitlines() if not line.lstrip().startswith("#")]
    return WORD.findall("\n".join(lines))


paragraph = st.text(alphabet=st.sampled_from("abcdefghij .,!?\n"), min_size=0, max_size=3000)
heading = st.sampled_from(["", "# Title\n", "## Part one\n", "### Deep\n"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(heading, paragraph), min_size=1, max_size=6), st.integers(100, MAX_CHARS))
def test_split_article_bounds_and_covers_the_whole_body(parts: list[tuple[str, str]], target: int) -> None:
    body = "\n\n".join(h + p for h, p in parts)
    passages = split_article(_article(body), target)
    assert all(0 < len(p.text) <= MAX_CHARS and p.text.strip() for p in passages)
    assert [w for p in passages for w in WORD.findall(p.text)] == _words_outside_headings(body)
    assert [p.ordinal for p in passages] == list(range(len(passages)))


def test_split_article_cuts_a_45000_character_paragraph_into_bounded_passages() -> None:
    body = " ".join(f"Sentence number {i} explains one rule about licences." for i in range(900))
    assert len(body) > 45_000
    passages = split_article(_article(body))
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert " ".join(p.text for p in passages) == body


def test_split_article_cuts_a_word_longer_than_a_passage() -> None:
    passages = split_article(_article("x" * 5000))
    assert "".join(p.text for p in passages) == "x" * 5000
    assert all(len(p.text) <= MAX_CHARS for p in passages)


def test_split_article_keeps_heading_path_as_section() -> None:
    passages = split_article(parse_article(FIXTURE_KB / "returns-stain.md"))
    sections = [p.section for p in passages]
    assert sections == ["", "Who can return", "Steps"]
    nested = split_article(_article("# Top\n\nIntro.\n\n## Inner\n\nDetail.\n\n# Other\n\nMore."))
    assert [p.section for p in nested] == ["Top", "Top > Inner", "Other"]


def test_split_article_rejects_a_target_above_the_passage_bound() -> None:
    with pytest.raises(ValueError, match="1201"):
        split_article(_article("text"), MAX_CHARS + 1)


def test_split_article_keeps_list_items_and_numbered_steps_on_their_own_lines() -> None:
    items = "\n".join(f"- **Level {n}:** members may return within {n * 30} days of purchase, or with a receipt."
                      for n in range(1, 9))
    steps = "\n".join(f"{n}. **Step {n}.** Ask the customer for detail number {n} and record it." for n in range(1, 9))
    passages = split_article(_article(f"## Who can return\n{items}\n\n## Steps\n{steps}"), 300)
    assert len(passages) > 2
    for passage in passages:
        lines = passage.text.split("\n")
        assert all(line.startswith(("- **Level", "1", "2", "3", "4", "5", "6", "7", "8")) for line in lines)
        assert all(line.count("**Level") + line.count("**Step") == 1 for line in lines)


def test_split_article_joins_the_sentences_of_a_long_paragraph_with_spaces() -> None:
    body = " ".join(f"Sentence number {n} says something about returns." for n in range(40))
    assert all("\n" not in p.text for p in split_article(_article(body), 200))


ROUTED = """---
id: returns-x
title: Returning an item
use_when: Use this article when the customer wants to send something back.
asked_as:
  - can I send it back?
  - I want to return my jeans
---
The short answer: members can return within their window.

## Steps
1. Pull up the account.
"""


def test_routing_fields_become_passages_that_are_matched_and_flagged_never_body_text() -> None:
    article = parse_article(Path("/kb/returns-x.md"), ROUTED)
    assert article.use_when == "Use this article when the customer wants to send something back."
    assert article.asked_as == ("can I send it back?", "I want to return my jeans")
    passages = split_article(article)
    assert [p.routing for p in passages] == [True, False, False]
    assert passages[0].text == ('Use this article when the customer wants to send something back. Customers '
                                'usually put it as: "can I send it back?", "I want to return my jeans".')
    assert passages[1].text.startswith("The short answer") and passages[1].ordinal == 1


def test_an_article_on_what_customer_service_does_not_handle_is_routed_by_each_phrase_on_its_own() -> None:
    # jobs, shares and the weather have nothing in common: one passage of them all matches none of them well
    outside = ROUTED.replace("asked_as:", "outside: true\nasked_as:")
    passages = split_article(parse_article(Path("/kb/outside.md"), outside))
    routing = [p.text for p in passages if p.routing]
    assert routing == ["Use this article when the customer wants to send something back.", "can I send it back?",
                       "I want to return my jeans"]
    assert [p.ordinal for p in passages] == list(range(len(passages)))


def test_an_article_without_routing_fields_has_no_routing_passage() -> None:
    assert not any(p.routing for p in split_article(_article("Just a body with some words in it.")))
