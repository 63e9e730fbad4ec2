"""Which procedure the call follows, among the best-ranked articles that lay out steps.

Retrieval ranks by the customer's words, and those can name a product more loudly than the need ("the linen
pants I ordered have a grease spot" reads like the jeans FAQ). Two things the call carries besides words say
which procedure it is: the steps the agent has already worked through, and the facts the desktop sent. A
purchase's age or a disputed amount is only read by some procedures' policies, so a call carrying it is about
one of those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assist.call import Call
from assist.knowledge.articles import Article
from assist.policy.policyset import PolicySet
from assist.policy.progress import Progress

# Facts pick among procedures whose best answers score within this of the best one (weighted features: a top
# answer scores about 3-4); further down, the words of the call outweigh what the desktop sent.
FACT_MARGIN = 1.0


@dataclass(frozen=True)
class Candidate:
    """An article with steps, and the ranking score of its best answer for the call."""

    article: Article
    score: float


def fact_fit(policies: PolicySet, call: Call) -> dict[str, float]:
    """How plainly the facts the call carries point at each article's procedure: a fact counts for every
    article whose policies read it, the more the fewer articles read it (1 / their number)."""
    readers = policies.fact_readers
    fit: dict[str, float] = {}
    for fact, value in call.facts.items():
        articles = readers.get(fact, ())
        if value is None or not articles:
            continue
        for article_id in articles:
            fit[article_id] = fit.get(article_id, 0.0) + 1.0 / len(articles)
    return fit


def choose_procedure(candidates: Sequence[Candidate], progress: Progress, answering: bool,
                     fit: Mapping[str, float]) -> Article | None:
    """The procedure to follow among candidates, best ranked first.

    When the customer's last turn only answers the agent (`answering`: "yes", "ok it's 4.99"), the procedure
    under way goes on: the one with most steps the agent has done on the call (a fact the desktop sent says
    nothing about which procedure the agent follows), so a short reply does not switch it. Otherwise, and
    among procedures equally under way, the candidate the call's facts fit best (`fit`, from `fact_fit`)
    among those within FACT_MARGIN of the best score. Ties go to the better ranked.
    """
    if not candidates:
        return None
    near = [c for c in candidates if c.score >= candidates[0].score - FACT_MARGIN]
    fitting = max(near, key=lambda c: fit.get(c.article.id, 0.0))
    if not answering:
        return fitting.article
    ordered = [fitting, *(c for c in candidates if c is not fitting)]
    return max(ordered, key=lambda c: _worked(c.article, progress)).article


def _worked(article: Article, progress: Progress) -> int:
    """How many of the article's steps the agent's own turns completed."""
    return sum(1 for s in article.steps if s in progress and progress[s].turn is not None)
