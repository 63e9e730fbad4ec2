"""YAML files read with the line of every key and item, so problems can be reported as `path:line`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from assist.errors import Problem


class LinedMap(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []

    def line_of(self, key: str) -> int:
        """Line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class LinedList(list[Any]):
    """A YAML sequence that remembers where it and each of its items start (1-based lines)."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Line of item `index`, or of the sequence itself."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader building LinedMap / LinedList instead of dict / list."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LinedMap]:
    data = LinedMap(node.start_mark.line + 1)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        line = key_node.start_mark.line + 1
        if key in data:
            data.duplicates.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LinedList]:
    data = LinedList(node.start_mark.line + 1)
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + 1)


# Dates stay strings, so a bad one is reported with its line by the code that reads it.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one YAML file; a file that cannot be read or parsed gives (None, [problem])."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, 1, f"cannot read file: {exc}")]
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(path, line, f"bad YAML: {reason}")]
    return data, duplicate_problems(data, path)


def duplicate_problems(data: Any, path: Path) -> list[Problem]:
    """Every key written twice in the same mapping, anywhere in `data`."""
    problems: list[Problem] = []
    if isinstance(data, LinedMap):
        problems += [Problem(path, line, f"duplicate key {key!r}") for key, line in data.duplicates]
        for value in data.values():
            problems += duplicate_problems(value, path)
    elif isinstance(data, list):
        for value in data:
            problems += duplicate_problems(value, path)
    return problems


def unknown_keys(data: LinedMap, allowed: frozenset[str], path: Path, where: str) -> list[Problem]:
    """A problem for every key of `data` not in `allowed`."""
    expected = ", ".join(sorted(allowed))
    return [
        Problem(path, data.line_of(key), f"unknown key {key!r} in {where} (expected one of: {expected})")
        for key in data
        if key not in allowed
    ]


def line_of(data: Any, default: int) -> int:
    """The line where a LinedMap / LinedList starts, else `default`."""
    return data.line if isinstance(data, LinedMap | LinedList) else default


def string_list(value: Any) -> tuple[str, ...] | None:
    """A string or list of strings as a tuple; None when the value has another shape."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None
