"""Scored candidates → what the agent sees: each answer in its display window, with highlights and a reason,
no passage shown twice, and how sure we are of the first."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from assist.index.lexical import Scores
from assist.index.version import KnowledgeIndex
from assist.knowledge.articles import Article
from assist.knowledge.passages import Passage
from assist.knowledge.words import matching_words, terms
from assist.retrieval.features import Rows
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
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class Scored:
    """A call's candidate passages, best first, with their weighted scores and the features behind them."""

    query: Query
    rows: Rows
    scores: Scores
    features: dict[str, Scores]


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


@dataclass(frozen=True)
class More:
    """A further passage of an answer's article, named for the desktop to fetch or expand."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class Ranking:
    """The answers for one call, best first, and how sure we are of the first."""

    answers: tuple[Answer, ...]
    confidence: float
    knowledge_gap: bool


def _say(text: str, stems: frozenset[str]) -> str | None:
    """The sentence of `text` sharing most terms with the customer's question (the first of equals); None when
    no sentence shares one. List items and table rows are sentences of their own."""
    best, most = None, 0
    for sentence in _SENTENCES.split(text):
        shared = len(stems & set(terms(sentence)))
        if shared > most:
            best, most = sentence.strip(" -*|#"), shared
    return best


class Presenter:
    """Turns scored candidates of one index version into the answers an agent reads."""

    def __init__(self, index: KnowledgeIndex, article_row: Rows, tuning: Tuning) -> None:
        self.index = index
        self.tuning = tuning
        self._article_row = article_row
        self._owner = [index.articles[p.article_id] for p in index.passages]

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
        for i, row in enumerate(int(r) for r in scored.rows):
            if row in shown:
                continue  # already on screen inside a better answer's window
            article_id = self.index.passages[row].article_id
            if by_article and article_id in more:
                if len(more[article_id]) < MORE_PASSAGES:
                    more[article_id].append(More(self.index.passages[row], round(float(scored.scores[i]), 4)))
                continue
            if len(answers) == limit:
                if by_article:
                    continue  # still collecting the `more` of the answers already chosen
                break
            window, rows = self._display(row, shown)
            shown.update(rows)
            answers.append(self._answer(row, window, scored, i))
            more[article_id] = []
        if by_article:
            answers = [replace(a, more=tuple(more[a.article.id])) for a in answers]
        return Ranking(tuple(answers), confidence, confidence < self.tuning.gap_threshold)

    def _confidence(self, scored: Scored) -> float:
        """Calibrated chance the first answer is the right passage: its lead, gated by its plain relevance."""
        t, ordered = self.tuning, scored.scores
        similarity = max(float(scored.features["dense_last"][0]), float(scored.features["dense_all"][0]))
        lead = float(ordered[0] - ordered[1]) if len(ordered) > 1 else float(ordered[0])
        chance = 1 / (1 + math.exp(-(t.confidence_slope * lead + t.confidence_offset)))
        relevance = (similarity - t.relevance_floor) / (t.relevance_full - t.relevance_floor)
        return round(chance * min(max(relevance, 0.0), 1.0), 4)

    def _answer(self, row: int, window: Passage, scored: Scored, i: int) -> Answer:
        passage, features = self.index.passages[row], scored.features
        stems = frozenset(scored.query.last_terms) & frozenset(terms(passage.text))
        shared = tuple(w for w in matching_words(passage.text, stems) if w not in _NOT_HIGHLIGHTED)
        if shared:
            why = "matches " + ", ".join(f"'{t}'" for t in shared[:5]) + " in the customer's last turn"
        else:
            why = f"close in meaning to the last turn (similarity {float(features['dense_last'][i]):.2f})"
        if features["doc_bm25_all"][i] >= BEST_ARTICLE:
            why += "; the article best matching the whole conversation"
        return Answer(window, self._owner[row], round(float(scored.scores[i]), 4), shared, why,
                      say=_say(window.text, frozenset(scored.query.last_terms)))

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
        """Whether passage `other` can join the window of `row` (same article, unseen, within the bound)."""
        passages, owner = self.index.passages, self._article_row
        return (0 <= other < len(passages) and owner[other] == owner[row] and other not in shown
                and len(text) + len(SEPARATOR) + len(passages[other].text) <= self.tuning.display_chars)
