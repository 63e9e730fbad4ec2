"""Markdown articles with YAML front matter: parsing, validation with `path:line` problems, discovery."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assist.errors import ArticleError, Problem

STATUSES = ("draft", "published", "archived")
KNOWN_FIELDS = frozenset(
    {"id", "title", "status", "segments", "tags", "domain", "locale", "effective_from", "effective_until",
     "steps", "audience"}
)
_LIST_FIELDS = ("segments", "tags", "steps", "audience")


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is our validation error, not a crash."""


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


def _key_lines(front: str) -> dict[str, int]:
    """Map each top-level front-matter key to its 1-based line in the file (front matter starts at line 2)."""
    node = yaml.compose(front, Loader=_FrontMatterLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 2 for key, _ in node.value}


def _as_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def _validate(meta: dict[str, Any], lines: dict[str, int], path: Path) -> list[Problem]:
    problems: list[Problem] = []

    def line(key: str) -> int:
        return lines.get(key, 1)

    for key in ("id", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            problems.append(Problem(path, line(key), f"missing or empty required field '{key}'"))
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
    try:
        meta = yaml.load(front, Loader=_FrontMatterLoader) or {}
        lines = _key_lines(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 2 != where:
            reason += f" (in the value that starts on line {context.line + 2})"
        raise ArticleError([Problem(path, where, f"bad YAML in front matter: {reason}")]) from exc
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
        content_hash=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
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
    """Every article file under `root`, in a stable order."""
    return sorted(p for p in root.rglob("*.md") if p.is_file())


@dataclass(frozen=True)
class Catalog:
    """The articles of a knowledge tree that parsed, and the problems of those that did not."""

    root: Path
    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]

    @property
    def policy_dir(self) -> Path:
        """Where the policy files of this knowledge tree live."""
        return self.root / "policies"

    def by_id(self) -> dict[str, Article]:
        """Articles keyed by id."""
        return {a.id: a for a in self.articles}


def load_catalog(root: Path, paths: Iterable[Path] | None = None) -> Catalog:
    """Parse every article under `root`; bad files and duplicate ids become problems, the rest are kept."""
    if not root.is_dir():
        raise ArticleError([Problem(root, 0, "knowledge directory does not exist")])
    articles: list[Article] = []
    problems: list[Problem] = []
    seen: dict[str, Article] = {}
    for path in paths if paths is not None else article_paths(root):
        try:
            article = parse_article(path)
        except ArticleError as exc:
            problems.extend(exc.problems)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, 1, f"cannot read file: {exc}"))
            continue
        if article.id in seen:
            first = seen[article.id]
            problems.append(Problem(path, _id_line(article), f"duplicate id {article.id!r} (also in {first.path})"))
            continue
        seen[article.id] = article
        articles.append(article)
    return Catalog(root, tuple(articles), tuple(problems))


def _id_line(article: Article) -> int:
    front, _, _ = _split_front_matter(article.path.read_text(encoding="utf-8"), article.path)
    return _key_lines(front).get("id", 2)
