"""Which procedure the call follows, among the best-ranked articles that lay out steps.

Retrieval ranks by the customer's words, and those can name a product more loudly than the need ("the linen
pants I ordered have a grease spot" reads like the jeans FAQ). Two things the call carries besides words say
which procedure it is: the steps the agent has already worked through, and the facts the desktop sent. A
purchase's age or a disputed amount is only read by some procedures' policies, so a call carrying it is about
one of those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import takewhile

from assist.call import Call
from assist.knowledge.articles import Article
from assist.limits import ANSWER_TERMS
from assist.policy.course.needs import NAMED_MARGIN, need_words
from assist.policy.course.progress import Progress
from assist.policy.course.reading import Candidate
from assist.policy.course.turns import answers_agent, last_customer_turn, need_turn, quoted, turns_to_new_matter

# Facts pick among procedures whose best answers score within this of the best one (weighted features: a top
# answer scores about 3-4); further down, the words of the call outweigh what the desktop sent.
FACT_MARGIN = 1.0
# The procedure a call follows gives way only to one whose best answer scores this much better (a top answer
# scores about 3-4): the ranking drifts with every turn, the customer's need does not.
SWITCH_MARGIN = 1.0
# A procedure with the same steps as the one followed replaces it when it ranks this far ahead (see _sibling).
SIBLING_MARGIN = 0.5
# A need phrase of at least this many terms, said in a turn that may raise a new need, switches the procedure
# without SWITCH_MARGIN ("I'd rather send them back"); one word said mid-call is often about the matter in hand
# ("is there a fee to cancel?"), unless in words that ask for it ("then I'd like to return mine").
SWITCH_PHRASE_TERMS = 2
# A turn that says outright it turns to another matter switches to a procedure this much ahead of the one followed
# (not SWITCH_MARGIN): the customer has said the need changes, the ranking need only agree.
NEW_MATTER_MARGIN = 0.5
# Two procedures whose best answers score this close (weighted features, a top answer scores about 3-4) are
# equally likely: the agent gets a clarifying question.
CLARIFY_MARGIN = 0.3


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
        return Course(chosen, need, f"the customer said {quoted(call.transcript, need)}")
    turn = last_customer_turn(call.transcript)
    if fresh is None and not any(s in progress for s in previous.article.steps) and turn >= 0 \
            and len(need_words(call.transcript[turn].text)) > ANSWER_TERMS:
        # nothing done yet ("hi, I've got a question about an order" / "Sure, what is it?"): the customer's fuller
        # answer chooses again, as a first turn would (a turn that may raise a new need is weighed below)
        chosen = choose_procedure(candidates, progress, False, fit)
        if chosen is not None and chosen.id != previous.article.id:
            return Course(chosen, turn, f"the customer said {quoted(call.transcript, turn)}")
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
    return Course(chosen, turn, f"the customer raised a new need: {quoted(call.transcript, turn)}", shared)


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


def rival(candidates: Sequence[Candidate], procedure: Article | None, progress: Progress,
          fit: Mapping[str, float]) -> Article | None:
    """Before a procedure is under way, another procedure whose best answer scores within CLARIFY_MARGIN of
    the procedure's best, and that the call's facts fit as well: the call fits both about as well, so the
    agent should ask which the customer means."""
    chosen = next((c for c in candidates if c.article is procedure), None)
    if procedure is None or chosen is None or any(s in progress for s in procedure.steps):
        return None
    return next((c.article for c in candidates if c.article.steps != procedure.steps
                 and abs(c.score - chosen.score) <= CLARIFY_MARGIN
                 and fit.get(c.article.id, 0.0) >= fit.get(procedure.id, 0.0)), None)
