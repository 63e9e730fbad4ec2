"""Links between articles: a markdown link (inline or a reference definition) to another article of the tree,
by its file (`returns-wrong-size.md`, relative to the linking article) or by its id (`article:returns-wrong-size`,
or a bare id). A link naming no article of the tree is dead: the agent who follows it finds nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from assist.errors import Problem
from assist.knowledge.articles import Article

# [text](target "title") and [label]: target; images (![…]) are not links to articles.
_INLINE = re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)\n]*)?\)")
_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$", re.MULTILINE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_ARTICLE = "article:"
_BARE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # a target with no dot, slash or scheme reads as an article id


def dead_links(articles: Sequence[Article]) -> list[Problem]:
    """A warning at every link to an article (by file or id) that the tree does not hold, at the link's line."""
    ids = {a.id for a in articles}
    files = {a.path.resolve() for a in articles}
    problems = []
    for article in articles:
        for line, target in _targets(article.body):
            if not _resolves(target, article.path, ids, files):
                problems.append(Problem(article.path, article.body_line + line,
                                        f"dead link to {target!r}: no article of the tree has that "
                                        f"{'file' if _is_file(target) else 'id'}", severity="warning"))
    return problems


def _targets(body: str) -> Iterator[tuple[int, str]]:
    """Each link target that may name an article, with its line from the body's first (0)."""
    for pattern in (_INLINE, _DEFINITION):
        for match in pattern.finditer(body):
            target = match.group(1).split("#", 1)[0]
            if target and (target.lower().startswith(_ARTICLE) or not _SCHEME.match(target)) \
                    and (_is_file(target) or _id_of(target) is not None):
                yield body.count("\n", 0, match.start(1)), target


def _is_file(target: str) -> bool:
    return target.lower().endswith(".md")


def _id_of(target: str) -> str | None:
    if target.lower().startswith(_ARTICLE):
        return target[len(_ARTICLE):]
    return target if _BARE_ID.match(target) else None


def _resolves(target: str, source: Path, ids: set[str], files: set[Path]) -> bool:
    if _is_file(target):
        return (source.parent / target).resolve() in files
    return _id_of(target) in ids
