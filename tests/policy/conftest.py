"""The bundled retail knowledge base's articles and policies, read once for the policy tests."""

from __future__ import annotations

import pytest

from assist.knowledge.articles import Article, load_catalog
from assist.policy.files.directory import load_policies
from assist.policy.policyset import PolicySet
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def articles() -> dict[str, Article]:
    return load_catalog(ROOT / "knowledge" / "retail").by_id()


@pytest.fixture(scope="session")
def policies(articles: dict[str, Article]) -> PolicySet:
    return load_policies(ROOT / "knowledge" / "policies", articles)
