"""Rules: what each rule decides, for whom, under which conditions, and where it applies.

A `Rule` is a rule of a policy file resolved against its file and vocabulary (the file's scope, denial and
`decide_after` when it states none, the vocabulary's currency, its place in the file); `policy.files.rules`
builds them. A denial is evaluated as the file states it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import model_validator

from assist.knowledge.dates import in_effect
from assist.knowledge.document import FileSchema, Strings
from assist.policy.conditions import Condition
from assist.policy.scope import Scope


class Outcome(StrEnum):
    """What the agent may do about an action: a rule allows or denies it; a decision may also ask for facts."""

    ALLOWED = "allowed"
    DENIED = "denied"
    ASK = "ask"


@dataclass(frozen=True)
class Limit:
    """The most the agent may grant under a rule, in the file's currency or else the vocabulary's."""

    amount: float
    currency: str


class Denial(FileSchema):
    """`when_denied`: what a denial does to the procedure: `continue`, or stop after `after_step` (apologise,
    explain) and follow with the steps `then`."""

    after_step: str | None = None
    stop: bool = True
    then: Strings = ()

    @model_validator(mode="before")
    @classmethod
    def _continue(cls, value: Any) -> Any:
        return {"stop": False} if value == "continue" else value


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
    denial: Denial = field(default_factory=Denial)
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

