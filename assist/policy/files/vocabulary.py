"""vocabulary.yaml: its schema, and the Vocabulary it is read into (defaults filled in, cues compiled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from assist.errors import Problem
from assist.knowledge.document import FileSchema, Strings, Text, read_document
from assist.policy.cues import compile_cue
from assist.policy.files.schema import Cues
from assist.policy.vocabulary import NUMERIC, ActionTerm, Completion, FactTerm, FactType, Heard, Vocabulary

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
    about: Cues = ()
    says_true: Cues = ()
    says_false: Cues = ()
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
        wanted = {"days": NUMERIC, "money": NUMERIC, "yes_no": ("bool",)}
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

    facts: Strings = ()
    agent_says: Cues = ()
    agent_answers: bool = False
    unless: Cues = ()

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
    segments: Strings = ()
    segment_question: str | None = None
    roles: Strings = ()
    actions: dict[str, ActionTerm] = Field(default_factory=dict)
    facts: dict[str, FactSpec] = Field(default_factory=dict)
    attributes: dict[str, FactSpec] = Field(default_factory=dict)
    steps: dict[str, StepSpec] = Field(default_factory=dict)
    # Words that, just before an agent's cue, mean the step is not done: "I can't pull up your account yet".
    step_negations: Strings = ()
    # Words that place the customer's matter with another business (a utility bill, a flight, a prescription):
    # the need is off topic, however its words rank against the articles.
    elsewhere: Cues = ()


def load_vocabulary(path: Path) -> tuple[Vocabulary | None, list[Problem]]:
    """Read vocabulary.yaml; None, with every problem at its line, when it does not match the schema."""
    document, problems = read_document(path, VocabularyFile)
    if document is None:
        return None, problems
    spec = document.model
    problems += [
        document.problem(("steps", step, "done_when", "facts", index), f"unknown fact {fact!r} (declare it first)")
        for step, step_spec in spec.steps.items() if step_spec.done_when
        for index, fact in enumerate(step_spec.done_when.facts) if fact not in spec.facts
    ]
    vocabulary = Vocabulary(
        currency=spec.currency or Vocabulary.currency,
        segments=tuple(s.lower() for s in spec.segments),
        segment_question=spec.segment_question or Vocabulary.segment_question,
        roles=tuple(r.lower() for r in spec.roles),
        actions=dict(spec.actions),
        facts=_terms(spec.facts),
        attributes=_terms(spec.attributes),
        steps={name: step.label for name, step in spec.steps.items()},
        completions={name: _completion(step.done_when) for name, step in spec.steps.items() if step.done_when},
        step_negations=tuple(n.lower() for n in spec.step_negations),
        elsewhere=tuple(map(compile_cue, spec.elsewhere)),
    )
    return vocabulary, problems


def _terms(specs: dict[str, FactSpec]) -> dict[str, FactTerm]:
    return {
        name: FactTerm(name, spec.type, spec.ask or f"Ask for {name.replace('_', ' ')}", spec.unit,
                       spec.label or name.replace("_", " ").capitalize(), _heard(spec.heard))
        for name, spec in specs.items()
    }


def _heard(spec: HeardSpec | None) -> Heard | None:
    if spec is None:
        return None
    return Heard(spec.reading, tuple(map(compile_cue, spec.about)), tuple(map(compile_cue, spec.says_true)),
                 tuple(map(compile_cue, spec.says_false)), spec.more_than)


def _completion(spec: CompletionSpec) -> Completion:
    return Completion(tuple(spec.facts), tuple(map(compile_cue, spec.agent_says)), tuple(map(compile_cue, spec.unless)),
                      spec.agent_answers)
