"""The live call as the domain sees it: who is calling, who answers, what was said and what is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Speaker = Literal["customer", "agent"]
FactValue = str | int | float | bool


@dataclass(frozen=True)
class Turn:
    """One utterance of the transcript, oldest first."""

    speaker: Speaker
    text: str


@dataclass(frozen=True)
class Call:
    """Everything a suggest request tells us about the call in progress."""

    transcript: tuple[Turn, ...] = ()
    issue: str | None = None
    segment: str | None = None
    role: str | None = None
    attributes: dict[str, FactValue] = field(default_factory=dict)
    facts: dict[str, FactValue] = field(default_factory=dict)
    filters: dict[str, FactValue] = field(default_factory=dict)
    marked: frozenset[str] = frozenset()  # procedure steps the agent marked done on the desk
