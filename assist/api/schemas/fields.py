"""Bounds, field types and configuration the API's models share."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import ConfigDict, Field, Strict, StrictBool, StringConstraints

from assist.limits import MAX_FACT_MAGNITUDE

MAX_FACTS = 64
MAX_COMMENT_CHARS = 2000
MAX_LIMIT = 50  # answers a suggestion may ask for; also the highest rank feedback can name

# Response models are filled from the domain objects' attributes; a path alias reaches into a nested one.
FROM_DOMAIN = ConfigDict(from_attributes=True)

Name = Annotated[str, StringConstraints(max_length=200)]
# JSON has no NaN or Infinity, but Python's parser accepts them; a policy comparing against NaN is nonsense.
# Numbers are numbers as sent (strict): a string of digits too long for a string fact is not read as a number.
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_FACT_MAGNITUDE, le=MAX_FACT_MAGNITUDE)]
Whole = Annotated[int, Strict(), Field(ge=-MAX_FACT_MAGNITUDE, le=MAX_FACT_MAGNITUDE)]
FactValue = Annotated[str, StringConstraints(max_length=1000)] | StrictBool | Whole | Finite
Facts = Annotated[dict[Name, FactValue], Field(max_length=MAX_FACTS)]
AnswerCount = Annotated[int, Field(ge=1, le=MAX_LIMIT)]  # `limit`: how many answers a suggestion asks for

# A character that is not white space in Python's regular expressions nor in JSON Schema's (ECMA-262, which
# counts U+FEFF but not U+001C-U+001F or U+0085): the API and the clients reading its schema agree on "blank".
_VISIBLE = r"[^\s\x1c-\x1f\x85\ufeff]"
NON_BLANK: dict[str, Any] = {"type": "string", "pattern": _VISIBLE}


def said(text: str) -> bool:
    """Whether the text holds a visible character (see _VISIBLE)."""
    return re.search(_VISIBLE, text) is not None


def whole_number(value: object, field: str) -> object:
    """"5" and true are not numbers; 5.0 is (JSON Schema counts it as an integer)."""
    if isinstance(value, str | bool):
        raise ValueError(f"{field} must be a whole number")
    return value


def given(name: str, kind: str) -> dict[str, Any]:
    """JSON Schema: `name` is present with JSON type `kind` (for the cross-field rules models state)."""
    return {"required": [name], "properties": {name: {"type": kind}}}
