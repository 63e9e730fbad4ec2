"""Transcript → query: what the customer just asked, read in the light of what came before."""

from __future__ import annotations

from dataclasses import dataclass

from assist.call import Call
from assist.lexical import terms

LAST_TURN_WEIGHT = 3
ISSUE_WEIGHT = 2
CONTEXT_CHARS = 1500


@dataclass(frozen=True)
class Query:
    """The texts and weighted terms retrieval scores against."""

    focus: str
    context: str
    weighted_terms: tuple[str, ...]
    focus_terms: frozenset[str]
    last_agent_turn: str


def build_query(call: Call) -> Query:
    """Weight the last customer turn most, the issue next, and the rest of the conversation once."""
    last = call.last_customer_turn()
    focus = " ".join(part for part in (call.issue or "", last) if part).strip()
    earlier = [t.text for t in call.transcript]
    if last and earlier and earlier[-1] == last:
        earlier = earlier[:-1]
    # Most recent first, so the model's 256-word-piece window keeps what matters when it cuts.
    context = " ".join([focus, *reversed(earlier)])[:CONTEXT_CHARS].strip()
    weighted = terms(last) * LAST_TURN_WEIGHT + terms(call.issue or "") * ISSUE_WEIGHT
    for text in earlier:
        weighted.extend(terms(text))
    last_agent = next((t.text for t in reversed(call.transcript) if t.speaker == "agent"), "")
    return Query(focus, context or focus, tuple(weighted), frozenset(terms(focus)), last_agent)
