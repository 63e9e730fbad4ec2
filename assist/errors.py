"""The domain errors of assist; only the API layer maps them to HTTP status codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AssistError(Exception):
    """Base class of every error assist raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a source file, reported as `path:line: message`."""

    path: Path
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class ArticleError(AssistError):
    """An article file that cannot be parsed or fails validation."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PolicyError(AssistError):
    """A policy file that cannot be parsed or fails validation."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class IndexMismatchError(AssistError):
    """An index version whose manifest or files do not match what the loader expects."""


class IndexNotFoundError(AssistError):
    """No published index version exists where one was expected."""


class ConfigurationError(AssistError):
    """Settings that cannot work together (for example production without an API key)."""


class FeedbackNotStoredError(AssistError):
    """A feedback line that could not be appended whole; nothing of it was kept."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class DeadlineExceededError(AssistError):
    """A request that could not be answered within its deadline (the service is overloaded)."""
