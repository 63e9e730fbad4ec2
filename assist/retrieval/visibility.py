"""Which articles a caller may be shown: status, effective dates, segment, audience and request filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assist.call import Call
from assist.knowledge.articles import Article


def _field(article: Article, name: str) -> Any:
    if name in ("id", "title", "status", "domain", "locale"):
        return getattr(article, name)
    if name in ("segments", "tags", "steps", "audience"):
        return getattr(article, name)
    return article.metadata.get(name)


def matches_filter(article: Article, name: str, wanted: Any) -> bool:
    """Exact match on a front-matter field; a list field matches when it contains the wanted value."""
    value = _field(article, name)
    if isinstance(value, list | tuple):
        return wanted in value
    return bool(value == wanted)


def visible(article: Article, call: Call, today: dt.date) -> bool:
    """True when this caller may see this article today."""
    if not article.is_live(today):
        return False
    if article.segments and call.segment not in article.segments:
        return False
    if article.audience and call.role not in article.audience:
        return False
    return all(matches_filter(article, name, wanted) for name, wanted in call.filters.items())
