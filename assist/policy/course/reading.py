"""A ranking as policy reads it: the articles of its answers, best first, how surely the first is right, and which
of them lay out a procedure the call may follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assist.knowledge.articles import Article

# Articles ranked for the policy to choose the call's procedure among (their best answers' scores).
POLICY_DEPTH = 10
# The best-ranked articles with steps that may be the procedure the call follows.
PROCEDURES = 5
# A procedure is followed only when its article answers nearly as well as the best answer (weighted features:
# a top answer scores about 3-4): a far weaker article with steps is not what the customer asked about.
PROCEDURE_REACH = 1.5
# A need stated first is off topic when nothing the knowledge base holds comes this close in meaning (the best
# cosine to any passage) and it is not answered SURE-ly: on 45 off-topic questions (tests/data/
# offtopic_questions.jsonl) and 178 first turns of real needs (the case books and tests/data/calls_outside.jsonl),
# this with the knowledge-gap gate flags 0.87 of the off-topic questions and 0.02 of the needs, where the
# knowledge-gap gate alone flags 0.62 and 0.01.
NEED_RELEVANCE = 0.44
SURE = 0.8


@dataclass(frozen=True)
class Ranked:
    """An article the ranking returned for the call, best first, with its best answer's score; the answer's passage
    and its article's further good passages (`more`), as text."""

    article: Article
    score: float
    text: str = ""
    more: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """A ranking as policy reads it: the articles of its answers (best first), how surely the first is right,
    whether that is a knowledge gap, and how close in meaning the customer's last words come to anything the
    knowledge base holds (`relevance`: the best cosine of any candidate)."""

    ranked: tuple[Ranked, ...]
    confidence: float
    gap: bool = False
    relevance: float = 1.0

    @property
    def outside(self) -> bool:
        """Whether the best answer is an article on what customer service does not handle: off topic."""
        return bool(self.ranked) and self.ranked[0].article.outside


@dataclass(frozen=True)
class Candidate:
    """An article with steps, and the ranking score of its best answer for the call."""

    article: Article
    score: float


def procedures(ranked: Sequence[Ranked]) -> list[Candidate]:
    """The best-ranked articles that lay out steps to follow, each with its best answer's score, among the
    answers within PROCEDURE_REACH of the best one."""
    found: dict[str, Candidate] = {}
    for item in ranked:
        if item.article.steps and item.score >= ranked[0].score - PROCEDURE_REACH:
            found.setdefault(item.article.id, Candidate(item.article, item.score))
    return list(found.values())[:PROCEDURES]


def within(reading: Reading, article: Article, margin: float) -> bool:
    """Whether the article ranks within `margin` of the best answer in the reading."""
    best = reading.ranked[0].score if reading.ranked else 0.0
    return any(r.article.id == article.id and r.score >= best - margin for r in reading.ranked)


def leads(reading: Reading, margin: float) -> bool:
    """Whether the best answer's article scores `margin` more than any other article in the reading."""
    if not reading.ranked:
        return False
    first = reading.ranked[0]
    return all(r.score <= first.score - margin for r in reading.ranked if r.article.id != first.article.id)


def far(reading: Reading) -> bool:
    """Whether a need ranked so is far from everything the knowledge base holds (see NEED_RELEVANCE)."""
    return reading.relevance < NEED_RELEVANCE and reading.confidence < SURE
