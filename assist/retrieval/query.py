"""Transcript → query: what the customer just asked, read in the light of what came before."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assist.call import Call, Speaker
from assist.knowledge.words import short_reply, terms
from assist.limits import READ_CHARS, READ_TURN_CHARS, READ_TURNS

RECENCY = 0.7


@dataclass(frozen=True)
class Window:
    """How much of a transcript ranking reads: the opening customer turn plus the latest turns, bounded.

    A request may carry 200 turns of 5,000 characters; embedding all of it would cost seconds of CPU (the
    bounds' reasons: assist.limits).
    """

    turns: int = READ_TURNS
    turn_chars: int = READ_TURN_CHARS
    chars: int = READ_CHARS

    def __post_init__(self) -> None:
        for name in ("turns", "turn_chars", "chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"window {name} must be at least 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class Query:
    """The texts and terms retrieval scores against, derived once per request."""

    last: str
    focus: tuple[str, ...]
    first: str
    turns: tuple[str, ...]
    recency: tuple[float, ...]
    last_terms: tuple[str, ...]
    said_terms: tuple[str, ...]  # the customer's last turn alone: whose words an answer matched
    all_terms: tuple[str, ...]
    agent_terms: tuple[str, ...]
    last_agent: str


def build_query(call: Call, window: Window | None = None) -> Query:
    """The last customer turn is the question; the issue and earlier turns set the topic.

    The desktop's `issue` is read as the opening customer turn: it names the topic the way a customer's
    first sentence does. Every turn is kept separately so its embedding can be cached across requests.
    Only the turns inside `window` are read.
    """
    turns = [(t.speaker, t.text) for t in call.transcript if t.text.strip()]
    if call.issue and call.issue.strip():
        turns.insert(0, ("customer", call.issue.strip()))
    turns = _within(turns, window or Window())
    customer = [text for speaker, text in turns if speaker == "customer"] or [text for _, text in turns]
    agent = [text for speaker, text in turns if speaker == "agent"]
    texts = tuple(text for _, text in turns)
    focus = _focus(texts, customer[-1])
    last = " ".join(focus)
    return Query(
        last=last,
        focus=focus,
        first=customer[0],
        turns=texts,
        recency=tuple(RECENCY ** (len(texts) - 1 - i) for i in range(len(texts))),
        last_terms=tuple(terms(last)),
        said_terms=tuple(terms(customer[-1])),
        all_terms=tuple(t for text in texts for t in terms(text)),
        agent_terms=tuple(t for text in agent for t in terms(text)),
        last_agent=agent[-1] if agent else "",
    )


def _within(turns: list[tuple[Speaker, str]], window: Window) -> list[tuple[Speaker, str]]:
    """The opening customer turn and the latest turns that fit the window, each cut to `turn_chars`."""
    cut = [(speaker, text[: window.turn_chars]) for speaker, text in turns]
    opening = next((i for i, (speaker, _) in enumerate(cut) if speaker == "customer"), None)
    start, total = len(cut), 0
    while start > 0 and len(cut) - start < window.turns and total + len(cut[start - 1][1]) <= window.chars:
        start -= 1
        total += len(cut[start][1])
    start = min(start, len(cut) - 1) if cut else 0
    latest = cut[start:]
    if opening is not None and opening < start:
        return [cut[opening], *latest]
    return latest


_QUESTION = re.compile(r"\?|^\s*(how|what|when|where|why|who|which|can|could|do|does|is|are|will|should|may)\b",
                       re.IGNORECASE)


def _answers_agent(texts: tuple[str, ...], end: int) -> bool:
    """The turn at `end` answers a question the agent just asked, rather than asking something new."""
    return end > 0 and "?" in texts[end - 1] and not _QUESTION.search(texts[end])


def _focus(texts: tuple[str, ...], last_customer: str) -> tuple[str, ...]:
    """The last customer turn, widened backwards when it only answers the agent or is too short to search with: a
    short reply ("yes", "9.99", "about a week": `words.short_reply`) is read with the turns before it until they
    have more."""
    end = max(i for i, text in enumerate(texts) if text == last_customer)
    start = end - 2 if _answers_agent(texts, end) else end
    start = max(start, 0)
    while start > 0 and short_reply(" ".join(texts[start : end + 1])):
        start -= 1
    return texts[start : end + 1]
