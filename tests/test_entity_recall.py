"""The built-in extractor's rules for what news writes around names (version 4): dictionary
words that make no person, groups of people, titles standing for their holders, acronyms
defined in the text and names found once and found again. Each text here is made up."""

from __future__ import annotations

import pytest

from index.entities import BuiltinExtractor, gazetteer
from index.entities.base import MISC, PERSON


@pytest.fixture(scope="module")
def extractor() -> BuiltinExtractor:
    return BuiltinExtractor()


def spans_of(extractor, text: str) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in extractor.extract(text)}


def test_rare_dictionary_words_make_no_person(extractor):
    g = gazetteer.load()
    # the words are the dictionary's, not the news corpus's common ones
    assert {"walrus", "pebble"} <= g.words and not {"walrus", "pebble"} & g.common
    found = spans_of(extractor, "Crowds came to see Walrus Pebbles at the fair.")
    assert ("Walrus Pebbles", PERSON) not in found
    assert ("Walrus Pebbles", MISC) in found


def test_a_rare_word_does_not_outweigh_a_first_name(extractor):
    assert ("Elizabeth Walrus", PERSON) in spans_of(
        extractor, "Crowds came to see Elizabeth Walrus at the fair."
    )
