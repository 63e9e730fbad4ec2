"""The policy files editors write, as a schema: vocabulary.yaml, moments.yaml and the policy area files.

This is the file format only. It checks shapes, types and the `when:` operators; names that must exist elsewhere
(an action in the vocabulary, an article in the tree) are checked by `references`, and the engine runs on the
frozen dataclasses built from these models (vocabulary, moments, rules, conditions).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from assist.call import FactValue
from assist.knowledge.dates import parse_date
from assist.policy.cues import compile_cue


class FileSchema(BaseModel):
    """A mapping in a policy file: no keys beyond its fields, no silent conversion ("50" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _scalar(value: object) -> FactValue:
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"must be a number, true/false or text, not {value!r}")


def _cue(text: str) -> str:
    try:
        compile_cue(text)
    except ValueError as exc:
        raise ValueError(f"bad pattern {text!r}: {exc}") from None
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Names = Annotated[list[str], BeforeValidator(_one_or_many)]  # `segment: gold` or `segment: [gold, silver]`
Day = Annotated[dt.date, BeforeValidator(parse_date)]
Scalar = Annotated[FactValue, PlainValidator(_scalar)]
Values = Annotated[list[Scalar], Field(min_length=1)]
Cue = Annotated[str, AfterValidator(_cue)]
FactType = Literal["int", "number", "bool", "string"]
MomentKind = Literal["life-event", "failed-promise"]

# --- vocabulary.yaml ----------------------------------------------------------------------------------------


class ActionSpec(FileSchema):
    """A policy action: `{label, keywords}`, or just its label."""

    label: Text
    keywords: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _label_alone(cls, value: Any) -> Any:
        return {"label": value} if isinstance(value, str) else value


Reading = Literal["days", "money", "yes_no"]


class HeardSpec(FileSchema):
    """`heard` of a fact: how it is read from what was said when the desktop does not send it.

    `reading` is what to look for: `days` (a duration or a date, as days before today), `money` (an amount) or
    `yes_no` (the customer's yes or no to an agent question matching `about`); `about` cues say a sentence (or
    the agent's question just before the customer's turn) is about this fact; `says_true` cues state a yes/no
    fact outright, in either speaker's words ("it already shipped"), and a negation before the cue makes it
    false; `says_false` cues state it false ("it still says order received"). `more_than` makes a bool fact of
    a `days` or `money` reading: true when the number said is more than it ("the credit has been pending two
    weeks": more than 7 days, so the mistake is ours).
    """

    reading: Reading | None = None
    about: list[Cue] = []
    says_true: list[Cue] = []
    says_false: list[Cue] = []
    more_than: float | None = None

    @model_validator(mode="after")
    def _something(self) -> HeardSpec:
        if self.reading is None and not (self.says_true or self.says_false):
            raise ValueError("heard needs a reading, says_true or says_false")
        if self.reading is not None and not self.about:
            raise ValueError(f"reading {self.reading!r} needs `about` cues: which sentences talk about the fact")
        if self.more_than is not None and self.reading not in ("days", "money"):
            raise ValueError("more_than needs a days or money reading: the number it compares")
        return self


class FactSpec(FileSchema):
    """A fact or customer attribute the desktop may send (and, with `heard`, that speech may tell)."""

    type: FactType
    ask: str | None = None
    unit: str | None = None
    label: str | None = None
    heard: HeardSpec | None = None

    @model_validator(mode="after")
    def _reading_fits(self) -> FactSpec:
        heard = self.heard
        if heard is None:
            return self
        wanted = {"days": ("int", "number"), "money": ("int", "number"), "yes_no": ("bool",)}
        if heard.more_than is not None:
            wanted = {"days": ("bool",), "money": ("bool",)}  # a number compared gives yes or no
        if heard.reading is not None and self.type not in wanted[heard.reading]:
            raise ValueError(f"reading {heard.reading!r} cannot give a {self.type} fact")
        if (heard.says_true or heard.says_false) and self.type != "bool":
            raise ValueError(f"says_true and says_false can only state a bool fact, not a {self.type}")
        return self


class CompletionSpec(FileSchema):
    """`done_when` of a step: facts that, once the desktop sends them, complete it, and/or cue patterns on
    the agent's turns ("can I have your order ID?"), and/or (`agent_answers`) the agent answering the customer
    (a turn that states something rather than asking or announcing: an FAQ's answer given); `unless` patterns in
    the same sentence veto a cue."""

    facts: list[str] = []
    agent_says: list[Cue] = []
    agent_answers: bool = False
    unless: list[Cue] = []

    @model_validator(mode="after")
    def _something(self) -> CompletionSpec:
        if not self.facts and not self.agent_says and not self.agent_answers:
            raise ValueError("done_when needs facts, agent_says or agent_answers")
        return self


class StepSpec(FileSchema):
    """A procedure step: `{label, done_when}`, or just its label."""

    label: Text
    done_when: CompletionSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _label_alone(cls, value: Any) -> Any:
        return {"label": value} if isinstance(value, str) else value


class VocabularyFile(FileSchema):
    """vocabulary.yaml: every name the policy files of a knowledge base may use."""

    currency: str | None = None
    segments: list[str] = []
    segment_question: str | None = None
    roles: list[str] = []
    actions: dict[str, ActionSpec] = {}
    facts: dict[str, FactSpec] = {}
    attributes: dict[str, FactSpec] = {}
    steps: dict[str, StepSpec] = {}
    # Words that, just before an agent's cue, mean the step is not done: "I can't pull up your account yet".
    step_negations: list[str] = []
    # Words that place the customer's matter with another business (a utility bill, a flight, a prescription):
    # the need is off topic, however its words rank against the articles.
    elsewhere: list[Cue] = []


# --- moments.yaml -------------------------------------------------------------------------------------------


class MomentSpec(FileSchema):
    """A moment and the cue patterns that reveal it."""

    id: Text
    kind: MomentKind
    label: Text
    cues: Annotated[list[Cue], Field(min_length=1)]
    unless: list[Cue] = []


class MomentsFile(FileSchema):
    """moments.yaml: the moments, and the words that negate a cue."""

    negations: list[str] = []
    moments: list[MomentSpec]


# --- policy area files: conditions --------------------------------------------------------------------------


class Ops(FileSchema):
    """The tests of one fact: `{at_most: 30}`; a bare value means `equals`, a bare list `one_of`."""

    equals: Scalar | None = None
    not_: Scalar | None = Field(None, alias="not")
    one_of: Values | None = None
    none_of: Values | None = None
    less_than: float | None = None
    at_most: float | None = None
    more_than: float | None = None
    at_least: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"one_of": value}
        if not isinstance(value, dict):
            return {"equals": value}
        unknown = [key for key in value if key not in OPERATORS]
        if unknown:
            raise PydanticCustomError("unknown_operator", "unknown operator {op} (known: {known})",
                                      {"op": repr(unknown[0]), "known": ", ".join(sorted(OPERATORS))})
        return value

    def tests(self) -> dict[str, FactValue | list[FactValue]]:
        """The operators written, with their arguments, in the order of OPERATORS."""
        return self.model_dump(by_alias=True, exclude_unset=True)


OPERATORS = tuple(field.alias or name for name, field in Ops.model_fields.items())


class When(FileSchema):
    """A `when:` mapping: facts (or `attributes.x`) to their tests, and `any` / `all` lists of conditions."""

    model_config = ConfigDict(extra="allow")

    any: Annotated[list[When], Field(min_length=1)] | None = None
    all: Annotated[list[When], Field(min_length=1)] | None = None
    __pydantic_extra__: dict[str, Ops] = Field(init=False)

    @model_validator(mode="after")
    def _not_empty(self) -> When:
        if not (self.facts() or self.any or self.all):
            raise ValueError("needs at least one fact to test")
        return self

    def facts(self) -> dict[str, Ops]:
        """The facts tested directly, in file order."""
        return self.model_extra or {}


# --- policy area files: rules -------------------------------------------------------------------------------


class ScopeSpec(FileSchema):
    """`applies_to`: what brings a rule into a call."""

    articles: list[str] = []
    tags: list[str] = []
    issues: list[str] = []
    moments: list[str] = []


class LimitSpec(FileSchema):
    """The most an allowed rule grants: `{amount, currency}`, or just the amount."""

    amount: Annotated[float, Field(ge=0)]
    currency: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _amount_alone(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else {"amount": value}


class DenialSpec(FileSchema):
    """`when_denied`: `continue`, or where the procedure stops and which steps follow."""

    after_step: str | None = None
    stop: bool = True
    then: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _continue(cls, value: Any) -> Any:
        return {"stop": False} if value == "continue" else value


class RuleSpec(FileSchema):
    """One empowerment rule."""

    id: Text
    action: Text
    decision: Literal["allowed", "denied"]
    segment: Names = []
    role: Names = []
    when: When | None = None
    if_missing: Literal["ask", "skip"] = "ask"
    limit: LimitSpec | None = None
    priority: int = 0
    effective_from: Day | None = None
    effective_until: Day | None = None
    explanation: Text
    applies_to: ScopeSpec | None = None
    when_denied: DenialSpec | None = None

    @field_validator("limit")
    @classmethod
    def _limit_only_when_allowed(cls, limit: LimitSpec | None, info: ValidationInfo) -> LimitSpec | None:
        if limit is not None and info.data.get("decision") == "denied":
            raise ValueError("only an 'allowed' rule can have a limit")
        return limit


class PolicyFile(FileSchema):
    """A policy area file: defaults for its rules, the articles describing it, and the rules."""

    area: str | None = None
    description: str | None = None
    applies_to: ScopeSpec | None = None
    mentioned_in: list[str] = []
    when_denied: DenialSpec | None = None
    # facts the agent learns before any of the file's decisions is shown, because they change what is done, not
    # only whether ("has the order shipped?": before shipping, an added item simply joins the order)
    decide_after: Names = []
    rules: Annotated[list[RuleSpec], Field(min_length=1)]
