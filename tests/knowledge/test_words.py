"""Words and terms of a text: stop words out and stems in for terms, contractions whole for spoken words, runs of
letters and digits for plain names."""

from __future__ import annotations

from assist.knowledge.words import matching_words, plain, spoken_words, terms, words


def test_terms_are_stemmed_words_without_stop_words() -> None:
    assert words("The jackets and the returns") == ["jackets", "returns"]
    assert terms("The jackets and the returns") == ["jacket", "return"]


def test_a_contraction_is_one_spoken_word() -> None:
    assert spoken_words("we haven't moved") == ["we", "haven't", "moved"]


def test_plain_keeps_lower_case_letters_and_digits_one_space_apart() -> None:
    assert plain("Return_Size! (2 items)") == "return size 2 items"


def test_matching_words_are_the_words_whose_stems_are_asked_for_as_written() -> None:
    assert matching_words("Returns and returning", frozenset({"return"})) == ("returns", "returning")
