"""Words and terms of a text: the tokenizers BM25, queries, highlights and the call's policy reading share."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from assist.limits import ANSWER_TERMS

STEMMER = Stemmer.Stemmer("english")
# What bm25s.tokenize(stopwords="en") does, without its per-call progress bars and set building: the same
# token pattern (scikit-learn's) and the same stop words, so query terms match the index's exactly.
_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_SPOKEN = re.compile(r"[\w']+")  # a contraction is one word: "haven't"
_PLAIN = re.compile(r"[a-z0-9]+")
_RUN = re.compile(r"\w+")
TERM_CACHE = 16384  # texts whose terms are kept: turns are re-sent with every request of a call


def words(text: str) -> list[str]:
    """Lower-cased, stop-word-free words of `text`, in order (bm25s' tokenizer before stemming)."""
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed tokens of `text`, in order."""
    return list(_terms(text))


@lru_cache(maxsize=TERM_CACHE)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(STEMMER.stemWords(words(text)))


def short_reply(text: str) -> bool:
    """Whether `text` has at most ANSWER_TERMS content terms ("yes", "9.99", "about a week"): a turn that only
    answers the agent, raises no need, and is read with the turns before it."""
    return len(terms(text)) <= ANSWER_TERMS


def matching_words(text: str, stems: frozenset[str]) -> tuple[str, ...]:
    """The words of `text` whose stems are in `stems`, as written, first occurrence order, lower-cased."""
    found: dict[str, None] = {}
    for word in words(text):
        if word not in found and STEMMER.stemWord(word) in stems:
            found[word] = None
    return tuple(found)


def spoken_words(text: str) -> list[str]:
    """The words of `text` as said, contractions whole ("we haven't moved" → we, haven't, moved), case kept."""
    return _SPOKEN.findall(text)


def plain(text: str) -> str:
    """`text` lower-cased to its runs of ASCII letters and digits, one space apart ("Return_Size!" → "return size")."""
    return " ".join(_PLAIN.findall(text.lower()))


def word_runs(text: str) -> list[str]:
    """Every run of word characters in `text` as written (one-letter and stop words too): what a reader counts."""
    return _RUN.findall(text)
