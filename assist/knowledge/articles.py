"""Markdown articles with YAML front matter: parsing, validation with `path:line` problems, discovery."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assist.digest import sha256
from assist.errors import ArticleError, Problem
from assist.knowledge.yamlfile import AnchorError, AnchorFreeLoader

STATUSES = ("draft", "published", "archived")
KNOWN_FIELDS = frozenset(
    {"id", "title", "status", "segments", "tags", "domain", "locale", "effective_from", "effective_until",
     "steps", "audience"}
)
_LIST_FIELDS = ("segments", "tags", "steps", "audience")
MAX_ARTICLE_BYTES = 1024 * 1024  # the largest Doc2Dial article is 45 KB
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_FRONT_MATTER_FIELDS = 64
# Ids name files, URLs and log lines: a slug, never a path.
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class _FrontMatterLoader(AnchorFreeLoader):
    """Safe YAML without anchors that leaves dates as text, so a bad date is our validation error, not a crash."""


_FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)  # type: ignore[arg-type]
)


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

    def is_live(self, today: dt.date) -> bool:
        """Published and inside its effective dates."""
        if self.status != "published":
            return False
        if self.effective_from and today < self.effective_from:
            return False
        return not (self.effective_until and today > self.effective_until)


def _split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, 1-based line where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ArticleError([Problem(path, 1, "missing front matter: the file must start with '---'")])
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    raise ArticleError([Problem(path, 1, "front matter is not closed by a '---' line")])


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Map each top-level front-matter key to its 1-based line in the file (front matter starts at line 2)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 2 for key, _ in node.value}


def _read_front_matter(front: str, path: Path) -> tuple[Any, dict[str, int]]:
    """Parse front matter within its limits: (its value, the line of each top-level key)."""
    size = len(front.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise ArticleError([Problem(path, 2, f"front matter is {size:,} bytes, over the limit of "
                                             f"{MAX_FRONT_MATTER_BYTES:,}")])
    loader = _FrontMatterLoader(front)
    try:
        node = loader.get_single_node()
        if isinstance(node, yaml.MappingNode) and len(node.value) > MAX_FRONT_MATTER_FIELDS:
            extra = node.value[MAX_FRONT_MATTER_FIELDS][0].start_mark.line + 2
            raise ArticleError([Problem(path, extra, f"front matter has {len(node.value)} fields, over the limit "
                                                     f"of {MAX_FRONT_MATTER_FIELDS}")])
        return (loader.construct_document(node) if node is not None else None), _key_lines(node)
    except RecursionError as exc:
        raise ArticleError([Problem(path, 2, "bad YAML in front matter: nested too deeply")]) from exc
    except yaml.YAMLError as exc:
        raise ArticleError([_yaml_problem(exc, path)]) from exc
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError, path: Path) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = mark.line + 2 if mark is not None else 1
    if isinstance(exc, AnchorError):
        return Problem(path, where, exc.message("in front matter"))
    reason = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context_mark", None)
    if context is not None and context.line + 2 != where:
        reason += f" (in the value that starts on line {context.line + 2})"
    return Problem(path, where, f"bad YAML in front matter: {reason}")


def _as_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def is_slug(value: str) -> bool:
    """True for an id that is safe as a file name, URL segment and log field."""
    return _SLUG.fullmatch(value) is not None and ".." not in value


def _validate(meta: dict[str, Any], lines: dict[str, int], path: Path) -> list[Problem]:
    problems: list[Problem] = []

    def line(key: str) -> int:
        return lines.get(key, 1)

    for key in ("id", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.append(Problem(path, line(key), f"missing or empty required field '{key}'"))
    article_id = meta.get("id")
    if isinstance(article_id, str) and article_id.strip() and not is_slug(article_id.strip()):
        problems.append(Problem(path, line("id"), f"id {article_id!r} is not a slug: 1-128 letters, digits, "
                                                  "'.', '_' or '-', starting with a letter or digit, no '..'"))
    status = meta.get("status", "published")
    if status not in STATUSES:
        expected = ", ".join(STATUSES)
        problems.append(Problem(path, line("status"), f"unknown status {status!r} (expected one of {expected})"))
    for key in ("effective_from", "effective_until"):
        try:
            _as_date(meta.get(key))
        except ValueError:
            problems.append(Problem(path, line(key), f"bad date in '{key}': {meta[key]!r} (expected YYYY-MM-DD)"))
    for key in _LIST_FIELDS:
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(Problem(path, line(key), f"'{key}' must be a list of strings"))
    return problems


def parse_article(path: Path, text: str | None = None) -> Article:
    """Parse and validate one article file; raise ArticleError listing every problem found."""
    raw = path.read_text(encoding="utf-8") if text is None else text
    front, body, body_line = _split_front_matter(raw, path)
    meta, lines = _read_front_matter(front, path)
    meta = meta or {}
    if not isinstance(meta, dict):
        raise ArticleError([Problem(path, 2, "front matter must be a mapping of fields")])
    problems = _validate(meta, lines, path)
    if problems:
        raise ArticleError(problems)
    return Article(
        id=meta["id"].strip(),
        title=meta["title"].strip(),
        body=body,
        path=path,
        body_line=body_line,
        content_hash=sha256(raw),
        status=meta.get("status", "published"),
        segments=tuple(meta.get("segments") or ()),
        tags=tuple(meta.get("tags") or ()),
        steps=tuple(meta.get("steps") or ()),
        audience=tuple(meta.get("audience") or ()),
        domain=meta.get("domain"),
        locale=meta.get("locale"),
        effective_from=_as_date(meta.get("effective_from")),
        effective_until=_as_date(meta.get("effective_until")),
        metadata={k: v for k, v in meta.items() if k not in KNOWN_FIELDS},
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


def load_catalog(
    root: Path, paths: Iterable[Path] | None = None, max_article_bytes: int = MAX_ARTICLE_BYTES
) -> Catalog:
    """Parse every article under `root`: bad files become problems and are skipped, ids used twice conflicts."""
    if not root.is_dir():
        raise ArticleError([Problem(root, 0, "knowledge directory does not exist")])
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
            conflicts.append(Problem(path, _id_line(article), f"duplicate id {article.id!r}: also the id of "
                                                              f"{first.path}:{_id_line(first)}"))
            continue
        seen[article.id] = article
        articles.append(article)
    return Catalog(root, tuple(articles), tuple(problems), tuple(conflicts))


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


def _id_line(article: Article) -> int:
    front, _, _ = _split_front_matter(article.path.read_text(encoding="utf-8"), article.path)
    return _read_front_matter(front, article.path)[1].get("id", 2)
