"""The facts a call's decisions read, as the agent sees them: sent by the desktop, or heard in a turn's words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assist.call import Call, FactValue, Turn
from assist.knowledge.articles import Article
from assist.policy.cues import asks
from assist.policy.hearing.speech import SpokenFact
from assist.policy.policyset import PolicySet


@dataclass(frozen=True)
class KnownFact:
    """A fact the decisions may read: its value, and where it came from (the desktop, or a turn's words)."""

    name: str
    label: str
    value: FactValue
    source: Literal["desktop", "speech"]
    turn: int | None = None
    quote: str | None = None


def known_facts(policies: PolicySet, call: Call, spoken: dict[str, SpokenFact],
                procedure: Article | None) -> list[KnownFact]:
    """The facts the desktop sent, then, while the call follows a procedure, those speech told (the desktop's
    value wins), those the procedure's policies read first: the agent sees each with its words and can
    correct it."""
    vocabulary = policies.vocabulary
    known = [KnownFact(name, _label(policies, name), value, "desktop") for name, value in call.facts.items()]
    readers = policies.fact_readers
    read = {name for name, articles in readers.items() if procedure is not None and procedure.id in articles}
    for name, fact in sorted(spoken.items(), key=lambda item: item[0] not in read):
        if name in call.facts or procedure is None:
            continue
        term = vocabulary.facts[name]
        known.append(KnownFact(name, term.label, fact.value, "speech", fact.turn, fact.quote))
    return known


def _label(policies: PolicySet, name: str) -> str:
    term = policies.vocabulary.facts.get(name)
    return term.label if term is not None else name.replace("_", " ").capitalize()


def in_answer(transcript: Sequence[Turn], turn: int) -> bool:
    """Whether the turn at this index is the agent's, or the customer's answer to something the agent asked."""
    if transcript[turn].speaker == "agent":
        return True
    return turn > 0 and transcript[turn - 1].speaker == "agent" and asks(transcript[turn - 1].text)
