"""One stream's call: what the desktop has said so far, gathered into a suggest request, and the suggestions
pushed for it, one at a time, each counted and recorded like an HTTP one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from assist.api.budget import StreamBudget
from assist.api.publish import Publisher
from assist.api.schemas.call import CallContext, SuggestRequest, TurnIn, to_call
from assist.api.schemas.fields import MAX_FACTS
from assist.api.schemas.stream import StreamContext, StreamFacts, StreamReset, StreamStep, StreamTurn
from assist.api.schemas.suggestion import SuggestResponse
from assist.call import Call, FactValue
from assist.deadline import Deadline
from assist.errors import AssistError
from assist.limits import MAX_TURNS
from assist.policy.course.guidance import CallState
from assist.service import KnowledgeService, Suggestion
from assist.settings import Settings

BAD_MESSAGE, BAD_KEY, IDLE, TOO_LARGE, TOO_MANY = 4400, 4401, 4408, 4413, 4429
BUSY = 1013  # RFC 6455 registry: "try again later"
# What the desktop is shown: a suggestion that would show the same is not pushed again.
SHOWN = ("answers", "empowerment", "next_best_actions", "knowledge_gap", "procedure", "facts")


class StreamClosed(Exception):
    """The socket must close with `code`, telling the client `detail`."""

    def __init__(self, code: int, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(detail)


@dataclass
class DeskState:
    """What the desktop has told us about the call so far."""

    context: StreamContext = field(default_factory=lambda: StreamContext(type="context"))
    turns: list[TurnIn] = field(default_factory=list)
    facts: dict[str, FactValue] = field(default_factory=dict)
    marked: set[str] = field(default_factory=set)

    def apply(self, message: Any) -> None:
        """Take one message in; StreamClosed when it would break a bound."""
        if isinstance(message, StreamContext):
            self.context = message
        elif isinstance(message, StreamTurn):
            if len(self.turns) >= MAX_TURNS:
                raise StreamClosed(TOO_LARGE, f"transcript: at most {MAX_TURNS} turns a call")
            self.turns.append(TurnIn.model_construct(speaker=message.speaker, text=message.text))
        elif isinstance(message, StreamStep):
            if message.done and len(self.marked) >= MAX_FACTS:
                raise StreamClosed(TOO_LARGE, f"steps: at most {MAX_FACTS} marked done a call")
            (self.marked.add if message.done else self.marked.discard)(message.action)
        elif isinstance(message, StreamFacts):
            merged = {**self.facts, **{k: v for k, v in message.facts.items() if v is not None}}
            for name in (k for k, v in message.facts.items() if v is None):
                merged.pop(name, None)
            if len(merged) > MAX_FACTS:
                raise StreamClosed(TOO_LARGE, f"facts: at most {MAX_FACTS} a call")
            self.facts = merged
        else:  # reset
            self.turns, self.facts, self.marked = [], {}, set()

    def request(self) -> SuggestRequest | None:
        """The call as a suggest request; None until there is a turn or an issue to answer. Every message was
        checked and bounded as it came, so the request is put together without checking it again."""
        context = self.context
        if not any(t.text.strip() for t in self.turns) and not (context.issue and context.issue.strip()):
            return None
        shared = {name: getattr(context, name) for name in CallContext.model_fields}
        return SuggestRequest.model_construct(
            **shared, transcript=list(self.turns), facts=dict(self.facts), filters=context.filters,
            limit=context.limit, group_by_article=context.group_by_article, steps_done=list(self.marked))


class Conversation:
    """One socket's call: messages are taken in (applied and acknowledged) as they come, while `answer` pushes
    suggestions for the latest state, one at a time."""

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.websocket = websocket
        self.settings = settings
        self.state = DeskState()
        self.guided: CallState | None = None  # where the call's last suggestion left the guidance
        self.seq = 0
        self.generation = 0  # one more at each reset: a suggestion computed before it is the last call's
        self.shown: dict[str, Any] | None = None
        self.changed = asyncio.Event()

    async def take(self, message: Any) -> None:
        """Apply one message and acknowledge it; `answer` sees that the call changed."""
        self.state.apply(message)
        if isinstance(message, StreamReset):
            self.generation += 1
            self.shown = None  # a new call: its first suggestion is news, even if it reads like the last call's
            self.guided = None
        self.seq += 1
        await self.websocket.send_json({"type": "ack", "seq": self.seq})
        self.changed.set()  # after the ack: a suggestion never overtakes the ack of its message

    async def answer(self) -> None:
        """For ever: once the call changed, one suggestion for it as it stands; what arrives meanwhile is
        answered by the next round, all at once."""
        while True:
            await self.changed.wait()
            self.changed.clear()
            request = self.state.request()
            reply = None if request is None else await self._suggest(request)
            if reply is not None:
                try:
                    await self.websocket.send_json(reply)
                except WebSocketDisconnect:
                    return  # the client left; the receiving side sees it too

    async def _suggest(self, request: SuggestRequest) -> dict[str, Any] | None:
        """The message for the call as it stands: its suggestion when that differs from the last one pushed, an
        error when none can be made, else None."""
        app, seq, generation = self.websocket.app, self.seq, self.generation
        budget: StreamBudget = app.state.stream_budget
        try:
            suggestion, call, body = await asyncio.get_running_loop().run_in_executor(
                budget.threads, _suggest, app.state.service, self.settings, request, self.guided)
        except AssistError as exc:  # not ready, or overloaded: say so and keep the call open
            return {"type": "error", "seq": seq, "detail": str(exc)}
        if generation != self.generation:  # the last call's
            return None
        self.guided = suggestion.state
        changed = {k: body[k] for k in SHOWN}
        if changed == self.shown:  # nothing new
            return None
        self.shown = changed  # only what the desktop is shown is pushed, counted and recorded
        publisher: Publisher = app.state.publisher
        publisher.publish(suggestion, call, request)
        return {"type": "suggestion", "seq": seq, "suggestion": body}


def _suggest(service: KnowledgeService, settings: Settings, request: SuggestRequest,
             previous: CallState | None) -> tuple[Suggestion, Call, dict[str, Any]]:
    """One suggestion for the call as it stands, guided on from `previous`, the call it was made for, and its
    JSON as /v1/suggest sends it."""
    call = to_call(request)
    suggestion = service.suggest(call, request.limit, deadline=Deadline(settings.request_deadline_seconds),
                                 by_article=request.group_by_article, previous=previous)
    return suggestion, call, SuggestResponse.model_validate(suggestion).model_dump(mode="json")
