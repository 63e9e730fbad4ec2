"""Policy files → rules: what each rule decides, for whom, under which conditions, and where it applies."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assist.errors import Problem
from assist.knowledge.yamlfile import LinedList, LinedMap, read_yaml, string_list, unknown_keys
from assist.policy.conditions import ATTRIBUTE_PREFIX, Condition, parse_when
from assist.policy.scope import Known, Scope, parse_articles, parse_scope
from assist.policy.vocabulary import Vocabulary

DECISIONS = ("allowed", "denied")
MISSING_HANDLING = ("ask", "skip")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_FILE_KEYS = frozenset({"area", "description", "applies_to", "mentioned_in", "when_denied", "rules"})
_RULE_KEYS = frozenset({
    "id", "action", "segment", "role", "when", "if_missing", "decision", "limit", "priority",
    "effective_from", "effective_until", "explanation", "applies_to", "when_denied",
})
_DENIAL_KEYS = frozenset({"after_step", "stop", "then"})
_LIMIT_KEYS = frozenset({"amount", "currency"})
_NAMES = frozenset({"segment", "role", "limit", "action"})


@dataclass(frozen=True)
class Limit:
    """The most the agent may grant under a rule."""

    amount: float
    currency: str


@dataclass(frozen=True)
class Denial:
    """What a denial does to the procedure: stop after `after_step` (apologise, explain, `then`) or go on."""

    after_step: str | None = None
    stop: bool = True
    then: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One empowerment rule as written by a knowledge editor."""

    id: str
    action: str
    decision: str
    explanation: str
    scope: Scope
    path: Path
    line: int
    segments: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    when: Condition | None = None
    if_missing: str = "ask"
    limit: Limit | None = None
    priority: int = 0
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    denial: Denial = Denial()

    def is_live(self, today: dt.date) -> bool:
        """Inside its effective dates."""
        if self.effective_from and today < self.effective_from:
            return False
        return not (self.effective_until and today > self.effective_until)


@dataclass(frozen=True)
class RuleFile:
    """The rules of one policy area, and the articles that describe it (checked for contradicting numbers)."""

    path: Path
    area: str
    rules: tuple[Rule, ...]
    mentioned_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Context:
    path: Path
    vocabulary: Vocabulary
    known: Known
    scope: Scope
    denial: Denial


def parse_rule_file(path: Path, vocabulary: Vocabulary, known: Known) -> tuple[RuleFile, list[Problem]]:
    """Read one policy file; every problem names its line."""
    data, problems = read_yaml(path)
    if not isinstance(data, LinedMap):
        if data is not None:
            problems.append(Problem(path, 1, "a policy file must be a mapping with 'rules'"))
        return RuleFile(path, path.stem, ()), problems
    problems += unknown_keys(data, _FILE_KEYS, path, "a policy file")
    scope = parse_scope(data.get("applies_to"), data.line_of("applies_to"), path, known, problems)
    denial = _denial(data, path, vocabulary, Denial(), problems)
    mentioned = parse_articles(data.get("mentioned_in"), data.line_of("mentioned_in"), path, known, problems)
    area = str(data.get("area", path.stem))
    nodes = data.get("rules")
    if not isinstance(nodes, LinedList) or not nodes:
        problems.append(Problem(path, data.line_of("rules"), "'rules' must be a non-empty list of rules"))
        return RuleFile(path, area, (), mentioned), problems
    context = _Context(path, vocabulary, known, scope, denial)
    rules = [_rule(node, nodes.line_of(i), context, problems) for i, node in enumerate(nodes)]
    return RuleFile(path, area, tuple(r for r in rules if r is not None), mentioned), problems


def _rule(node: Any, line: int, context: _Context, problems: list[Problem]) -> Rule | None:
    path, vocabulary = context.path, context.vocabulary
    if not isinstance(node, LinedMap):
        problems.append(Problem(path, line, "a rule must be a mapping"))
        return None
    before = len(problems)
    problems += unknown_keys(node, _RULE_KEYS, path, "a rule")
    rule_id, action, decision = _identity(node, line, context, problems)
    when = None
    if "when" in node:
        when, found = parse_when(node["when"], vocabulary, path, node.line_of("when"))
        problems += found
    scope = context.scope
    if "applies_to" in node:
        scope = parse_scope(node["applies_to"], node.line_of("applies_to"), path, context.known, problems)
    if scope.is_empty():
        message = f"rule {rule_id!r} applies to nothing: give 'applies_to' articles, tags, issues or moments"
        problems.append(Problem(path, line, message))
    fields = {
        "segments": _names(node, "segment", vocabulary.segments, path, problems),
        "roles": _names(node, "role", vocabulary.roles, path, problems),
        "denial": _denial(node, path, vocabulary, context.denial, problems),
        **_outcome(node, path, vocabulary, problems),
    }
    if len(problems) > before:
        return None
    return Rule(rule_id, action, decision, scope=scope, path=path, line=line, when=when, **fields)


def _identity(node: LinedMap, line: int, context: _Context, problems: list[Problem]) -> tuple[str, str, str]:
    """The rule's id, action and decision, each checked."""
    path = context.path
    rule_id, action, decision = (node.get(k) for k in ("id", "action", "decision"))
    if not isinstance(rule_id, str) or not rule_id.strip():
        problems.append(Problem(path, line, "a rule needs an 'id'"))
    if action not in context.vocabulary.actions:
        message = f"unknown action {action!r} (declare it in vocabulary.yaml)"
        problems.append(Problem(path, node.line_of("action"), message))
    if decision not in DECISIONS:
        message = f"decision must be 'allowed' or 'denied', not {decision!r}"
        problems.append(Problem(path, node.line_of("decision"), message))
    return str(rule_id).strip(), str(action), str(decision)


def _outcome(node: LinedMap, path: Path, vocabulary: Vocabulary, problems: list[Problem]) -> dict[str, Any]:
    """Explanation, limit, priority, dates and missing-fact handling."""
    if_missing = node.get("if_missing", "ask")
    if if_missing not in MISSING_HANDLING:
        message = f"if_missing must be 'ask' or 'skip', not {if_missing!r}"
        problems.append(Problem(path, node.line_of("if_missing"), message))
    priority = node.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        message = f"priority must be a whole number, not {priority!r}"
        problems.append(Problem(path, node.line_of("priority"), message))
    return {
        "explanation": _explanation(node, path, vocabulary, problems),
        "limit": _limit(node, path, vocabulary.currency, problems),
        "priority": priority if isinstance(priority, int) else 0,
        "if_missing": str(if_missing),
        "effective_from": _date(node, "effective_from", path, problems),
        "effective_until": _date(node, "effective_until", path, problems),
    }


def _explanation(node: LinedMap, path: Path, vocabulary: Vocabulary, problems: list[Problem]) -> str:
    text = node.get("explanation")
    if not isinstance(text, str) or not text.strip():
        problems.append(Problem(path, node.line, "a rule needs an 'explanation'"))
        return ""
    for name in PLACEHOLDER.findall(text):
        attribute = name.removeprefix(ATTRIBUTE_PREFIX) if name.startswith(ATTRIBUTE_PREFIX) else None
        known = name in _NAMES or name in vocabulary.facts or attribute in vocabulary.attributes
        if not known:
            message = f"explanation quotes unknown name {{{name}}}"
            problems.append(Problem(path, node.line_of("explanation"), message))
    return " ".join(text.split())


def _names(
    node: LinedMap, key: str, declared: tuple[str, ...], path: Path, problems: list[Problem]
) -> tuple[str, ...]:
    if key not in node:
        return ()
    names = string_list(node[key])
    if names is None:
        problems.append(Problem(path, node.line_of(key), f"'{key}' must be a name or a list of names"))
        return ()
    for name in names:
        if name.lower() not in declared:
            message = f"unknown {key} {name!r} (declared: {', '.join(declared)})"
            problems.append(Problem(path, node.line_of(key), message))
    return tuple(n.lower() for n in names)


def _limit(node: LinedMap, path: Path, currency: str, problems: list[Problem]) -> Limit | None:
    value = node.get("limit")
    if value is None:
        return None
    where = node.line_of("limit")
    if node.get("decision") != "allowed":
        problems.append(Problem(path, where, "only an 'allowed' rule can have a limit"))
    if isinstance(value, LinedMap):
        problems += unknown_keys(value, _LIMIT_KEYS, path, "a limit")
        currency = str(value.get("currency", currency))
        value = value.get("amount")
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        problems.append(Problem(path, where, f"limit amount must be a number of at least 0, not {value!r}"))
        return None
    return Limit(float(value), currency)


def _date(node: LinedMap, key: str, path: Path, problems: list[Problem]) -> dt.date | None:
    value = node.get(key)
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        message = f"bad date in '{key}': {value!r} (expected YYYY-MM-DD)"
        problems.append(Problem(path, node.line_of(key), message))
        return None


def _denial(
    node: LinedMap, path: Path, vocabulary: Vocabulary, default: Denial, problems: list[Problem]
) -> Denial:
    """Read `when_denied`: 'continue', or where the procedure stops and which steps follow."""
    value, line = node.get("when_denied"), node.line_of("when_denied")
    if value is None:
        return default
    if value == "continue":
        return Denial(stop=False)
    if not isinstance(value, LinedMap):
        message = "'when_denied' must be 'continue' or a mapping: after_step, stop, then"
        problems.append(Problem(path, line, message))
        return default
    problems += unknown_keys(value, _DENIAL_KEYS, path, "when_denied")
    after = value.get("after_step")
    then = string_list(value.get("then", []))
    if then is None:
        problems.append(Problem(path, value.line_of("then"), "'then' must be a list of steps"))
    for key, step in [("after_step", after), *(("then", s) for s in then or ())]:
        if step is not None and step not in vocabulary.steps:
            problems.append(Problem(path, value.line_of(key), f"unknown step {step!r}"))
    stop = value.get("stop", True)
    if not isinstance(stop, bool):
        problems.append(Problem(path, value.line_of("stop"), "'stop' must be true or false"))
    return Denial(str(after) if after is not None else None, stop is not False, then or ())
