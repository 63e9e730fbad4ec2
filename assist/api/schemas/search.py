"""POST /v1/search: the agent looks something up in the knowledge base, from the desk's search box."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from assist.api.schemas.call import AgentIn, CustomerIn
from assist.api.schemas.fields import NON_BLANK, AnswerCount, Facts, said, whole_number
from assist.api.schemas.suggestion import AnswerOut
from assist.call import Call
from assist.limits import MAX_TURN_CHARS


class SearchRequest(BaseModel):
    """What the agent typed, and who is on the call (only for what they may see). Unknown fields are ignored, as
    in a suggest request."""

    query: str = Field(max_length=MAX_TURN_CHARS, json_schema_extra=NON_BLANK,
                       description="what the agent typed: words, a question, an article's title")
    filters: Facts = Field(default_factory=dict)
    limit: AnswerCount = 10
    customer: CustomerIn = Field(default_factory=CustomerIn)
    agent: AgentIn = Field(default_factory=AgentIn)

    @field_validator("query")
    @classmethod
    def _says_something(cls, query: str) -> str:
        if not said(query):
            raise ValueError("query: must not be empty")
        return query

    @field_validator("limit", mode="before")
    @classmethod
    def _limit_is_a_number(cls, value: object) -> object:
        return whole_number(value, "limit")

    def caller(self) -> Call:
        """Who searches, as visibility reads it: the customer's segment, the agent's role, the filters."""
        return Call(segment=self.customer.segment, role=self.agent.role, attributes=dict(self.customer.attributes),
                    filters=dict(self.filters))


class SearchResponse(BaseModel):
    """The passages found, best first, each shaped as a suggest answer and carrying its `passage_id`."""

    answers: list[AnswerOut]
