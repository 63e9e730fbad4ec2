"""Everything `assist check` reports about a knowledge tree: bad articles, ids used twice, policy problems, and
hygiene warnings (near-duplicates, unreadable articles, colliding titles)."""

from __future__ import annotations

from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Catalog, load_catalog
from assist.knowledge.hygiene import hygiene_problems
from assist.policy.policyset import check_policies


def check_tree(directory: Path, max_article_bytes: int) -> tuple[Catalog, list[Problem]]:
    """The tree's catalog and every problem in it, errors and warnings, in the order `assist check` prints."""
    catalog = load_catalog(directory, max_article_bytes=max_article_bytes)
    problems = [*catalog.problems, *catalog.conflicts, *check_policies(catalog.policy_dir, catalog.by_id()),
                *hygiene_problems(catalog.articles)]
    return catalog, problems
