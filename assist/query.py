"""Transcript → query: what the customer just asked, read in the light of what came before."""

from __future__ import annotations

from dataclasses import dataclass

from assist.call import Call
from assist.lexical import terms

RECENCY = 0.7


@dataclass(frozen=True)
class Query:
    """The texts and terms retrieval scores against, derived once per request."""

    last: str
    first: str
    turns: tuple[str, ...]
    recency: tuple[float, ...]
    last_terms: tuple[str, ...]
    all_terms: tuple[str, ...]
    agent_terms: tuple[str, ...]
    last_agent: str


def build_query(call: Call) -> Query:
    """The last customer turn is the question; the issue and earlier turns set the topic.

    The desktop's `issue` is read as the opening customer turn: it names the topic the way a customer's
    first sentence does. Every turn is kept separately so its embedding can be cached across requests.
    """
    turns = [(t.speaker, t.text) for t in call.transcript if t.text.strip()]
    if call.issue and call.issue.strip():
        turns.insert(0, ("customer", call.issue.strip()))
    customer = [text for speaker, text in turns if speaker == "customer"] or [text for _, text in turns]
    agent = [text for speaker, text in turns if speaker == "agent"]
    texts = tuple(text for _, text in turns)
    return Query(
        last=customer[-1],
        first=customer[0],
        turns=texts,
        recency=tuple(RECENCY ** (len(texts) - 1 - i) for i in range(len(texts))),
        last_terms=tuple(terms(customer[-1])),
        all_terms=tuple(t for text in texts for t in terms(text)),
        agent_terms=tuple(t for text in agent for t in terms(text)),
        last_agent=agent[-1] if agent else "",
    )
