"""Where a rule applies: the articles (by id or tag), stated issues and transcript moments bringing it in."""

from __future__ import annotations

from dataclasses import dataclass

from assist.policy.schema import ScopeSpec


@dataclass(frozen=True)
class Scope:
    """What brings a rule into a call: retrieved articles, the stated issue, moments in the transcript."""

    articles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    moments: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when nothing can bring the rule into a call."""
        return not (self.articles or self.tags or self.issues or self.moments)


def scope(spec: ScopeSpec | None) -> Scope:
    """The scope an `applies_to` mapping states (none: an empty scope); issues match case-insensitively."""
    if spec is None:
        return Scope()
    return Scope(tuple(spec.articles), tuple(spec.tags), tuple(i.lower() for i in spec.issues), tuple(spec.moments))
