"""BM25 over passages: the query side must read text exactly as the index was built, and score as bm25s does."""

from __future__ import annotations

import bm25s
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assist.index.lexical import LexicalIndex
from assist.knowledge.words import matching_words, terms

CORPUS = [
    "Returns of stained or damaged items are accepted within 30 days of purchase.",
    "Gold members get free shipping on every order; silver members on orders over $50.",
    "If the customer's card was charged twice, refund the duplicate charge.",
    "Ask for the order ID and the e-mail address on the account before changing an order.",
    "Café opening hours: Montag bis Freitag 9 Uhr. Naïve résumé façade.",
    "",
]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
@settings(max_examples=200, deadline=None)
def test_query_terms_are_what_bm25s_tokenize_gives_the_index(text: str) -> None:
    from assist.knowledge.words import STEMMER as _STEMMER

    expected = bm25s.tokenize(text, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)
    assert terms(text) == (list(expected[0]) if expected else [])


def test_terms_of_a_sample_sentence_are_stemmed_without_stop_words() -> None:
    assert terms("The customer is returning the stained shirts") == ["custom", "return", "stain", "shirt"]


def test_scores_equal_bm25s_own_scoring_including_repeated_terms_and_masks() -> None:
    index = LexicalIndex.build(CORPUS)
    reference = bm25s.BM25()
    reference.index(bm25s.tokenize(CORPUS, stopwords="en", stemmer=__import__("Stemmer").Stemmer("english"),
                                   show_progress=False), show_progress=False)
    mask = np.array([1, 0, 1, 1, 1, 1], dtype=np.float32)
    for query in (["refund", "charg"], ["order", "order", "ship"], ["shirt"], ["gold", "member", "ship"]):
        known = [t for t in query if t in reference.vocab_dict]
        expected = reference.get_scores(known) if known else np.zeros(len(CORPUS))
        np.testing.assert_allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(index.scores(query, mask), expected * mask, rtol=1e-5, atol=1e-6)


def test_unknown_terms_score_nothing() -> None:
    assert not LexicalIndex.build(CORPUS).scores(["zzzz"]).any()
    assert not LexicalIndex.build([]).scores(["order"]).any()


def test_matching_words_are_written_forms_in_first_occurrence_order() -> None:
    stems = frozenset(terms("returning stained shirts"))
    assert matching_words("Stained SHIRTS: a shirt that is stained can be returned.", stems) == (
        "stained", "shirts", "shirt", "returned")
