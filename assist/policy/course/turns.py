"""Reading a call's turns: who spoke last, where the need was stated, and what a customer's turn does — answer
the agent, raise a new need, turn to another matter, ask for something or about it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assist.call import Turn
from assist.knowledge.words import short_reply
from assist.policy.cues import asks

# Words that ask about how something works ("how long until I get my money back?", "a fee to cancel?"), and words
# that ask for it ("then I'd like to return mine"): a need phrase said in the first switches nothing.
_ABOUT_IT = re.compile(r"\b(?:how long|how much|how many|what about|when will|when do|when does|what is|what's|is there"
                       r"|are there|does it|do you)\b", re.IGNORECASE)
_REQUEST = re.compile(r"\b(?:i'?d like to|i would like to|i want to|i wanna|i need to|i'?d rather|can i|could i)\b",
                      re.IGNORECASE)
_QUOTE_CHARS = 160
# Words that say outright the customer turns to another matter ("while I've got you", "totally random, but").
_NEW_MATTER = (r"another thing|one more thing|before (?:i forget|that|we do that)|while i(?: have|'ve got| got) you"
               r"|while i'?m (?:here|on the (?:phone|line))|by the way|btw"
               r"|(?:the )?(?:bigger|real|main|other) (?:thing|issue|problem|reason|question)"
               r"|(?:totally |completely |kind of |kinda )?(?:random|unrelated)(?: question)?|different question"
               r"|on another note|change (?:of )?(?:the )?subject|changing (?:the )?subject")
_NEW_MATTER_WORDS = re.compile(rf"\b(?:{_NEW_MATTER})\b", re.IGNORECASE)
# Words a customer turns to another matter with, after answering the agent.
_MOVING_ON = re.compile(rf"\b(?:oh,? and|oh,? wait|and also|also,|(?:i|we) also|{_NEW_MATTER})\b"
                        r"|(?:^|[,.;!?]\s*|\b(?:oh|and|but|wait|ok|okay|um|uh|yeah|yes|so|well|no|ah|hmm)\W+)"
                        r"actually\b", re.IGNORECASE)
# An agent turn that invites the customer to raise another need: what follows is no answer to a question.
_INVITES = re.compile(r"\b(?:anything|something) else\b|\bwhat else\b|\bhow (?:else )?can i help\b"
                      r"|\b(?:anything|something)\b[^.?!]{0,40}\bhelp\b|\bhelp (?:you )?with (?:anything|something)\b",
                      re.IGNORECASE)


def new_need(read: int, transcript: Sequence[Turn], following: bool = True) -> Turn | None:
    """The customer's words to rank on their own because they may raise a new need: the customer's last turn,
    when it is new (past the `read` turns of the call's last moment) and does not answer the agent, or, on a
    call that follows no procedure yet (not `following`), says more than an answer to it ("What's going on with
    it?" / "The cardigan I got is mustard, not gold, so I'd like to return it"); or, in a
    reply, what follows a turn to something else ("15 riverside drive. oh and actually, can you make it
    overnight?")."""
    turn = last_customer_turn(transcript)
    if turn < read or not transcript[turn].text.strip():
        return None
    if (not following and not short_reply(transcript[turn].text)) or not answers_agent(transcript):
        return transcript[turn]
    moving_on = _MOVING_ON.search(transcript[turn].text)
    rest = transcript[turn].text[moving_on.end():] if moving_on else ""
    return Turn("customer", rest) if not short_reply(rest) else None


def requests(text: str) -> bool:
    """Whether the words ask for something ("I'd like to", "can I") rather than about it (see _REQUEST)."""
    return _REQUEST.search(text) is not None


def asks_about(text: str) -> bool:
    """Whether the words ask how something works ("how long until…", "what about refunds?"; see _ABOUT_IT)."""
    return _ABOUT_IT.search(text) is not None


def moves_on(text: str) -> bool:
    """Whether the customer's words turn to another matter ("oh, and", "actually, …", "while I've got you"), not
    "I'd actually rather have store credit"."""
    return _MOVING_ON.search(text) is not None


def turns_to_new_matter(text: str) -> bool:
    """Whether the words say outright that the customer turns to another matter ("while I've got you")."""
    return _NEW_MATTER_WORDS.search(text) is not None


def invites(text: str) -> bool:
    """Whether the agent's words ask what else the customer needs ("Anything else?", "Is there something with
    an order I can help with?")."""
    return _INVITES.search(text) is not None


def answers_agent(transcript: Sequence[Turn]) -> bool:
    """Whether the customer's last turn only answers the agent: a short reply ("yes", "ok it's 4.99"), or any
    reply to an agent turn that asks something ("Can I have your order ID?") other than what else they need
    ("Anything else?")."""
    turn = last_customer_turn(transcript)
    if turn < 0 or not any(t.speaker == "agent" for t in transcript[:turn]):
        return False  # nobody has asked anything yet
    if short_reply(transcript[turn].text):
        return True
    agent = transcript[turn - 1]
    return agent.speaker == "agent" and asks(agent.text) and not invites(agent.text)


def last_customer_turn(transcript: Sequence[Turn]) -> int:
    """The index of the customer's last turn in the transcript (-1: none)."""
    return _last_turn(transcript, "customer")


def last_agent_turn(transcript: Sequence[Turn]) -> int:
    """The index of the agent's last turn in the transcript (-1: none)."""
    return _last_turn(transcript, "agent")


def _last_turn(transcript: Sequence[Turn], speaker: str) -> int:
    return next((i for i in range(len(transcript) - 1, -1, -1) if transcript[i].speaker == speaker), -1)


def need_turn(transcript: Sequence[Turn]) -> int:
    """The first customer turn that says more than an answer would: where the need was stated (a blank turn
    states nothing)."""
    customer = [i for i, t in enumerate(transcript) if t.speaker == "customer" and t.text.strip()]
    return next((i for i in customer if not short_reply(transcript[i].text)), customer[0] if customer else 0)


def quoted(transcript: Sequence[Turn], turn: int) -> str:
    """A turn's words as the agent reads them in a reason, with its number; the desktop's issue when no turn."""
    if not 0 <= turn < len(transcript):
        return "(the issue the desktop sent)"
    text = " ".join(transcript[turn].text.split())
    text = text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"
    return f'"{text}" (turn {turn + 1})'  # as the desk numbers turns, from 1
