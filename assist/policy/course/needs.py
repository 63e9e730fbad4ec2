"""What the customer needs, by the call's own words and facts: whether a need was stated at all, the need phrases
the policies know ("send it back"), and how plainly the facts and phrases point at each procedure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assist.call import Call
from assist.knowledge.words import terms
from assist.policy.course.reading import Candidate
from assist.policy.policyset import PolicySet

# A need phrase the customer said lifts its procedure over one with policies of its own only when they score
# about equally (two procedures alike enough that the ranking is the better judge).
NAMED_MARGIN = 0.5
# Words that carry no need on their own ("hi, um, I have a question about an order" says nothing yet of what the
# customer needs): a call states its need once a customer turn holds NEED_WORDS other words, or a need phrase.
_NO_NEED = frozenset(terms("hi hello hey um uh erm oh yeah yes yep ok okay so well just quick question thing call "
                           "calling help hear there thanks thank please about my your the a an i you we me can have "
                           "got get any some great good nice perfect cool much all done bye something stuff thing "
                           "things item ordered bought purchased"))
NEED_WORDS = 2
# Terms that may stand between two of a need phrase's terms: "send them back", "add a scarf to my order".
PHRASE_GAP = 2
# Words where the customer declines a need name none: "I don't want to return it or anything, I just want to know how
# to get the stain out".
_DECLINED = re.compile(r"\b(?:don'?t|do not|not|never|no)\s+(?:really\s+)?(?:want|wanna|need|looking|trying|planning"
                       r"|intend\w*)\b(?:\W+\w+){0,4}", re.IGNORECASE)


def states_need(policies: PolicySet, call: Call) -> bool:
    """Whether the customer has said what they need: a turn with NEED_WORDS words that carry a need, or a need
    phrase the policies know ("can I return it?")."""
    said = [t for t in call.transcript if t.speaker == "customer"]
    if any(len(need_words(t.text)) >= NEED_WORDS for t in said):
        return True
    return bool(named_needs(policies, call))


def need_words(text: str) -> list[str]:
    """The words of a turn that may carry a need (not greetings, fillers, thanks)."""
    return [w for w in terms(text) if w not in _NO_NEED]


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
