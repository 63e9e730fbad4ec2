"""GET /v1/vocabulary: the words of the served knowledge base the desk shows, read from its policy vocabulary."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assist.api.schemas.fields import FROM_DOMAIN


class FactTermOut(BaseModel):
    """A fact the desktop may send: how the desk asks for it and shows it."""

    model_config = FROM_DOMAIN

    name: str
    type: str = Field(description="int, number, bool or string: the input the desk offers")
    unit: str | None = Field(description="days, USD…: how the desk shows a value")
    label: str = Field(description="what the desk shows for the fact")


class VocabularyOut(BaseModel):
    """The words of the served policies the desk offers, each list in the vocabulary's order."""

    model_config = FROM_DOMAIN

    facts: list[FactTermOut] = Field(description="the facts the policies read")
    segments: list[str] = Field(description="the customer segments (customer.segment) the policies know")
    roles: list[str] = Field(description="the agent roles (agent.role) the policies know")
