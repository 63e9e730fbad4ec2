"""Scored candidates → what the agent sees: each answer in its display window, with highlights and a reason,
no passage shown twice, and how sure we are of the first."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from assist.index.lexical import Scores
from assist.index.loaded import KnowledgeIndex
from assist.index.vectors import Rows
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage
from assist.knowledge.words import STEMMER, matching_words, terms
from assist.retrieval.learned import Candidates
from assist.retrieval.query import Query
from assist.retrieval.tuning import Tuning

# Features the presentation reads whatever their weight: relevance for confidence and reasons, and the
# conversation's best article.
SHOWN_FEATURES = frozenset({"dense_last", "dense_all", "doc_bm25_all"})
# doc_bm25_all is scaled so the best article scores 1.0; the margin absorbs float32 rounding.
BEST_ARTICLE = 0.999
SEPARATOR = "\n\n"  # between the passages of one display window
MORE_PASSAGES = 3  # grouped by article: further passages of an answer's article, as references
# BM25 keeps words such as "my" and "can" (its stop list is short, which suits ranking); an agent reading
# highlights needs only the words that carry meaning: scikit-learn's English stop-word list filters them.
_NOT_HIGHLIGHTED = ENGLISH_STOP_WORDS
_STOP_STEMS = frozenset(STEMMER.stemWords(sorted(ENGLISH_STOP_WORDS)))  # "about" says nothing of what to say
# Words that may be an article id ("see recover-username", "[the FAQ](faq-shirts.md)"): checked against the index.
_ARTICLE_ID = re.compile(r"(?<![\w/-])([a-z0-9][a-z0-9._-]*[a-z0-9])(?:\.md)?(?![\w-])")
# Sentence ends: after . ! ? (also closing a **bold** run), not after a list number ("1. "), and line breaks.
_SENTENCES = re.compile(r"(?<=[^\d\s][.!?])\s+|(?<=[.!?]\*\*)\s+|\n+")
READ_OUT_CACHE = 8192  # windows whose say sentence and article names are kept: a call's answers recur
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)]|\|)\s+")
_BOLD_LABEL = re.compile(r"\*\*[^*]+\*\*")  # a step's name ("**Pull up the account.**"), not what to do


@dataclass(frozen=True)
class Scored:
    """A call's candidate passages, best first, with their weighted scores and the features behind them."""

    query: Query
    rows: Rows
    scores: Scores
    features: dict[str, Scores]
    logged: Candidates | None = None  # the best candidates by the hand score, as a suggestion logs them


@dataclass(frozen=True)
class Answer:
    """One ranked passage with the evidence shown to the agent."""

    passage: Passage
    article: Article
    score: float
    highlights: tuple[str, ...]
    why: str
    more: tuple[More, ...] = ()  # grouped by article: its other good passages
    say: str | None = None  # the sentence of the window that answers the customer's last turn
    links: tuple[Article, ...] = ()  # other articles the window names ("see recover-username", "(x.md)")


@dataclass(frozen=True)
class More:
    """A further passage of an answer's article, named for the desktop to fetch or expand."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Ranking:
    """The answers for one call, best first, how sure we are of the first, and how close in meaning the customer's
    last words come to anything the knowledge base holds (`relevance`: the best cosine of any candidate)."""

    answers: tuple[Answer, ...]
    confidence: float
    knowledge_gap: bool
    relevance: float = 0.0
    query: Query | None = None  # what the answers were ranked for (to read them out: `Presenter.read_out`)
    candidates: Candidates | None = None  # what the ranking saw, for `assist learn`


@lru_cache(maxsize=READ_OUT_CACHE)
def _say(text: str, stems: frozenset[str]) -> str | None:
    """The sentence of `text` sharing most terms with the customer's own last words (the first of equals), as written
    in `text` (without a list mark); None when no sentence shares one. List items are sentences of their own."""
    best, most = None, 0
    for sentence in _SENTENCES.split(text):
        shared = len(stems & set(terms(sentence)))
        if shared > most:
            best, most = _LIST_MARK.sub("", sentence).strip(), shared
    return best


@lru_cache(maxsize=READ_OUT_CACHE)
def _step_say(text: str, number: int) -> str | None:
    """What the step numbered `number` in `text` tells the agent to do ("2. **Validate the purchase.** Ask for the
    username…" → "Ask for the username…"); None when `text` does not list that step."""
    item = re.search(rf"(?m)^\s*{number}[.)]\s+(.+)$", text)
    if item is None:
        return None
    sentences = [s.strip() for s in _SENTENCES.split(item.group(1)) if s.strip()]
    return next((s for s in sentences if not _BOLD_LABEL.fullmatch(s)), sentences[0] if sentences else None)


class Presenter:
    """Turns scored candidates of one index version into the answers an agent reads."""

    def __init__(self, index: KnowledgeIndex, article_row: Rows, tuning: Tuning) -> None:
        self.index = index
        self.tuning = tuning
        self._article_row = article_row
        self._owner = [index.articles[p.article_id] for p in index.passages]
        self._stand_in = _stand_ins(index.passages)
        self._first_row: dict[str, int] = {}  # passages are stored article by article, in order
        for row, passage in enumerate(index.passages):
            self._first_row.setdefault(passage.article_id, row)

    def present(self, scored: Scored, limit: int, by_article: bool = False) -> Ranking:
        """The best `limit` answers, each with its window; a passage inside a better answer's window is skipped.

        `by_article`: one answer per article, its best passage's window, with the article's next best
        passages as `more` references.
        """
        if not len(scored.rows):
            return Ranking((), 0.0, True)
        confidence = self._confidence(scored)
        answers: list[Answer] = []
        more: dict[str, list[More]] = {}
        shown: set[int] = set()
        procedures: set[tuple[tuple[str, ...], str]] = set()  # (steps, section) already on screen
        for i, row in enumerate(int(r) for r in scored.rows):
            display = self._stand_in[row]
            if display < 0 or display in shown:
                continue  # nothing to read, or already on screen inside a better answer's window
            article = self._owner[row]
            if by_article and article.id in more:
                if len(more[article.id]) < MORE_PASSAGES and display == row:
                    more[article.id].append(More(self.index.passages[row], round(float(scored.scores[i]), 4)))
                continue
            if len(answers) == limit:
                if by_article:
                    continue  # still collecting the `more` of the answers already chosen
                break
            window, rows = self._display(display, shown)
            sibling = (article.steps, window.section)
            if article.steps and sibling in procedures:
                continue  # a sibling article's copy of the same procedure text
            procedures.add(sibling)
            shown.update(rows)
            answers.append(self._answer(row, window, scored, i))
            more[article.id] = []
        if by_article:
            answers = [replace(a, more=tuple(more[a.article.id])) for a in answers]
        relevance = float(scored.features["dense_last"].max())
        return Ranking(tuple(answers), confidence, confidence < self.tuning.gap_threshold, round(relevance, 4),
                       scored.query, scored.logged)

    def _confidence(self, scored: Scored) -> float:
        """Calibrated chance the first answer is the right passage: its lead, gated by its plain relevance."""
        t, ordered = self.tuning, scored.scores
        similarity = max(float(scored.features["dense_last"][0]), float(scored.features["dense_all"][0]))
        lead = float(ordered[0] - ordered[1]) if len(ordered) > 1 else float(ordered[0])
        chance = 1 / (1 + math.exp(-(t.confidence_slope * lead + t.confidence_offset)))
        relevance = (similarity - t.relevance_floor) / (t.relevance_full - t.relevance_floor)
        return round(chance * min(max(relevance, 0.0), 1.0), 4)

    def _answer(self, row: int, window: Passage, scored: Scored, i: int) -> Answer:
        """The answer for ranked passage `row` shown as `window`; `why` names whose words matched."""
        passage, query = self.index.passages[row], scored.query
        said_stems, asked_stems = frozenset(query.said_terms), frozenset(query.last_terms)
        matched = _meaningful(passage.text, said_stems | asked_stems)  # one pass over the passage's words
        said = tuple(w for w in matched if STEMMER.stemWord(w) in said_stems)
        asked = tuple(w for w in matched if STEMMER.stemWord(w) in asked_stems)
        quoted = ", ".join(f"'{t}'" for t in (said or asked)[:5])
        if passage.routing and quoted:
            why = f"the customer's words match how customers put this need: {quoted}"
        elif said:
            why = f"matches the customer's last words: {quoted}"
        elif asked:
            why = f"matches the conversation so far: {quoted}"
        else:
            why = "close in meaning to what the customer said"
        if scored.features["doc_bm25_all"][i] >= BEST_ARTICLE:
            why += "; the article best matching the whole conversation"
        # the desk marks every occurrence of these words in the window
        return Answer(window, self._owner[row], round(float(scored.scores[i]), 4), asked, why)

    def read_out(self, answers: Sequence[Answer], query: Query, first_about: frozenset[str] | None = None,
                 first_step: int | None = None) -> tuple[Answer, ...]:
        """The answers an agent will see, each with the sentence to say (the one sharing most with the customer's
        last words; for the first answer, with `first_about` when given, or else the instruction of its step
        numbered `first_step` when the window lists it: the step the agent is on) and the articles it links to
        (done for these answers only, not every candidate ranked)."""
        stems = frozenset(query.said_terms) - _STOP_STEMS
        about = [first_about - _STOP_STEMS if first_about else stems] + [stems] * (len(answers) - 1)
        step = first_step if not first_about else None
        return tuple(replace(a, say=(i == 0 and step is not None and _step_say(a.passage.text, step)) or
                             _say(a.passage.text, s), links=self._links(a.passage))
                     for i, (a, s) in enumerate(zip(answers, about, strict=False)))

    def window_of(self, passage: Passage) -> Passage:
        """The display window an answer ranked on `passage` shows (its neighbours as they fit)."""
        return self._display(self._first_row[passage.article_id] + passage.ordinal, set())[0]

    def _links(self, window: Passage) -> tuple[Article, ...]:
        """The other articles of this version that the window names by id (a bare id or a markdown link)."""
        articles = self.index.articles
        return tuple(articles[i] for i in _named(window.text) if i in articles and i != window.article_id)

    def _display(self, row: int, shown: set[int]) -> tuple[Passage, range]:
        """The passage with the following (then preceding) passages of its article, while they fit and are
        not on screen already: no two answers overlap. The window's section is that of its first line."""
        passages = self.index.passages
        text, first, last = passages[row].text, row, row
        while True:
            after, before = last + 1, first - 1
            if self._joins(row, after, text, shown):
                text, last = f"{text}{SEPARATOR}{passages[after].text}", after
            elif self._joins(row, before, text, shown):
                text, first = f"{passages[before].text}{SEPARATOR}{text}", before
            else:
                window = replace(passages[row], text=text, section=passages[first].section)
                return window, range(first, last + 1)

    def _joins(self, row: int, other: int, text: str, shown: set[int]) -> bool:
        """Whether passage `other` can join the window of `row` (same article, readable, unseen, within the
        bound)."""
        passages, owner = self.index.passages, self._article_row
        return (0 <= other < len(passages) and owner[other] == owner[row] and other not in shown
                and not passages[other].routing
                and len(text) + len(SEPARATOR) + len(passages[other].text) <= self.tuning.display_chars)


def _stand_ins(passages: Sequence[Passage]) -> list[int]:
    """For each passage, the one shown when it ranks: itself, or for a routing passage (never shown) the first
    passage of its article an agent can read; -1 when the article has none."""
    first: dict[str, int] = {}
    for row, passage in enumerate(passages):
        if not passage.routing:
            first.setdefault(passage.article_id, row)
    return [first.get(p.article_id, -1) if p.routing else row for row, p in enumerate(passages)]


@lru_cache(maxsize=READ_OUT_CACHE)
def _named(text: str) -> tuple[str, ...]:
    """The words of `text` that may be article ids, once each, first occurrence order."""
    return tuple(dict.fromkeys(w.removesuffix(".md") for w in _ARTICLE_ID.findall(text)))


def _meaningful(text: str, stems: frozenset[str]) -> list[str]:
    """The words of `text` with those stems, as written, without the words that carry no meaning (stop words,
    and the 'll / 've left of "I'll", "we've")."""
    return [w for w in matching_words(text, stems) if w not in _NOT_HIGHLIGHTED and len(w) > 2]
