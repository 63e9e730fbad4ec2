"""Between ranking and policy: a ranking as policy reads it, and the answers shown in the order policy gave."""

from __future__ import annotations

from dataclasses import replace

from assist.policy.course.answers import Order
from assist.policy.course.reading import Ranked, Reading
from assist.retrieval.presentation import Answer, Ranking
from assist.retrieval.retriever import Retriever


def shown(ranking: Ranking, order: Order, retriever: Retriever, limit: int) -> tuple[Answer, ...]:
    """The answers in the order policy gave, at most `limit`, the first in the window of the passage policy chose,
    read out for the agent."""
    answers = tuple(ranking.answers[i] for i in order.indices)
    if order.shown is not None:
        first = answers[0]
        best = first.more[order.shown]
        first = replace(first, passage=retriever.window_of(best.passage),
                        more=tuple(m for m in first.more if m is not best))
        answers = (first, *answers[1:])
    answers = answers[:limit]
    if ranking.query is None:
        return answers
    return retriever.read_out(answers, ranking.query, order.about or None, order.step)


def reading(ranking: Ranking) -> Reading:
    """A ranking as policy reads it."""
    ranked = tuple(Ranked(a.article, a.score, a.passage.text, tuple(m.passage.text for m in a.more))
                   for a in ranking.answers)
    return Reading(ranked, ranking.confidence, ranking.knowledge_gap, ranking.relevance)
