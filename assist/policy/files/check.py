"""Everything `assist check` reports about a knowledge tree: the articles' own problems (`knowledge.hygiene`),
then the policy files', in the order editors read them."""

from __future__ import annotations

from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Catalog
from assist.knowledge.hygiene import check_articles
from assist.policy.files.directory import check_policies


def check_tree(directory: Path, max_article_bytes: int) -> tuple[Catalog, list[Problem]]:
    """The tree's catalog and every problem in it, errors and warnings, in the order `assist check` prints."""
    catalog, files, hygiene = check_articles(directory, max_article_bytes)
    return catalog, [*files, *check_policies(catalog.policy_dir, catalog.by_id()), *hygiene]
