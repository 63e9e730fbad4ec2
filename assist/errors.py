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
    """The event store could not keep a feedback event (database down or refusing): nothing of it was kept."""


class RedactionUnavailableError(AssistError):
    """Text could not be redacted, so it is not stored."""


class UnknownSuggestionError(AssistError):
    """Feedback about a suggestion the store never recorded."""

    def __init__(self, suggestion_id: str) -> None:
        self.suggestion_id = suggestion_id
        super().__init__(f"unknown suggestion {suggestion_id}")


class UnknownArticleError(AssistError):
    """An article the live index does not hold, or that this caller may not see."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(f"no article {article_id!r} is served to this caller")


class FeedbackRejectedError(AssistError):
    """Feedback that does not fit its suggestion (an answer rank it did not show, an action it did not list)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class DeadlineExceededError(AssistError):
    """A request that could not be answered within its deadline (the service is overloaded)."""


class RankerError(AssistError):
    """A learned ranker version that cannot be served (missing, unreadable, or fitted for other features)."""


class LearningError(AssistError):
    """`assist learn` cannot fit: too few events with a passage the agent used, or no period to learn from."""
