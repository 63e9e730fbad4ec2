"""Which procedure the call follows, among the best-ranked articles that lay out steps.

Retrieval ranks by the customer's words, and those can name a product more loudly than the need ("the linen
pants I ordered have a grease spot" reads like the jeans FAQ). Two things the call carries besides words say
which procedure it is: the steps the agent has already worked through, and the facts the desktop sent. A
purchase's age or a disputed amount is only read by some procedures' policies, so a call carrying it is about
one of those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile

from assist.call import Call, Turn
from assist.knowledge.articles import Article
from assist.knowledge.words import terms
from assist.policy.cues import asks
from assist.policy.policyset import PolicySet
from assist.policy.progress import Progress

# Facts pick among procedures whose best answers score within this of the best one (weighted features: a top
# answer scores about 3-4); further down, the words of the call outweigh what the desktop sent.
FACT_MARGIN = 1.0
# A need phrase the customer said lifts its procedure over one with policies of its own only when they score
# about equally (two procedures alike enough that the ranking is the better judge).
NAMED_MARGIN = 0.5
# A customer turn of at most this many content words answers the agent; it does not raise a new need.
ANSWER_TERMS = 3
# Words that carry no need on their own ("hi, um, I have a question about an order" says nothing yet of what the
# customer needs): a call states its need once a customer turn holds NEED_WORDS other words, or a need phrase.
_NO_NEED = frozenset(terms("hi hello hey um uh erm oh yeah yes yep ok okay so well just quick question thing call "
                           "calling help hear there thanks thank please about my your the a an i you we me can have "
                           "got get any some great good nice perfect cool much all done bye something stuff thing "
                           "things item ordered bought purchased"))
NEED_WORDS = 2
# The procedure a call follows gives way only to one whose best answer scores this much better (a top answer
# scores about 3-4): the ranking drifts with every turn, the customer's need does not.
SWITCH_MARGIN = 1.0
# A procedure with the same steps as the one followed replaces it when it ranks this far ahead (see _sibling).
SIBLING_MARGIN = 0.5
# A need phrase of at least this many terms, said in a turn that may raise a new need, switches the procedure
# without SWITCH_MARGIN ("I'd rather send them back"); one word said mid-call is often about the matter in hand
# ("is there a fee to cancel?").
SWITCH_PHRASE_TERMS = 2
# ... or of one term in words that ask for it ("then I'd like to return mine"), not about it ("a fee to cancel?"); a
# phrase in a question about how the need works ("how long until I get my money back?") switches nothing.
_ABOUT_IT = re.compile(r"\b(?:how long|how much|how many|what about|when will|when do|when does|what is|what's|is there"
                       r"|are there|does it|do you)\b", re.IGNORECASE)
_REQUEST = re.compile(r"\b(?:i'?d like to|i would like to|i want to|i wanna|i need to|i'?d rather|can i|could i)\b",
                      re.IGNORECASE)
# Terms that may stand between two of a need phrase's terms: "send them back", "add a scarf to my order".
PHRASE_GAP = 2
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
# A turn that says outright it turns to another matter switches to a procedure this much ahead of the one followed
# (not SWITCH_MARGIN): the customer has said the need changes, the ranking need only agree.
NEW_MATTER_MARGIN = 0.5
# Words where the customer declines a need name none: "I don't want to return it or anything, I just want to know how
# to get the stain out".
_DECLINED = re.compile(r"\b(?:don'?t|do not|not|never|no)\s+(?:really\s+)?(?:want|wanna|need|looking|trying|planning"
                       r"|intend\w*)\b(?:\W+\w+){0,4}", re.IGNORECASE)
# An agent turn that invites the customer to raise another need: what follows is no answer to a question.
_INVITES = re.compile(r"\b(?:anything|something) else\b|\bwhat else\b|\bhow (?:else )?can i help\b"
                      r"|\b(?:anything|something)\b[^.?!]{0,40}\bhelp\b|\bhelp (?:you )?with (?:anything|something)\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """An article with steps, and the ranking score of its best answer for the call."""

    article: Article
    score: float


@dataclass(frozen=True)
class Course:
    """The procedure a call follows: its article, the turn (index into the transcript) that raised the need,
    and why, in the agent's words. A procedure the call switched to counts work done before `since_turn` only
    for the steps in `carried` (those it begins with as the one before did: the account is pulled up once);
    None: the call's first procedure, which counts all of it."""

    article: Article
    since_turn: int
    reason: str
    carried: frozenset[str] | None = None


def follow(previous: Course | None, candidates: Sequence[Candidate], progress: Progress, call: Call,
           fit: Mapping[str, float], fresh: Sequence[Candidate] | None = None,
           fresh_fit: Mapping[str, float] | None = None, named: frozenset[str] = frozenset(),
           raised_at: int | None = None) -> Course | None:
    """The procedure the call follows now: the one it followed, unless the customer raised a new need.

    A customer turn that answers the agent (short, or a reply to the agent's question) never switches. A turn
    that may raise a new need is ranked on its own (`fresh`, with the fit of its own words, `fresh_fit`): the
    ranking of the whole call leans on the need it has followed so far. It switches only to a procedure whose
    best answer leads the followed one by SWITCH_MARGIN there (or when the followed one does not rank at
    all). Without a previous course the best choice now is committed to; so it is again while none of the
    followed procedure's steps is done, on a customer's reply that says more than an answer. A turn that
    names a need the policies know (`named`: the articles they serve, "I'd rather send them back") that the
    followed procedure does not serve switches to the best-ranked of those, whatever the margin, when it ranks
    within NAMED_MARGIN of the turn's best other procedure. `raised_at`: the turn that raised the need, for a
    call that followed nothing before (by default the turn that stated the call's first need).
    """
    answering = answers_agent(call.transcript)
    if previous is None:
        chosen = choose_procedure(candidates, progress, answering, fit)
        if chosen is None:
            return None
        need = need_turn(call.transcript) if raised_at is None else raised_at
        return Course(chosen, need, f"the customer said {_quoted(call.transcript, need)}")
    turn = last_customer_turn(call.transcript)
    if fresh is None and not any(s in progress for s in previous.article.steps) and turn >= 0 \
            and len(_need_words(call.transcript[turn].text)) > ANSWER_TERMS:
        # nothing done yet ("hi, I've got a question about an order" / "Sure, what is it?"): the customer's fuller
        # answer chooses again, as a first turn would (a turn that may raise a new need is weighed below)
        chosen = choose_procedure(candidates, progress, False, fit)
        if chosen is not None and chosen.id != previous.article.id:
            return Course(chosen, turn, f"the customer said {_quoted(call.transcript, turn)}")
    sibling = _sibling(previous, candidates)
    if sibling is not None:
        return sibling
    if answering and fresh is None:  # a reply, unless it turns to another matter (see new_need)
        return previous
    pool = fresh if fresh is not None else candidates
    weights = fresh_fit if fresh is not None and fresh_fit is not None else fit
    others = [c.score for c in pool if c.article.id != previous.article.id]
    naming = [c for c in pool if c.article.id in named and c.score >= max(others, default=c.score) - NAMED_MARGIN] \
        if fresh is not None and previous.article.id not in named else []
    chosen = choose_procedure(naming or pool, progress, False, weights)
    # (an empty `fresh`: the turn on its own matches nothing well enough to be a need)
    if chosen is None or chosen.id == previous.article.id:
        return previous
    scores = {c.article.id: c.score for c in pool}
    held = scores.get(previous.article.id)
    margin = NEW_MATTER_MARGIN if turns_to_new_matter(call.transcript[turn].text) else SWITCH_MARGIN
    if not naming and held is not None and held >= scores[chosen.id] - margin:
        return previous
    shared = frozenset(a for a, b in takewhile(lambda pair: pair[0] == pair[1],
                                              zip(previous.article.steps, chosen.steps, strict=False)))
    return Course(chosen, turn, f"the customer raised a new need: {_quoted(call.transcript, turn)}", shared)


def _sibling(previous: Course, candidates: Sequence[Candidate]) -> Course | None:
    """The need better understood: a procedure with the very same steps (a stain rather than a wrong colour)
    that the whole call now ranks first, SIBLING_MARGIN ahead of the one followed (or with the followed one
    no longer ranked). The agent's steps and their numbers do not change, so this is no switch."""
    top = candidates[0] if candidates else None
    if top is None or top.article.id == previous.article.id or top.article.steps != previous.article.steps:
        return None
    held = next((c.score for c in candidates if c.article.id == previous.article.id), None)
    if held is not None and top.score - held < SIBLING_MARGIN:
        return None
    return Course(top.article, previous.since_turn, previous.reason, previous.carried)


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
    if (not following and len(terms(transcript[turn].text)) > ANSWER_TERMS) or not answers_agent(transcript):
        return transcript[turn]
    moving_on = _MOVING_ON.search(transcript[turn].text)
    rest = transcript[turn].text[moving_on.end():] if moving_on else ""
    return Turn("customer", rest) if len(terms(rest)) > ANSWER_TERMS else None


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
    if len(terms(transcript[turn].text)) <= ANSWER_TERMS:
        return True
    agent = transcript[turn - 1]
    return agent.speaker == "agent" and asks(agent.text) and not invites(agent.text)


def states_need(policies: PolicySet, call: Call) -> bool:
    """Whether the customer has said what they need: a turn with NEED_WORDS words that carry a need, or a need
    phrase the policies know ("can I return it?")."""
    said = [t for t in call.transcript if t.speaker == "customer"]
    if any(len(_need_words(t.text)) >= NEED_WORDS for t in said):
        return True
    return bool(named_needs(policies, call))


def _need_words(text: str) -> list[str]:
    """The words of a turn that may carry a need (not greetings, fillers, thanks)."""
    return [w for w in terms(text) if w not in _NO_NEED]


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
    return next((i for i in customer if len(terms(transcript[i].text)) > ANSWER_TERMS), customer[0] if customer else 0)


def _quoted(transcript: Sequence[Turn], turn: int) -> str:
    if not 0 <= turn < len(transcript):
        return "(the issue the desktop sent)"
    text = " ".join(transcript[turn].text.split())
    text = text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"
    return f'"{text}" (turn {turn + 1})'  # as the desk numbers turns, from 1


def fact_fit(policies: PolicySet, call: Call, rivals: Sequence[Candidate] = ()) -> dict[str, float]:
    """How plainly what the call carries points at each article's procedure: the facts the desktop sent and the
    need phrases the customer said (policy scopes' `issues`: "send it back"). Each counts for every article
    whose policies read it (or name it), the more the fewer such articles (1 / their number).

    A need phrase lifts its articles over an FAQ, not over what ranks above them for the same topic (`rivals`:
    the candidates, best first): a rival whose title holds the phrase ("the status of my refund" is no refund
    to grant), or a procedure with policies of its own ranked NAMED_MARGIN ahead."""
    readers = policies.fact_readers
    clues = [readers.get(fact, ()) for fact, value in call.facts.items() if value is not None]
    clues += [articles for phrase, articles in named_needs(policies, call)
              if not _outranked(phrase, articles, rivals, policies.governed)]
    fit: dict[str, float] = {}
    for articles in clues:
        for article_id in articles:
            fit[article_id] = fit.get(article_id, 0.0) + 1.0 / len(articles)
    return fit


def _outranked(phrase: tuple[str, ...], articles: tuple[str, ...], rivals: Sequence[Candidate],
               governed: frozenset[str]) -> bool:
    """Whether a rival ranked above every one of `articles` holds the phrase in its title's subject (what comes
    before any bracketed examples), or has policies of its own and scores NAMED_MARGIN more than the best of
    them."""
    best = next((c.score for c in rivals if c.article.id in articles), None)
    for rival in rivals:
        if rival.article.id in articles:
            return False
        if _holds(terms(rival.article.title.split("(")[0]), phrase):  # the subject, not the examples in brackets
            return True
        if rival.article.id in governed and (best is None or rival.score - best > NAMED_MARGIN):
            return True
    return False


def named_needs(policies: PolicySet, call: Call) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each need phrase the customer said (not in words that decline it), with the articles whose policies name
    it."""
    said = [terms(part) for t in call.transcript if t.speaker == "customer" for part in _DECLINED.split(t.text)]
    return [(phrase, articles) for phrase, articles in policies.need_phrases.items()
            if any(_holds(s, phrase) for s in said)]


def _holds(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` stands in `words` in order, each term at most PHRASE_GAP terms after the one before
    ("send them back" holds "send back")."""
    for start, word in enumerate(words):
        if word != phrase[0]:
            continue
        at = start
        for term in phrase[1:]:
            at = next((i for i in range(at + 1, min(at + 2 + PHRASE_GAP, len(words))) if words[i] == term), -1)
            if at < 0:
                break
        if at >= 0:
            return True
    return False


def choose_procedure(candidates: Sequence[Candidate], progress: Progress, answering: bool,
                     fit: Mapping[str, float]) -> Article | None:
    """The procedure to follow among candidates, best ranked first.

    When the customer's last turn only answers the agent (`answering`: "yes", "ok it's 4.99"), the procedure
    under way goes on: the one with most steps the agent has done on the call (a fact the desktop sent says
    nothing about which procedure the agent follows), so a short reply does not switch it. Otherwise, and
    among procedures equally under way, the candidate the call's facts fit best (`fit`, from `fact_fit`)
    among those within FACT_MARGIN of the best score. Ties go to the better ranked.
    """
    if not candidates:
        return None
    near = [c for c in candidates if c.score >= candidates[0].score - FACT_MARGIN]
    fitting = max(near, key=lambda c: fit.get(c.article.id, 0.0))
    if not answering:
        return fitting.article
    ordered = [fitting, *(c for c in candidates if c is not fitting)]
    return max(ordered, key=lambda c: _worked(c.article, progress)).article


def _worked(article: Article, progress: Progress) -> int:
    """How many of the article's steps the agent's own turns completed."""
    return sum(1 for s in article.steps if s in progress and progress[s].turn is not None)
