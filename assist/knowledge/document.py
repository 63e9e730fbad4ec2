"""A file editors write, read against its schema: YAML → pydantic model → every problem as `path:line: field: message`.

One routine for article front matter and policy files. The line comes from the line-aware YAML (`locate` follows
pydantic's error location through it); the message is pydantic's, reworded the way an editor reads it ("must be a
whole number, not 'high'"). A schema may state a whole message itself (`stated`): it is shown as written, on the
line of its field, without the field's name in front.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from assist.errors import Problem
from assist.knowledge.yamlfile import LinedMap, Location, locate, plain, problem_at, read_yaml

Model = TypeVar("Model", bound=BaseModel)

# What a value of the wrong type should have been, by pydantic error type.
_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list", "tuple_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
}
_EMPTY = ("too_short", "string_too_short")
_STATED = "stated"  # the error type of a message the schema wrote out whole
SHOWN_CHARS = 60  # a wrong value is quoted in the message; a whole mapping would bury the point


class FileSchema(BaseModel):
    """A mapping in a file editors write: no keys beyond its fields, no silent conversion ("50" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def as_tuple(value: object) -> object:
    """A YAML list as a tuple, before validation; anything else as it is, for the schema to judge."""
    return tuple(value) if isinstance(value, list) else value


def _lower(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(text.lower() for text in texts)


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A YAML list of text, kept as a tuple so the model stays hashable; anything but a list "must be a list".
Strings = Annotated[tuple[str, ...], BeforeValidator(as_tuple)]
LowerStrings = Annotated[Strings, AfterValidator(_lower)]  # words matched without regard to case


def stated(message: str) -> PydanticCustomError:
    """A validation error whose message names its field itself, shown word for word."""
    return PydanticCustomError(_STATED, "{message}", {"message": message})


@dataclass(frozen=True)
class Document(Generic[Model]):
    """A file that matched its schema: the typed model, and the line-aware data that places later findings."""

    path: Path
    data: Any
    model: Model

    def line(self, location: Location) -> int:
        """The line `location` reaches in the file."""
        return locate(self.data, location)[0]

    def problem(self, location: Location, message: str, severity: str = "error") -> Problem:
        """A finding about the value at `location`, as `path:line: field: message`."""
        return problem_at(self.data, self.path, location, message, severity)


def read_document(path: Path, schema: type[Model]) -> tuple[Document[Model] | None, list[Problem]]:
    """Read a YAML file and validate it against `schema`; None with the problems when either fails."""
    data, problems = read_yaml(path)
    if data is None and not problems:
        data = LinedMap()  # an empty file is an empty mapping
    if data is None:
        return None, problems
    document, found = validate_document(data, path, schema)
    return document, problems + found


def validate_document(data: Any, path: Path, schema: type[Model]) -> tuple[Document[Model] | None, list[Problem]]:
    """Validate line-aware YAML data read from `path` against `schema`; None with the problems when it fails."""
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        return None, schema_problems(exc, data, path)
    return Document(path, data, model), []


def schema_problems(exc: ValidationError, data: Any, path: Path) -> list[Problem]:
    """Each schema error once, at the line its location reaches in `data`."""
    found = [_problem(error, data, path) for error in exc.errors()]
    return list(dict.fromkeys(found))


def _problem(error: ErrorDetails, data: Any, path: Path) -> Problem:
    if error["type"] == _STATED:
        return Problem(path, locate(data, error["loc"])[0], str(error["ctx"]["message"]))
    return problem_at(data, path, error["loc"], _message(error))


def _message(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {_shown(error['input'])}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in _EMPTY:
        return "must not be empty"
    if kind == "literal_error":
        return f"must be {ctx['expected']}, not {_shown(error['input'])}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}, not {_shown(error['input'])}"
    if kind == "value_error":
        return str(ctx["error"])
    return error["msg"][:1].lower() + error["msg"][1:]  # our own PydanticCustomError messages, and the rest


def _shown(value: Any) -> str:
    text = repr(plain(value))
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
