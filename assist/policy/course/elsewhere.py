"""Whether the call's matter is another business's: the agent said so ("I'm sorry, this is AcmeBrands, the
clothing store; your energy provider can help"), or the customer's own words place it there ("my electricity
bill", "my flight got cancelled").

A caller's first words can sound like ours ("I want to dispute my bill" about an electricity bill); the agent's
reply settles it. An agent turn sends the caller elsewhere when it declines ("can't", "not", "wrong number") and,
ranked on its own, what customer service does not handle answers it first (the service ranks it: `outside`).
From then on the need stated before it is off topic, until the customer raises a new one. Words the vocabulary
declares `elsewhere` make the need they state off topic from the start.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assist.call import Turn
from assist.knowledge.words import short_reply
from assist.policy.course.turns import last_agent_turn, need_turn
from assist.policy.cues import CueClock
from assist.policy.vocabulary import Vocabulary

# Words that decline or redirect: "I can't speak to other stores' policies", "I'm afraid not", "you may have the
# wrong number", "I'm sorry, this is AcmeBrands", "I can only help with orders from our store" (and not "no
# problem": agreeing is no refusal).
_DECLINES = re.compile(r"\b(?:not|never|cannot|unable|afraid|wrong number)\b|n't\b|\bno\b(?! (?:problem|worries|rush|"
                       r"trouble))|\bonly (?:help|handle|deal|see|look|speak|answer)|\bsorry\b[^.?!]{0,20}"
                       r"\b(?:this is|you'?ve reached|you have reached)\b", re.IGNORECASE)


def agent_turn_to_judge(read: int, transcript: Sequence[Turn]) -> int | None:
    """The agent's newest turn, when it comes after the customer stated a need, is new since the call's last
    moment (which read `read` turns) and declines: whether it sends the caller elsewhere is read from how it
    ranks on its own. (A call first seen in mid-flow is read from its words alone.)"""
    turn, stated = last_agent_turn(transcript), need_turn(transcript)
    if turn < read or turn <= stated or short_reply(transcript[stated].text):
        return None  # (the agent's words before the need, or on a call that has stated none, send nobody away)
    return turn if _DECLINES.search(transcript[turn].text) is not None else None


def placed_elsewhere(text: str, vocabulary: Vocabulary, clock: CueClock) -> bool:
    """Whether the customer's words place their matter with another business (the vocabulary's `elsewhere`)."""
    return any(clock.search(pattern, text) is not None for pattern in vocabulary.elsewhere)
