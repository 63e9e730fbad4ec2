"""Policy files → rules: what each rule decides, for whom, under which conditions, and where it applies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from assist.knowledge.dates import in_effect
from assist.policy.conditions import Condition, condition
from assist.policy.schema import DenialSpec, LimitSpec, PolicyFile, RuleSpec
from assist.policy.scope import Scope, scope
from assist.policy.validation import Document
from assist.policy.vocabulary import Vocabulary


class Outcome(StrEnum):
    """What the agent may do about an action: a rule allows or denies it; a decision may also ask for facts."""

    ALLOWED = "allowed"
    DENIED = "denied"
    ASK = "ask"


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
    decision: Outcome
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
    waits_for: tuple[str, ...] = ()  # facts known before the rule decides (the file's `decide_after`)

    def is_live(self, today: dt.date) -> bool:
        """Inside its effective dates."""
        return in_effect(today, self.effective_from, self.effective_until)


@dataclass(frozen=True)
class RuleFile:
    """The rules of one policy area, and the articles that describe it (checked for contradicting numbers)."""

    path: Path
    area: str
    rules: tuple[Rule, ...]
    mentioned_in: tuple[str, ...] = ()


def rule_file(document: Document[PolicyFile], vocabulary: Vocabulary) -> RuleFile:
    """The rules of a policy file that matched its schema; a rule without its own scope or denial takes the file's."""
    spec, path = document.model, document.path
    rules = tuple(
        _rule(rule, spec, path, document.line(("rules", index)), vocabulary) for index, rule in enumerate(spec.rules)
    )
    return RuleFile(path, spec.area or path.stem, rules, tuple(spec.mentioned_in))


def _rule(spec: RuleSpec, file: PolicyFile, path: Path, line: int, vocabulary: Vocabulary) -> Rule:
    return Rule(
        id=spec.id,
        action=spec.action,
        decision=Outcome(spec.decision),
        explanation=" ".join(spec.explanation.split()),
        scope=scope(spec.applies_to or file.applies_to),
        path=path,
        line=line,
        segments=tuple(s.lower() for s in spec.segment),
        roles=tuple(r.lower() for r in spec.role),
        when=condition(spec.when) if spec.when is not None else None,
        if_missing=spec.if_missing,
        limit=_limit(spec.limit, vocabulary.currency),
        priority=spec.priority,
        effective_from=spec.effective_from,
        effective_until=spec.effective_until,
        denial=_denial(spec.when_denied or file.when_denied),
        waits_for=tuple(file.decide_after),
    )


def _limit(spec: LimitSpec | None, currency: str) -> Limit | None:
    return None if spec is None else Limit(spec.amount, spec.currency or currency)


def _denial(spec: DenialSpec | None) -> Denial:
    return Denial() if spec is None else Denial(spec.after_step, spec.stop, tuple(spec.then))
