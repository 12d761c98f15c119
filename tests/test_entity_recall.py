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


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Thousands of Syrians fled north in the winter.", "Syrians"),
        ("Talks between Kurds and Arabs went on.", "Kurds"),
        ("Aid reached the Rohingya, who had fled.", "Rohingya"),
        ("Officials said the Japanese were reluctant.", "Japanese"),
    ],
)
def test_a_nationality_in_the_plural_or_standing_alone_is_a_group_of_people(
    extractor, text, name
):
    assert (name, PERSON) in spans_of(extractor, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The Syrian army moved north.", "Syrian"),
        ("They met the British delegation.", "British"),
        ("Rules for the British and Italian navies changed.", "British"),
        ("They saw the Rohingya refugees.", "Rohingya"),
    ],
)
def test_a_nationality_qualifying_a_noun_stays_misc(extractor, text, name):
    assert (name, MISC) in spans_of(extractor, text)
