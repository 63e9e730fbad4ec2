"""Yes/no facts in words: said outright ("I still have the receipt", "it hasn't shipped"), or the customer's yes or
no to the agent's question about the fact ("Do you have the receipt?" / "No, I threw it out")."""

from __future__ import annotations

import re

from assist.call import FactValue
from assist.policy.cues import SENTENCE_END, CueClock, Pattern, asks, negated, quote, sentence_span
from assist.policy.vocabulary import Heard

# A clause of a reply, with the punctuation that ends it; a question among an agent's sentences.
_CLAUSE = re.compile(r"[^,.;!?]+(?:[,.;!?]+|$)|[,.;!?]+")
_QUESTION = re.compile(r"[^.!?]*\?")
# A negation in the few words after the fact's word: "the receipt I don't have", "the box, nope".
_NEGATED_AFTER = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:don'?t|do not|didn'?t|haven'?t|no|nope|not|never)\b",
                            re.IGNORECASE)
# Words that leave a yes/no fact unknown: "receipt, no idea".
_UNSURE = re.compile(r"\b(?:no idea|not sure|unsure|don'?t know|dunno|can'?t remember|not certain)\b", re.IGNORECASE)
# Words that make what follows a condition, not a statement: "unless you have the receipt".
CONDITION = re.compile(r"\b(?:if|unless|whether|provided|as long as|in case)\b", re.IGNORECASE)
SHORT_QUESTION = 6  # words: a question this short leans on the sentence before it
_FILLER = r"(?:(?:um+|uh+|oh|ah|well|hmm+|so|ok(?:ay)?|and)\W+)*"
_YES = re.compile(rf"^\W*{_FILLER}(?:yes|yeah|yep|yup|ya|sure|correct|right|absolutely|definitely|of course"
                  r"|i do|i did|i have|i still (?:do|have)|still have|i kept)\b", re.IGNORECASE)
_NO = re.compile(rf"^\W*{_FILLER}(?:no|nope|nah|not really|i don'?t|i do not|i didn'?t|i haven'?t|unfortunately not"
                 r"|afraid not|i threw|i lost)\b", re.IGNORECASE)
# English words that turn "it has shipped" into its opposite when they stand just before the cue.
NEGATIONS = ("not", "no", "never", "*n't", "cannot", "cant", "without", "neither", "nor")


def stated(heard: Heard, text: str, clock: CueClock) -> tuple[FactValue, str] | None:
    """A yes/no fact said outright: the first `says_true` cue (false when a negation stands before it) or
    `says_false` cue."""
    first: tuple[int, int, bool] | None = None
    for patterns, value in ((heard.says_true, True), (heard.says_false, False)):
        for pattern in patterns:
            match = next((m for m in clock.finditer(pattern, text)
                          if not _asking(text, *m.span()) and not CONDITION.search(_clause_before(text, m.start()))),
                         None)
            if match is not None and (first is None or match.start() < first[0]):
                first = (*match.span(), value)
    if first is None:
        return None
    start, end, value = first
    return (value and not negated(text[:start], NEGATIONS)), quote(text, start, end)


def _clause_before(text: str, start: int) -> str:
    head, _ = sentence_span(text, start, start)
    return re.split(r"[,;]", text[head:start])[-1]


def _asking(text: str, start: int, end: int) -> bool:
    """Whether the words at start:end stand in a question ("do you have the receipt?"), which states nothing."""
    _, tail = sentence_span(text, start, end)
    return text[tail : tail + 1] == "?"


def answer(heard: Heard, text: str, asked: str, clock: CueClock,
            others: tuple[Pattern, ...] = ()) -> tuple[FactValue, str] | None:
    """The customer's yes or no to an agent question about the fact: a reply that opens with yes or no (unless
    the words after it name another fact: "No receipt, but …"), or, further in, the clause that names the fact
    ("... and no receipt, I threw it out": no) or answers yes ("... but yes, it's still in the bag")."""
    if not any(clock.search(p, question) for question in questions(asked) for p in heard.about):
        return None
    if stated(heard, asked, clock) is not None:
        return None  # "Since it hasn't shipped I can waive the fee. Shall I?": the agent told it, the yes is to the fee
    reply = text.strip()
    for pattern, value in ((_NO, False), (_YES, True)):
        match = pattern.match(reply)
        if match:
            rest = _CLAUSE.match(reply, match.end())
            after = rest.group(0) if rest is not None else ""
            if any(clock.search(p, after) for p in others) and not any(clock.search(p, after) for p in heard.about):
                break  # "No receipt, but yes, it's in the box": the no is the receipt's
            return value, quote(reply, 0, match.end())
    for clause in _CLAUSE.finditer(reply):
        words = clause.group(0)
        if words.rstrip().endswith("?"):
            continue  # "does the box count?" states nothing
        if _UNSURE.search(words):
            continue  # "receipt, no idea": unknown, not no
        named = next((m for p in heard.about if (m := clock.search(p, words)) is not None), None)
        if named is not None:
            start = clause.start() + named.start()
            after = words[named.end():]  # "the receipt I don't have"
            no = _NO.match(words) is not None or negated(words[: named.start()], NEGATIONS) or \
                _NEGATED_AFTER.search(after) is not None  # "… and no, I tossed the bag"
            return not no, quote(reply, start, clause.start() + named.end())
        match = _YES.match(words)
        if match:
            return True, quote(reply, clause.start(), clause.start() + match.end())
    return None


def questions(asked: str) -> list[str]:
    """The sentences of the agent's turn that ask something ("... So when did you buy it?"), a short one with the
    sentence before it, or the whole turn when it asks without a question mark ("I'll need the receipt")."""
    if not asks(asked):
        return []
    questions = []
    for match in _QUESTION.finditer(asked):
        start = match.start()
        if len(match.group(0).split()) <= SHORT_QUESTION:  # "Do you have either?": the sentence before says what
            start = max((m.end() for m in SENTENCE_END.finditer(asked, 0, max(start - 1, 0))), default=0)
        questions.append(asked[start : match.end()])
    return questions or [asked]
