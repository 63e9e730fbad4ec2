"""Markdown articles: the Article an editor's file becomes, and the catalog of a knowledge tree."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist.digest import sha256
from assist.errors import ArticleError, Problem
from assist.knowledge.dates import in_effect
from assist.knowledge.frontmatter import field_line, read_front_matter
from assist.knowledge.yamlfile import plain

MAX_ARTICLE_BYTES = 1024 * 1024  # the largest Doc2Dial article is 45 KB


@dataclass(frozen=True)
class Article:
    """One knowledge article: front matter understood, unknown fields kept in `metadata`."""

    id: str
    title: str
    body: str
    path: Path
    body_line: int
    content_hash: str
    status: str = "published"
    segments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    domain: str | None = None
    locale: str | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Routing, for retrieval only (never shown as an answer): when the article applies, and how customers put it.
    use_when: str = ""
    asked_as: tuple[str, ...] = ()
    # What customer service does not handle (jobs, shares, other shops): a call whose need it answers best is
    # off topic.
    outside: bool = False

    @property
    def routing(self) -> str:
        """The routing text retrieval matches the customer's words against: `use_when` and `asked_as`."""
        said = ", ".join(f'"{phrase}"' for phrase in self.asked_as)
        return " ".join(part for part in (self.use_when, f"Customers usually put it as: {said}." if said else "")
                        if part)

    def is_live(self, today: dt.date) -> bool:
        """Published and inside its effective dates."""
        return self.status == "published" and in_effect(today, self.effective_from, self.effective_until)


def parse_article(path: Path, text: str | None = None) -> Article:
    """Parse and validate one article file; raise ArticleError listing every problem found."""
    raw = path.read_text(encoding="utf-8") if text is None else text
    front = read_front_matter(raw, path)
    meta = front.front.model
    return Article(
        id=meta.id,
        title=meta.title,
        body=front.body,
        path=path,
        body_line=front.body_line,
        content_hash=sha256(raw),
        status=meta.status,
        segments=meta.segments,
        tags=meta.tags,
        steps=meta.steps,
        audience=meta.audience,
        domain=meta.domain,
        locale=meta.locale,
        effective_from=meta.effective_from,
        effective_until=meta.effective_until,
        metadata={key: plain(value) for key, value in (meta.model_extra or {}).items()},
        use_when=meta.use_when,
        asked_as=tuple(" ".join(p.split()) for p in meta.asked_as if p.strip()),
        outside=meta.outside,
    )


def article_paths(root: Path) -> list[Path]:
    """Every article file under `root`, in a stable order; linked directories are not walked into."""
    found = (Path(folder) / name for folder, _, names in os.walk(root) for name in names if name.endswith(".md"))
    return sorted(p for p in found if p.is_file())


def linked_directories(root: Path) -> list[Problem]:
    """A warning for every linked directory in the tree: it is not walked into, so its articles are not read."""
    return [
        Problem(Path(folder) / name, 1, "a linked directory; not walked into, its articles are not indexed",
                severity="warning")
        for folder, names, _ in os.walk(root) for name in sorted(names) if (Path(folder) / name).is_symlink()
    ]


def outside_tree(path: Path, root: Path) -> Problem | None:
    """A warning when `path` is a link that resolves outside `root`; its text is never read or served."""
    if Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root)):
        return None
    return Problem(path, 1, f"links outside the knowledge tree ({root}); skipped, not read", severity="warning")


@dataclass(frozen=True)
class Catalog:
    """The articles of a knowledge tree that parsed, and the problems of those that did not."""

    root: Path
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    conflicts: tuple[Problem, ...] = ()  # ids used by two files: these stop a build, they are not skipped
    signature: dict[str, list[int]] = field(default_factory=dict)  # tree_signature() when the tree was read

    @property
    def policy_dir(self) -> Path:
        """Where the policy files of this knowledge tree live."""
        return self.root / "policies"

    def by_id(self) -> dict[str, Article]:
        """Articles keyed by id."""
        return {a.id: a for a in self.articles}

    def require_unique_ids(self) -> None:
        """Raise ArticleError when two files share an id: serving the wrong article is worse than yesterday's."""
        if self.conflicts:
            raise ArticleError(list(self.conflicts))


def tree_signature(root: Path) -> dict[str, list[int]]:
    """Size and modification time (ns) of every file under `root`, by relative path: a cheap way to tell that
    nothing changed since a version was built, without reading a file."""
    signature: dict[str, list[int]] = {}
    for folder, names, files in os.walk(root):
        names[:] = sorted(n for n in names if not n.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(folder) / name
            with suppress(OSError):
                info = path.stat()
                signature[path.relative_to(root).as_posix()] = [info.st_size, info.st_mtime_ns]
    return signature


def load_catalog(
    root: Path, paths: Iterable[Path] | None = None, max_article_bytes: int = MAX_ARTICLE_BYTES
) -> Catalog:
    """Parse every article under `root`: bad files become problems and are skipped, ids used twice conflicts.

    The tree's signature is taken first, so an edit made while a build reads the tree shows as a change later.
    """
    if not root.is_dir():
        raise ArticleError([Problem(root, 0, "knowledge directory does not exist")])
    signature = tree_signature(root) if paths is None else {}
    articles: list[Article] = []
    problems: list[Problem] = [] if paths is not None else linked_directories(root)
    conflicts: list[Problem] = []
    seen: dict[str, Article] = {}
    for path in paths if paths is not None else article_paths(root):
        try:
            article = _load(path, root, max_article_bytes)
        except ArticleError as exc:
            problems.extend(exc.problems)
            continue
        if article.id in seen:
            first = seen[article.id]
            conflicts.append(Problem(path, field_line(path, "id"), f"duplicate id {article.id!r}: also the id of "
                                                                   f"{first.path}:{field_line(first.path, 'id')}"))
            continue
        seen[article.id] = article
        articles.append(article)
    return Catalog(root, tuple(articles), tuple(problems), tuple(conflicts), signature)


def _load(path: Path, root: Path, max_bytes: int) -> Article:
    """One article of the tree, once it is known to stay inside the tree and under the size limit."""
    linked_out = outside_tree(path, root)
    if linked_out is not None:
        raise ArticleError([linked_out])
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError([Problem(path, 1, f"article is {size:,} bytes, over the limit of {max_bytes:,} "
                                                 "(setting max_article_bytes, ASSIST_MAX_ARTICLE_BYTES)")])
        return parse_article(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError([Problem(path, 1, f"cannot read file: {exc}")]) from exc

