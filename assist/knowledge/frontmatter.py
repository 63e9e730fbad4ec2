"""The YAML front matter of an article: split from the body, read within its limits, and validated as a schema."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, PlainValidator

from assist.errors import ArticleError, Problem
from assist.knowledge.dates import DATE_FORMAT, parse_date
from assist.knowledge.document import Document, FileSchema, stated, validate_document
from assist.knowledge.yamlfile import LinedMap, parse_yaml

STATUSES = ("draft", "published", "archived")
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_FRONT_MATTER_FIELDS = 64
OPENING_LINE = 1  # the opening '---': where a missing field is reported
FIRST_LINE = 2  # front matter starts on the line after the opening '---'
# Ids name files, URLs and log lines: a slug, never a path.
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def is_slug(value: str) -> bool:
    """True for an id that is safe as a file name, URL segment and log field."""
    return _SLUG.fullmatch(value) is not None and ".." not in value


def _required(key: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise stated(f"missing or empty required field '{key}'")
        return value.strip()
    return check


def _slug(value: object) -> object:
    if isinstance(value, str) and value.strip() and not is_slug(value.strip()):
        raise stated(f"id {value!r} is not a slug: 1-128 letters, digits, '.', '_' or '-', starting with a letter "
                     "or digit, no '..'")
    return value


def _status(value: object) -> str:
    if value not in STATUSES:
        raise stated(f"unknown status {value!r} (expected one of {', '.join(STATUSES)})")
    return str(value)


def _date(key: str) -> Callable[[object], dt.date | None]:
    def check(value: object) -> dt.date | None:
        try:
            return parse_date(value)
        except ValueError:
            raise stated(f"bad date in '{key}': {value!r} (expected {DATE_FORMAT})") from None
    return check


def _use_when(value: object) -> str:
    if value is None:
        return ""
    if not (isinstance(value, str) and value.strip()):
        raise stated("'use_when' must be a sentence or two saying when editors route a customer here")
    return " ".join(value.split())


def _outside(value: object) -> bool:
    if not isinstance(value, bool):
        raise stated("'outside' must be true or false (true: the article answers what customer service does not "
                     "handle)")
    return value


def _strings(key: str) -> Callable[[object], tuple[str, ...]]:
    def check(value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise stated(f"'{key}' must be a list of strings")
        return tuple(value)
    return check


class FrontMatter(FileSchema):
    """The fields of an article; unknown fields are kept (`model_extra`) as its metadata.

    Every check states its own message, naming the field, in the order editors have always read them.
    """

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    id: Annotated[str, PlainValidator(_required("id"))] = Field(None, validate_default=True)
    title: Annotated[str, PlainValidator(_required("title"))] = Field(None, validate_default=True)
    # The id's form is judged after both required fields, so its problem follows theirs.
    id_form: Annotated[object, PlainValidator(_slug)] = Field(None, validation_alias="id", exclude=True)
    status: Annotated[str, PlainValidator(_status)] = "published"
    effective_from: Annotated[dt.date | None, PlainValidator(_date("effective_from"))] = None
    effective_until: Annotated[dt.date | None, PlainValidator(_date("effective_until"))] = None
    use_when: Annotated[str, PlainValidator(_use_when)] = ""
    outside: Annotated[bool, PlainValidator(_outside)] = False
    segments: Annotated[tuple[str, ...], PlainValidator(_strings("segments"))] = ()
    tags: Annotated[tuple[str, ...], PlainValidator(_strings("tags"))] = ()
    steps: Annotated[tuple[str, ...], PlainValidator(_strings("steps"))] = ()
    audience: Annotated[tuple[str, ...], PlainValidator(_strings("audience"))] = ()
    asked_as: Annotated[tuple[str, ...], PlainValidator(_strings("asked_as"))] = ()
    domain: Any = None
    locale: Any = None


KNOWN_FIELDS = frozenset(str(field.validation_alias or name) for name, field in FrontMatter.model_fields.items())


@dataclass(frozen=True)
class ArticleFile:
    """An article file taken apart: its validated front matter (with its lines), its body and where it starts."""

    front: Document[FrontMatter]
    body: str
    body_line: int


def read_front_matter(text: str, path: Path) -> ArticleFile:
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
    fields = fields if fields is not None else LinedMap()
    if not isinstance(fields, LinedMap):
        raise ArticleError([Problem(path, FIRST_LINE, "front matter must be a mapping of fields")])
    fields.line = OPENING_LINE
    document, problems = validate_document(fields, path, FrontMatter)
    if document is None:
        raise ArticleError(problems)
    return ArticleFile(document, body, body_line)


def field_line(path: Path, key: str) -> int:
    """The line of a front matter field of the article at `path`; the first front matter line if it cannot be read."""
    try:
        return read_front_matter(path.read_text(encoding="utf-8"), path).front.line((key,))
    except (OSError, UnicodeDecodeError, ArticleError):
        return FIRST_LINE


def _split(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, 1-based line where the body starts)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ArticleError([Problem(path, 1, "missing front matter: the file must start with '---'")])
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "".join(lines[1 : number - 1]), "".join(lines[number:]), number + 1
    raise ArticleError([Problem(path, 1, "front matter is not closed by a '---' line")])
