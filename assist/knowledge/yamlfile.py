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


class AnchorError(yaml.composer.ComposerError):
    """An anchor (`&name`) or alias (`*name`, so also `<<: *name`) in a file where assist allows none."""

    def __init__(self, found: str, mark: Any) -> None:
        super().__init__(None, None, "YAML anchors and aliases are not allowed", mark)
        self.found = found

    def message(self, where: str) -> str:
        """The problem text for a file of the kind `where` names ("in front matter", "in policy files")."""
        return f"{self.problem} {where} (found {self.found}; write the value out)"


class AnchorFreeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases as it composes, so an alias bomb is never expanded.

    Editors' files never need them; refusing them keeps the document a tree, as large as its text.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:  # AliasEvent is a NodeEvent too
            found = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"anchor &{event.anchor}"
            raise AnchorError(found, event.start_mark)
        return super().compose_node(parent, index)


class _Loader(AnchorFreeLoader):
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
    except RecursionError:
        return None, [Problem(path, 1, "bad YAML: nested too deeply")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        if isinstance(exc, AnchorError):
            return None, [Problem(path, line, exc.message("in policy files"))]
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
