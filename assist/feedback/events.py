"""What the store records: a suggestion as shown (redacted), and what the agent did with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from assist.call import Call
from assist.policy.course.turns import answers_agent, last_customer_turn
from assist.retrieval.learned import Candidates
from assist.service import Suggestion


class EventKind(StrEnum):
    """What an agent did with a suggestion: with an answer (by rank) or an action, or how the call ended."""

    SHOWN = "shown"
    OPENED = "opened"
    COPIED = "copied"
    USED = "used"
    DISMISSED = "dismissed"
    THUMBS_UP = "thumbs_up"
    THUMBS_DOWN = "thumbs_down"
    COMMENT = "comment"  # a remark about the suggestion as a whole (the original feedback's `comment` alone)
    OUTCOME = "outcome"


# A comment is about the suggestion as a whole and an outcome about the conversation; every other kind is about
# something shown: an answer (by rank) or an action.
ABOUT_SHOWN = tuple(kind for kind in EventKind if kind not in (EventKind.COMMENT, EventKind.OUTCOME))
# The kinds a client names in feedback's `event`; a comment is stored from the original `comment` field alone.
SENT = tuple(kind for kind in EventKind if kind is not EventKind.COMMENT)


class Outcome(StrEnum):
    """How a conversation ended."""

    RESOLVED = "resolved"
    ESCALATED = "escalated"
    TRANSFERRED = "transferred"
    CALLBACK = "callback"


@dataclass(frozen=True)
class ShownAnswer:
    """One answer as the agent saw it."""

    rank: int
    article_id: str
    passage_id: str
    score: float


@dataclass(frozen=True)
class SuggestionRecord:
    """A suggestion as stored: who, when, what the customer said (redacted), and what was shown. Each field is
    named as its column (tables.suggestions, or answers for ShownAnswer): the store writes it by that name."""

    id: str
    at: dt.datetime
    conversation_id: str | None
    segment: str | None
    agent_id: str | None
    agent_role: str | None
    index_version: str
    customer_turn: str  # as said; the store redacts it before writing
    confidence: float
    knowledge_gap: bool
    answers: tuple[ShownAnswer, ...]
    decisions: tuple[tuple[str, str, str], ...]  # action, decision, rule
    actions: tuple[tuple[str, str | None], ...]  # action, step status
    agent_asked: str | None = None  # the agent's turn just before the customer's: redaction's context, not stored
    states_need: bool = True  # the customer's turn states a need, not only an answer to the agent (gaps list these)
    off_topic: bool = False  # the policy judged the need something customer service does not handle
    candidates: Candidates | None = None  # what the ranking saw (table candidates), for `assist learn`


@dataclass(frozen=True)
class FeedbackEvent:
    """One thing the agent did: about an answer (`rank`), an action, or the conversation's `outcome`."""

    suggestion_id: str
    kind: EventKind
    at: dt.datetime
    rank: int | None = None
    action: str | None = None
    outcome: Outcome | None = None
    comment: str | None = None
    passage_id: str | None = None  # a `used` event: the passage the agent used, shown or found by search


def suggestion_record(suggestion: Suggestion, call: Call, conversation_id: str | None, agent_id: str | None,
                      at: dt.datetime) -> SuggestionRecord:
    """The record of a suggestion, made on the request's path: cheap, so the customer's last turn is kept as
    said here and redacted by the store's writer, before it is written (EventStore.record)."""
    turns = call.transcript
    said = last_customer_turn(turns)
    last = turns[said].text if said >= 0 else call.issue or ""
    asked = next((t.text for t in reversed(turns[:said]) if t.speaker == "agent"), None) if said > 0 else None
    return SuggestionRecord(
        id=suggestion.suggestion_id, at=at, conversation_id=conversation_id, segment=call.segment,
        agent_id=agent_id, agent_role=call.role, index_version=suggestion.index_version,
        customer_turn=last, confidence=suggestion.confidence, knowledge_gap=suggestion.knowledge_gap,
        answers=tuple(ShownAnswer(rank, a.article.id, a.passage.key, a.score)
                      for rank, a in enumerate(suggestion.answers, start=1)),
        decisions=tuple((d.action, str(d.decision), d.rule) for d in suggestion.empowerment),
        actions=tuple((a.action, str(a.status) if a.status else None) for a in suggestion.next_best_actions),
        agent_asked=asked, states_need=not answers_agent(turns), off_topic=suggestion.off_topic,
        candidates=suggestion.candidates,
    )
