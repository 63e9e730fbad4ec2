"""The YAML front matter of an article: split from the body, read within its limits, and validated field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assist.errors import ArticleError, Problem
from assist.knowledge.dates import DATE_FORMAT, parse_date
from assist.knowledge.yamlfile import LinedMap, parse_yaml

STATUSES = ("draft", "published", "archived")
KNOWN_FIELDS = frozenset(
    {"id", "title", "status", "segments", "tags", "domain", "locale", "effective_from", "effective_until",
     "steps", "audience", "use_when", "asked_as", "outside"}
)
LIST_FIELDS = ("segments", "tags", "steps", "audience", "asked_as")
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_FRONT_MATTER_FIELDS = 64
FIRST_LINE = 2  # front matter starts on the line after the opening '---'
# Ids name files, URLs and log lines: a slug, never a path.
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class FrontMatter:
    """An article file taken apart: its validated fields (with their lines), its body and where the body starts."""

    fields: LinedMap
    body: str
    body_line: int


def is_slug(value: str) -> bool:
    """True for an id that is safe as a file name, URL segment and log field."""
    return _SLUG.fullmatch(value) is not None and ".." not in value


def read_front_matter(text: str, path: Path) -> FrontMatter:
    """Split and validate an article's front matter; raise ArticleError listing every problem found."""
    front, body, body_line = _split(text, path)
    size = len(front.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise ArticleError([Problem(path, FIRST_LINE, f"front matter is {size:,} bytes, over the limit of "
                                                      f"{MAX_FRONT_MATTER_BYTES:,}")])
    fields, problems = parse_yaml(front, path, first_line=FIRST_LINE, kind="front matter",
                                  max_keys=MAX_FRONT_MATTER_FIELDS)
    if problems:
        raise ArticleError(problems)
    fields = fields if fields is not None else LinedMap(FIRST_LINE)
    if not isinstance(fields, LinedMap):
        raise ArticleError([Problem(path, FIRST_LINE, "front matter must be a mapping of fields")])
    problems = _validate(fields, path)
    if problems:
        raise ArticleError(problems)
    return FrontMatter(fields, body, body_line)


def _split(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, 1-based line where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ArticleError([Problem(path, 1, "missing front matter: the file must start with '---'")])
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    raise ArticleError([Problem(path, 1, "front matter is not closed by a '---' line")])


def _validate(meta: LinedMap, path: Path) -> list[Problem]:
    problems: list[Problem] = []

    def add(key: str, message: str) -> None:
        problems.append(Problem(path, meta.key_lines.get(key, 1), message))

    for key in ("id", "title"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            add(key, f"missing or empty required field '{key}'")
    article_id = meta.get("id")
    if isinstance(article_id, str) and article_id.strip() and not is_slug(article_id.strip()):
        add("id", f"id {article_id!r} is not a slug: 1-128 letters, digits, '.', '_' or '-', starting with a "
                  "letter or digit, no '..'")
    status = meta.get("status", "published")
    if status not in STATUSES:
        add("status", f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    for key in ("effective_from", "effective_until"):
        try:
            parse_date(meta.get(key))
        except ValueError:
            add(key, f"bad date in '{key}': {meta[key]!r} (expected {DATE_FORMAT})")
    use_when = meta.get("use_when")
    if use_when is not None and not (isinstance(use_when, str) and use_when.strip()):
        add("use_when", "'use_when' must be a sentence or two saying when editors route a customer here")
    if not isinstance(meta.get("outside", False), bool):
        add("outside", "'outside' must be true or false (true: the article answers what customer service does not "
                       "handle)")
    for key in LIST_FIELDS:
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            add(key, f"'{key}' must be a list of strings")
    return problems
