"""Between HTTP and the domain: a suggest request as a Call, a Suggestion as the response (API.md)."""

from __future__ import annotations

import datetime as dt

from assist.api.schemas import (
    AnswerOut,
    EmpowermentOut,
    FactOut,
    FeedbackRequest,
    LimitOut,
    LinkOut,
    MoreOut,
    NextActionOut,
    ProcedureOut,
    SuggestRequest,
    SuggestResponse,
)
from assist.call import Call, Turn
from assist.feedback.events import EventKind, FeedbackEvent, Outcome
from assist.service import Suggestion


def to_call(body: SuggestRequest) -> Call:
    """The domain view of a suggest request."""
    return Call(
        transcript=tuple(Turn(t.speaker, t.text) for t in body.transcript),
        issue=body.issue,
        segment=body.customer.segment,
        role=body.agent.role,
        attributes=dict(body.customer.attributes),
        facts=dict(body.facts),
        filters=dict(body.filters),
        marked=frozenset(body.steps_done),
    )


def to_response(suggestion: Suggestion) -> SuggestResponse:
    """The HTTP view of a suggestion."""
    course = suggestion.procedure
    return SuggestResponse(
        suggestion_id=suggestion.suggestion_id,
        index_version=suggestion.index_version,
        took_ms=suggestion.took_ms,
        confidence=suggestion.confidence,
        knowledge_gap=suggestion.knowledge_gap,
        off_topic=suggestion.off_topic,
        answers=[
            AnswerOut(article_id=a.article.id, title=a.article.title, section=a.passage.section,
                      passage=a.passage.text, score=a.score, highlights=list(a.highlights), why=a.why,
                      passage_id=a.passage.key, say=a.say,
                      links=[LinkOut(article_id=link.id, title=link.title) for link in a.links],
                      more=[MoreOut(passage_id=m.passage.key, section=m.passage.section, score=m.score)
                            for m in a.more])
            for a in suggestion.answers
        ],
        empowerment=[
            EmpowermentOut(action=d.action, label=d.label, decision=d.decision,  # type: ignore[arg-type]
                           limit=LimitOut(amount=d.limit.amount, currency=d.limit.currency) if d.limit else None,
                           needs=list(d.needs), rule=d.rule, explanation=d.explanation,
                           source_article=d.source_article)
            for d in suggestion.empowerment
        ],
        next_best_actions=[
            NextActionOut(action=n.action, label=n.label, reason=n.reason, source=n.source,
                          status=n.status.value if n.status else None, set_aside=n.set_aside)
            for n in suggestion.next_best_actions
        ],
        procedure=ProcedureOut(article_id=course.article.id, title=course.article.title,
                               since_turn=course.since_turn, reason=course.reason) if course else None,
        facts=[FactOut(name=f.name, label=f.label, value=f.value, source=f.source, turn=f.turn, quote=f.quote)
               for f in suggestion.facts],
    )


def to_events(body: FeedbackRequest, at: dt.datetime) -> list[FeedbackEvent]:
    """The feedback events a request carries: its `event`, or those the original fields stand for."""
    if body.event is not None:
        return [FeedbackEvent(body.suggestion_id, EventKind(body.event), at, body.rank, body.action,
                              Outcome(body.outcome) if body.outcome else None, body.comment)]
    events = []
    if body.helpful is not None:
        kind = EventKind.THUMBS_UP if body.helpful else EventKind.THUMBS_DOWN
        events.append(FeedbackEvent(body.suggestion_id, kind, at, rank=body.used_rank or 1, comment=body.comment))
    if body.used_rank is not None:
        events.append(FeedbackEvent(body.suggestion_id, EventKind.USED, at, rank=body.used_rank))
    if not events:
        events.append(FeedbackEvent(body.suggestion_id, EventKind.COMMENT, at, comment=body.comment))
    return events
