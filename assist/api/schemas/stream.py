"""GET /v1/stream: the messages a desktop sends over the WebSocket."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from assist.api.schemas.call import CallContext
from assist.api.schemas.fields import MAX_FACTS, AnswerCount, Facts, FactValue, Name
from assist.limits import MAX_TURN_CHARS


class StreamContext(CallContext):
    """Who is on the call (first message; a later one replaces it and keeps the transcript)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["context"]
    filters: Facts = Field(default_factory=dict)
    limit: AnswerCount = 5
    group_by_article: StrictBool = True
    api_key: str | None = Field(default=None, max_length=512, description="a client key, when keys are set")


class StreamTurn(BaseModel):
    """One more utterance."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["turn"]
    speaker: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_TURN_CHARS)


class StreamStep(BaseModel):
    """The agent marked a procedure step done on the desk (or took the mark back)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["step"]
    action: Name
    done: StrictBool = True


class StreamFacts(BaseModel):
    """Facts the desktop learned; merged into those known (null removes one)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["facts"]
    facts: dict[Name, FactValue | None] = Field(max_length=MAX_FACTS)


class StreamReset(BaseModel):
    """A new call on the same socket: transcript and facts cleared."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["reset"]


StreamMessage = Annotated[StreamContext | StreamTurn | StreamStep | StreamFacts | StreamReset,
                          Field(discriminator="type")]
