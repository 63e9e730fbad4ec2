"""Whether the agent has told the caller that their matter is not ours ("I'm sorry, this is AcmeBrands, the
clothing store; your energy provider can help", "I can't see other stores' orders").

A caller's first words can sound like ours ("I want to dispute my bill" about an electricity bill); the agent's
reply settles it. An agent turn sends the caller elsewhere when it declines ("can't", "not", "wrong number") and,
ranked on its own, what customer service does not handle answers it first.
From then on the need stated before it is off topic, until the customer raises a new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assist.call import Turn
from assist.knowledge.words import terms
from assist.policy.guidance import CallState, Reading
from assist.policy.procedure import ANSWER_TERMS, last_agent_turn, need_turn

# Words that decline or redirect: "I can't speak to other stores' policies", "I'm afraid not", "you may have the
# wrong number", "I'm sorry, this is AcmeBrands", "I can only help with orders from our store" (and not "no
# problem": agreeing is no refusal).
_DECLINES = re.compile(r"\b(?:not|never|cannot|unable|afraid|wrong number)\b|n't\b|\bno\b(?! (?:problem|worries|rush|"
                       r"trouble))|\bonly (?:help|handle|deal|see|look|speak|answer)|\bsorry\b[^.?!]{0,20}"
                       r"\b(?:this is|you'?ve reached|you have reached)\b", re.IGNORECASE)


def agent_turn_to_judge(previous: CallState | None, transcript: Sequence[Turn]) -> int | None:
    """The agent's newest turn, when it comes after the customer stated a need and is new since the call's last
    moment (`previous`), in words that decline: whether it sends the caller elsewhere is read from how it ranks on
    its own. A call first
    seen in mid-flow is read from its words alone: whether the customer raised a need of ours after the agent's
    turn is told by the moments between."""
    if previous is None or not previous.continues(transcript):
        return None
    turn, stated = last_agent_turn(transcript), need_turn(transcript)
    if turn < previous.turns or turn <= stated or len(terms(transcript[stated].text)) <= ANSWER_TERMS:
        return None  # (the agent's words before the need, or on a call that has stated none, send nobody away)
    return turn if _DECLINES.search(transcript[turn].text) is not None else None


def sends_elsewhere(reading: Reading) -> bool:
    """Whether an agent turn that declines, ranked on its own (`reading`), tells the caller the matter is not
    ours."""
    return reading.outside
