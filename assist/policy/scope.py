"""Where a rule applies: the articles (by id or tag), stated issues and transcript moments bringing it in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist.errors import Problem
from assist.knowledge.yamlfile import LinedList, LinedMap, string_list, unknown_keys

_KEYS = ("articles", "tags", "issues", "moments")


@dataclass(frozen=True)
class Scope:
    """What brings a rule into a call: retrieved articles, the stated issue, moments in the transcript."""

    articles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    moments: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when nothing can bring the rule into a call."""
        return not (self.articles or self.tags or self.issues or self.moments)


@dataclass(frozen=True)
class Known:
    """The names a policy file may refer to besides the vocabulary."""

    articles: frozenset[str]
    tags: frozenset[str]
    moments: frozenset[str]


def parse_scope(value: Any, line: int, path: Path, known: Known, problems: list[Problem]) -> Scope:
    """Read an `applies_to` mapping; unknown articles and moments are errors, unused tags warnings."""
    if value is None:
        return Scope()
    if not isinstance(value, LinedMap):
        problems.append(Problem(path, line, "'applies_to' must be a mapping: " + ", ".join(_KEYS)))
        return Scope()
    problems += unknown_keys(value, frozenset(_KEYS), path, "applies_to")
    lists: dict[str, tuple[str, ...]] = {}
    for key in _KEYS:
        names = string_list(value.get(key, []))
        if names is None:
            problems.append(Problem(path, value.line_of(key), f"'{key}' must be a list of names"))
        lists[key] = names or ()
    for tag in lists["tags"]:
        if tag not in known.tags:
            problems.append(Problem(path, value.line_of("tags"), f"no article has tag {tag!r}", "warning"))
    for moment in lists["moments"]:
        if moment not in known.moments:
            message = f"unknown moment {moment!r} (see moments.yaml)"
            problems.append(Problem(path, value.line_of("moments"), message))
    articles = parse_articles(value.get("articles"), value.line_of("articles"), path, known, problems)
    issues = tuple(i.lower() for i in lists["issues"])
    return Scope(articles, lists["tags"], issues, lists["moments"])


def parse_articles(
    value: Any, line: int, path: Path, known: Known, problems: list[Problem]
) -> tuple[str, ...]:
    """A list of article ids, each of which must exist."""
    names = string_list(value if value is not None else [])
    if names is None:
        problems.append(Problem(path, line, "articles must be a list of article ids"))
        return ()
    for index, name in enumerate(names):
        if name not in known.articles:
            where = value.line_of(index) if isinstance(value, LinedList) else line
            problems.append(Problem(path, where, f"unknown article {name!r}"))
    return names
