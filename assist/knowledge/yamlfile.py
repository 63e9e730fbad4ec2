"""YAML that editors write, read with the line of every key and item, so problems can be reported as `path:line`.

One loader serves article front matter and policy files: safe, without anchors or aliases, dates left as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from assist.errors import Problem

Location = Sequence[str | int]  # keys and list indices from the top of a document: ("rules", 2, "when")


class LinedMap(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []


class LinedList(list[Any]):
    """A YAML sequence that remembers where it and each of its items start (1-based lines)."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class AnchorError(yaml.composer.ComposerError):
    """An anchor (`&name`) or alias (`*name`, so also `<<: *name`) in a file where assist allows none."""

    def __init__(self, found: str, mark: Any) -> None:
        super().__init__(None, None, "YAML anchors and aliases are not allowed", mark)
        self.found = found

    def message(self, where: str) -> str:
        """The problem text for a file of the kind `where` names ("in front matter", "in policy files")."""
        return f"{self.problem} {where} (found {self.found}; write the value out)"


class _Loader(yaml.SafeLoader):
    """SafeLoader building LinedMap / LinedList, numbering lines from `first_line` (front matter starts on 2).

    It refuses anchors and aliases as it composes, so an alias bomb is never expanded: editors' files never need
    them, and refusing them keeps the document a tree, as large as its text.
    """

    def __init__(self, text: str, first_line: int) -> None:
        super().__init__(text)
        self.first_line = first_line

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:  # AliasEvent is a NodeEvent too
            found = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"anchor &{event.anchor}"
            raise AnchorError(found, event.start_mark)
        return super().compose_node(parent, index)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LinedMap]:
    data = LinedMap(node.start_mark.line + loader.first_line)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        line = key_node.start_mark.line + loader.first_line
        if key in data:
            data.duplicates.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LinedList]:
    data = LinedList(node.start_mark.line + loader.first_line)
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.item_lines.append(item.start_mark.line + loader.first_line)


# Dates stay strings, so a bad one is reported with its line by the code that reads it (dates.parse_date).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def parse_yaml(
    text: str, path: Path, *, first_line: int = 1, kind: str = "policy files", max_keys: int | None = None
) -> tuple[Any, list[Problem]]:
    """Parse YAML text found at `first_line` of `path`; (None, [problem]) when it cannot be parsed.

    `kind` names the file in the anchor problem; `max_keys` bounds a top-level mapping before it is built.
    """
    loader = _Loader(text, first_line)
    try:
        node = loader.get_single_node()
        if max_keys is not None and isinstance(node, yaml.MappingNode) and len(node.value) > max_keys:
            extra = node.value[max_keys][0].start_mark.line + first_line
            return None, [Problem(path, extra, f"{kind} has {len(node.value)} fields, over the limit of {max_keys}")]
        return (loader.construct_document(node) if node is not None else None), []
    except RecursionError:
        return None, [Problem(path, first_line, "bad YAML: nested too deeply")]
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc, path, first_line, kind)]
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError, path: Path, first_line: int, kind: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark is not None else first_line
    if isinstance(exc, AnchorError):
        return Problem(path, line, exc.message(f"in {kind}"))
    reason = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context_mark", None)
    if context is not None and context.line + first_line != line:
        reason += f" (in the value that starts on line {context.line + first_line})"
    return Problem(path, line, f"bad YAML: {reason}")


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Parse one YAML file, reporting keys written twice; (None, [problem]) when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path, 1, f"cannot read file: {exc}")]
    data, problems = parse_yaml(text, path)
    return data, problems + _duplicates(data, path)


def _duplicates(data: Any, path: Path) -> list[Problem]:
    """Every key written twice in the same mapping, anywhere in `data`."""
    problems: list[Problem] = []
    if isinstance(data, LinedMap):
        problems += [Problem(path, line, f"duplicate key {key!r}") for key, line in data.duplicates]
        for value in data.values():
            problems += _duplicates(value, path)
    elif isinstance(data, list):
        for value in data:
            problems += _duplicates(value, path)
    return problems


def locate(data: Any, location: Location) -> tuple[int, str]:
    """The line of the deepest node `location` reaches in `data`, and the location as a field: rules[2].when.x.

    A step the document lacks is left out of the field (a schema's own step), unless it is the last: a missing
    key is named, on the line of the mapping that lacks it.
    """
    line = data.line if isinstance(data, LinedMap | LinedList) else 1
    node, field = data, ""
    for index, part in enumerate(location):
        if isinstance(node, LinedMap) and isinstance(part, str) and part in node:
            line, node = node.key_lines[part], node[part]
        elif isinstance(node, LinedList) and isinstance(part, int) and 0 <= part < len(node):
            line, node = node.item_lines[part], node[part]
        elif index < len(location) - 1:
            continue
        field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else part
    return line, field


def problem_at(data: Any, path: Path, location: Location, message: str, severity: str = "error") -> Problem:
    """A problem reported as `path:line: field: message`, the line found by following `location` in `data`."""
    line, field = locate(data, location)
    return Problem(path, line, f"{field}: {message}" if field else message, severity)


def plain(value: Any) -> Any:
    """`value` with every LinedMap / LinedList turned into a plain dict / list, for data kept beyond validation."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
