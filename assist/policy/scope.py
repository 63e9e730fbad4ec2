"""Where a rule applies: the articles (by id or tag), stated issues and transcript moments bringing it in.

The `applies_to` mapping of a policy file, evaluated as read: the file model is the runtime object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assist.knowledge.document import FileSchema, LowerStrings, Strings


class Scope(FileSchema):
    """What brings a rule into a call: retrieved articles, the stated issue (matched case-insensitively),
    moments in the transcript."""

    articles: Strings = ()
    tags: Strings = ()
    issues: LowerStrings = ()
    moments: Strings = ()

    def selects(self, article_id: str, tags: Iterable[str]) -> bool:
        """Whether the scope brings in this article: by its id, or by one of its tags."""
        return article_id in self.articles or not set(self.tags).isdisjoint(tags)

    def article_ids(self, article_tags: Mapping[str, tuple[str, ...]]) -> set[str]:
        """The articles the scope brings in: those it names, and those of `article_tags` (id → tags) with one
        of its tags."""
        tagged = {a for a, tags in article_tags.items() if self.selects(a, tags)} if self.tags else set()
        return set(self.articles) | tagged

    def is_empty(self) -> bool:
        """True when nothing can bring the rule into a call."""
        return not (self.articles or self.tags or self.issues or self.moments)
