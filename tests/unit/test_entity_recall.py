"""The built-in extractor's rules for what news writes around names (version 4): dictionary
words that make no person, groups of people, titles standing for their holders, acronyms
defined in the text and names found once and found again. Each text here is made up."""

from __future__ import annotations

import pytest

from index.entities import BuiltinExtractor, gazetteer
from index.entities.base import MISC, ORG, PERSON, PLACE


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


@pytest.mark.parametrize(
    ("text", "office", "owner"),
    [
        ("She ran for Governor of Oregon last year.", "Governor of Oregon", ("Oregon", PLACE)),
        ("Norway's Prime Minister said no.", "Norway's Prime Minister", ("Norway", PLACE)),
    ],
)
def test_an_office_stands_for_its_holder(extractor, text, office, owner):
    found = spans_of(extractor, text)
    assert (office, PERSON) in found
    assert owner in found  # the place is still named


def test_an_office_before_its_holder_is_no_person_of_its_own(extractor):
    text = "Yesterday Norway's Prime Minister Erna Solberg said no."
    assert {t for t, label in spans_of(extractor, text) if label == PERSON} == {"Erna Solberg"}
    # a name after the office, read into the organisation's name, still makes no holder
    text = "The Governor of the Bank of Norway Anna Lindqvist spoke."
    assert not any(t.startswith("Governor") for t, _ in spans_of(extractor, text))


def test_an_honorific_before_a_title_is_the_holder_addressed(extractor):
    assert ("Mr. President", PERSON) in spans_of(extractor, "Thank you, Mr. President, for that.")


def test_a_known_university_town_with_its_state_after_it_is_the_town(extractor):
    text = "She studied at Cambridge. Her office is in Cambridge, Massachusetts, by the river."
    spans = extractor.extract(text)
    assert [s.label for s in spans if s.text == "Cambridge"] == [ORG, PLACE]


def test_a_name_the_text_only_goes_in_and_writes_after_the_is_no_place(extractor):
    text = "Crowds gather in Zarnival week.\n\nThe Zarnival begins at dawn. Many love the Zarnival."
    assert not any(s.text == "Zarnival" for s in extractor.extract(text))
    # a preposition alone still makes the place
    assert ("Zarnival", PLACE) in spans_of(extractor, "Crowds gather in Zarnival each week.")


def test_the_second_author_of_a_book_list_entry(extractor):
    text = "Reading list:\n\nKovac, Ivan and Lindqvist, Henrik. A History of Salt.\n"
    found = {(s.text, s.label, s.canonical) for s in extractor.extract(text)}
    assert ("Kovac, Ivan", PERSON, "Ivan Kovac") in found
    assert ("Lindqvist, Henrik", PERSON, "Henrik Lindqvist") in found


def test_the_speaker_after_a_quotation_and_a_dash(extractor):
    text = '"We have ideas, they have oil." — Quarmbe, on the talks.'
    assert ("Quarmbe", PERSON) in spans_of(extractor, text)


def test_a_complex_is_a_place(extractor):
    assert ("Harbin Sports Complex", PLACE) in spans_of(
        extractor, "The match was held at the Harbin Sports Complex on Sunday."
    )


def test_an_acronym_spelled_out_in_lower_case_is_no_organisation(extractor):
    text = "Exports of refined palm oil (RPO) rose. The RPO price fell, the ZTK board said."
    found = spans_of(extractor, text)
    assert ("RPO", ORG) not in found and ("RPO", MISC) in found
    assert ("ZTK", ORG) in found  # an acronym the text does not spell out stays one
    # spelled out in capitals, it may be an organisation: it stays one
    text = "The Helvetic Tariff Office (HTO) said. HTO agreed."
    assert ("HTO", ORG) in spans_of(extractor, text)


def test_a_nationality_after_a_group_and_and_is_a_group_too(extractor):
    found = spans_of(extractor, "The boat carried Syrians and Rohingya, all of them rescued.")
    assert ("Rohingya", PERSON) in found


def test_a_dictionary_word_after_in_is_no_place(extractor):
    assert not any(
        s.text == "Ornithology" for s in extractor.extract("She holds a degree in Ornithology.")
    )


@pytest.mark.parametrize(
    "text",
    [
        "Critics spoke. The President has that pulpit, they said.",
        "The Home Secretary and I are working on it.",
        "She said the Prime Minister.",  # at a sentence's end, no "the Velvet Underground."
    ],
)
def test_an_office_alone_after_the_is_its_holder(extractor, text):
    """Version 6: "The President has" names a person, as "Mr. President" does."""
    office = next(t for t in ("Home Secretary", "Prime Minister", "President") if t in text)
    assert (office, PERSON) in spans_of(extractor, text)


@pytest.mark.parametrize(
    "text",
    [
        "He has served as CEO since 1978.",  # a role, not a reference
        "The Mr. said nothing.",  # a form of address
        "the president left early.",  # a word
    ],
)
def test_no_holder_without_an_office_named(extractor, text):
    assert not any(label == PERSON for _, label in spans_of(extractor, text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The story ran in The Quorvex last week.", "The Quorvex"),
        ("She told The Verglas on Monday.", "The Verglas"),
    ],
)
def test_the_capitalised_inside_a_sentence_starts_a_name(extractor, text, name):
    """Version 6: a paper, a band, a party written "The X" inside a sentence."""
    assert (name, ORG) in spans_of(extractor, text)


@pytest.mark.parametrize(
    "text",
    [
        "Fans called him The Quorvex for years.",  # a nickname
        'He referred to the vote as "The Quorvex Hoax" on Monday.',  # a quoted work
        "They read Dawkins' The Quorvex Delusion in school.",  # someone's work
        "He wrote The Quorvex Where It Happened last year.",  # a longer title
        "She won a prize on The Quorvex Show in May.",  # named by its last word
    ],
)
def test_the_x_that_is_no_organisation(extractor, text):
    assert not any(label == ORG and t.startswith("The") for t, label in spans_of(extractor, text))


def test_an_acronym_spelled_out_after_it_is_one_entity_with_it() -> None:
    """ "QEW (Quill Elite Wrestling)": the words in brackets after an acronym spell it out, as
    "Quill Elite Wrestling (QEW)" does; one entity, an organisation as the acronym is."""
    from index.entities import BuiltinExtractor
    from index.entities.canon import group

    text = (
        "Dorrel Vasquelli wrestled for QEW (Quill Elite Wrestling) for years. QEW said on "
        "Monday that it would miss him, and QEW fans agreed."
    )
    spans = BuiltinExtractor().extract(text)
    [qew] = [g for g in group(text, spans) if "qew" in g.keys]
    assert "quill elite wrestling" in qew.keys and qew.label == "ORG"
    assert qew.canonical == "Quill Elite Wrestling"


def test_a_clinic_is_an_organisation_named_after_its_place() -> None:
    from index.entities import BuiltinExtractor

    text = "He was treated at the Kandor Clinic, and the Kandor Clinic said he was well."
    spans = {(s.text, s.label) for s in BuiltinExtractor().extract(text)}
    assert spans == {("Kandor Clinic", "ORG")}
