"""Everything `assist check` reports about a knowledge tree: the articles' own problems (`knowledge.hygiene`),
then the policy files', in the order editors read them; and what joins the two: article segments the policy
vocabulary does not declare."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Article, Catalog
from assist.knowledge.frontmatter import field_line
from assist.knowledge.hygiene import check_articles
from assist.knowledge.links import dead_links
from assist.policy.files.directory import VOCABULARY_FILE, check_policies
from assist.policy.files.vocabulary import load_vocabulary


def check_tree(directory: Path, max_article_bytes: int) -> tuple[Catalog, list[Problem]]:
    """The tree's catalog and every problem in it, errors and warnings, in the order `assist check` prints."""
    catalog, files, hygiene = check_articles(directory, max_article_bytes)
    return catalog, [*files, *check_policies(catalog.policy_dir, catalog.by_id()), *hygiene,
                     *dead_links(catalog.articles), *unknown_segments(catalog.articles, catalog.policy_dir)]


def unknown_segments(articles: Sequence[Article], policy_dir: Path) -> list[Problem]:
    """A warning on every article restricted to a segment the policy vocabulary does not declare: desktops send
    the segments policies know, so no caller would ever see it. Nothing when there is no (readable) vocabulary."""
    if not (policy_dir / VOCABULARY_FILE).is_file():
        return []
    vocabulary, _ = load_vocabulary(policy_dir / VOCABULARY_FILE)  # its own problems are check_policies'
    if vocabulary is None or not vocabulary.segments:
        return []
    known = set(vocabulary.segments)
    problems = []
    for article in articles:
        unknown = [s for s in article.segments if s.lower() not in known]
        if unknown:
            problems.append(Problem(article.path, field_line(article.path, "segments"),
                                    f"segments {', '.join(map(repr, unknown))} are not declared in "
                                    f"{VOCABULARY_FILE} (declared: {', '.join(vocabulary.segments)}): no caller "
                                    "would see this article for them", severity="warning"))
    return problems
