"""The retail case books behind `assist eval retail`: are empowerment decisions and next-best actions right?

A case is a realistic suggest request plus what an outside reader of the ABCD guidelines expects: the policy
decisions (action and decision) and the procedure's step sequence, which the next-best actions must contain
in order (other actions may sit between the steps). A step case is a call in progress and the status each
step of the right procedure should have (done, current, todo).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assist.api.schemas.call import SuggestRequest, to_call
from assist.call import Call
from assist.service import KnowledgeService, Suggestion

T = TypeVar("T")


@dataclass(frozen=True)
class Case:
    """One request and its expected decisions and steps."""

    name: str
    call: Call
    decisions: tuple[tuple[str, str], ...]
    steps: tuple[str, ...]


def read_cases(path: Path) -> list[Case]:
    """Read a case JSONL file; a bad line is an error naming the line."""
    return _read(path, "case", _case)


def _case(raw: dict[str, Any], call: Call) -> Case:
    expect = raw["expect"]
    decisions = tuple((d["action"], d["decision"]) for d in expect.get("empowerment", []))
    return Case(raw["case"], call, decisions, tuple(expect.get("steps", [])))


def _read(path: Path, what: str, make: Callable[[dict[str, Any], Call], T]) -> list[T]:
    """Every non-blank line of a case book as `make` reads it; a bad line is a ValueError naming it."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            # Requests go through the HTTP edge's own model, so a case the API would refuse is refused here too.
            cases.append(make(raw, to_call(SuggestRequest.model_validate(raw["request"]))))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: bad {what} ({exc})") from exc
    return cases


def contains_in_order(actions: Sequence[str], steps: Sequence[str]) -> bool:
    """True when `steps` appear in `actions` in the same order, possibly with other actions between."""
    remaining = iter(actions)
    return all(step in remaining for step in steps)


@dataclass
class CaseScores:
    """Decision accuracy and step-sequence recall over a case book, with the misses for reading."""

    decisions: int = 0
    decisions_right: int = 0
    cases: int = 0
    steps_right: int = 0
    undenied_cases: int = 0
    undenied_steps_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, suggestion: Suggestion) -> None:
        """Score one case."""
        got = {d.action: d.decision for d in suggestion.empowerment}
        for action, decision in case.decisions:
            self.decisions += 1
            if got.get(action) == decision:
                self.decisions_right += 1
            else:
                self.misses.append(f"{case.name}: {action} expected {decision}, got {got.get(action)}")
        self.cases += 1
        actions = [a.action for a in suggestion.next_best_actions]
        right = contains_in_order(actions, case.steps)
        self.steps_right += right
        # ABCD ends a refused procedure with an apology ("apologize and explain the problem, then end the
        # conversation"), so the full step sequence is only expected where nothing is denied.
        if all(decision != "denied" for _, decision in case.decisions):
            self.undenied_cases += 1
            self.undenied_steps_right += right
        if not right:
            top = suggestion.answers[0].article.id if suggestion.answers else None
            self.misses.append(f"{case.name}: steps {list(case.steps)} not in {actions} (top article {top})")

    def summary(self) -> dict[str, float | int]:
        """The two rates the issue judges by."""
        return {"cases": self.cases, "decisions": self.decisions,
                "decision_accuracy": round(self.decisions_right / max(self.decisions, 1), 4),
                "step_sequence_rate": round(self.steps_right / max(self.cases, 1), 4),
                "cases_without_denial": self.undenied_cases,
                "step_sequence_rate_without_denial": round(self.undenied_steps_right / max(self.undenied_cases, 1), 4)}


def score_cases(service: KnowledgeService, cases: Iterable[Case]) -> CaseScores:
    """Run every case through the service exactly as the API would."""
    scores = CaseScores()
    for case in cases:
        scores.add(case, service.suggest(case.call, 5))
    return scores


@dataclass(frozen=True)
class StepCase:
    """A call in progress, the article whose procedure applies, and each of its steps' expected status."""

    name: str
    call: Call
    article: str
    status: tuple[tuple[str, str], ...]


def read_step_cases(path: Path) -> list[StepCase]:
    """Read a step-case JSONL file; a bad line is an error naming the line."""
    return _read(path, "step case", lambda raw, call: StepCase(
        raw["case"], call, raw["expect"]["article"], tuple(raw["expect"]["status"].items())))


@dataclass
class StepScores:
    """Whether the right procedure is followed, and how many of its steps have the right status."""

    cases: int = 0
    procedure_right: int = 0
    steps: int = 0
    steps_right: int = 0
    cases_all_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: StepCase, suggestion: Suggestion) -> None:
        """Score one step case: a step missing from the actions, or of another procedure, is wrong."""
        source = f"article:{case.article}"
        got = {a.action: a.status for a in suggestion.next_best_actions if a.status and a.source == source}
        shown = next((a.source for a in suggestion.next_best_actions if a.status), None)
        self.cases += 1
        self.procedure_right += shown == source
        wrong = [f"{step} {want}/{got.get(step)}" for step, want in case.status if got.get(step) != want]
        self.steps += len(case.status)
        self.steps_right += len(case.status) - len(wrong)
        self.cases_all_right += not wrong
        if wrong:
            self.misses.append(f"{case.name}: procedure {shown} (want {source}); expected/got: {', '.join(wrong)}")

    def summary(self) -> dict[str, float | int]:
        """Procedure choice and step status, per step and per case."""
        return {"step_cases": self.cases,
                "procedure_rate": round(self.procedure_right / max(self.cases, 1), 4),
                "step_status_accuracy": round(self.steps_right / max(self.steps, 1), 4),
                "cases_with_every_status_right": round(self.cases_all_right / max(self.cases, 1), 4)}


def score_step_cases(service: KnowledgeService, cases: Iterable[StepCase]) -> StepScores:
    """Run every step case through the service exactly as the API would."""
    scores = StepScores()
    for case in cases:
        scores.add(case, service.suggest(case.call, 5))
    return scores
