"""Names the built-in extractor must not make (issue 20, version 6): a weekday, a pronoun's
contraction or a caption's label glued to a name, a company taken for a person, a product
named after its maker, an agency's tag at the end of a Title Case headline; a storm, a "Center
for", a hospital, a prize or a show named after someone; "the X/Y ticket"."""

from __future__ import annotations

import pytest

from index.entities import BuiltinExtractor
from index.entities.base import MISC, ORG, PERSON, PLACE
from index.entities.canon import group
from index.entities.titles import read_with_title


@pytest.fixture(scope="module")
def extractor() -> BuiltinExtractor:
    return BuiltinExtractor()


def spans_of(extractor, text: str) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in extractor.extract(text)}


def labels_of(extractor, text: str, name: str) -> set[str]:
    return {s.label for s in extractor.extract(text) if s.text == name}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a weekday starts no name
        ("It was reported on Saturday Dorrel Vasquelli was hurt.", "Dorrel Vasquelli"),
        ("Later on Tuesday Vasquelli told the envoys so.", "Vasquelli"),
        # a pronoun's contraction is no part of a name
        ("I'm Rich Vasquelli and I'm the manager here.", "Rich Vasquelli"),
        # a caption's label ends the name before its colon
        ("Party Chairman Oswin Tarrant Image: the party.", "Oswin Tarrant"),
        # "emeritus" after a title is the title's
        ("Retired Bishop Emeritus Dorrel Vasquelli died on Monday.", "Dorrel Vasquelli"),
    ],
)
def test_words_around_a_name_stay_out_of_it(extractor, text, name):
    assert (name, PERSON) in spans_of(extractor, text)
    assert not any(name in t and t != name for t, _ in spans_of(extractor, text))


def test_a_preposition_starting_a_sentence_is_no_name(extractor):
    text = "Unlike Senators, who serve six years, they serve two."
    assert not any(t.startswith("Unlike") for t, _ in spans_of(extractor, text))


def test_an_ordinary_word_and_a_dictionary_word_are_no_person(extractor):
    # "Rose" is a first name, but "Rose Lantern" of two words is a thing without a cue
    assert PERSON not in labels_of(extractor, "They use Rose Lantern at work.", "Rose Lantern")
    # a real surname after a first name that is also a word still makes a person
    assert PERSON in labels_of(extractor, "Rich Bowen said the plan was fine.", "Rich Bowen")


def test_a_company_cue_outweighs_what_it_says(extractor):
    """ "Tesco said" is said of a company too: one "retailer Tesco" settles it."""
    text = (
        "On Monday, UK-based retailer Quorvex sold its stores. Quorvex said the sale was "
        "final. Quorvex stated it would leave. Later Quorvex said more."
    )
    assert labels_of(extractor, text, "Quorvex") == {ORG}
    text = (
        "Software company Blue Kettle announced a plan. Blue Kettle said it was fine. "
        "Blue Kettle employees were told on Monday."
    )
    assert labels_of(extractor, text, "Blue Kettle") == {ORG}


def test_a_product_named_after_an_organisation_is_no_person(extractor):
    text = (
        "Quorvex is a free system, and a Quorvex fan wrote to us. Quorvex Stream is its new "
        "edition. Quorvex Stream said nothing."
    )
    assert PERSON not in labels_of(extractor, text, "Quorvex Stream")
    # a trade after the organisation's name is a person's nickname: "the Quorvex Poet"
    text = "A Quorvex fan came. The Quorvex Poet read his verses. Quorvex Poet said so."
    assert PERSON in labels_of(extractor, text, "Quorvex Poet")


@pytest.mark.parametrize(
    "title",
    [
        "Zentrix #39;s Antitrust Profit (AP)",  # the agency's tag ends the headline
        "Antitrust Profits Plunge (AP) In Texas",  # more words than the initials spell
    ],
)
def test_a_headline_tag_defines_no_acronym(extractor, title):
    body = "AP - The Associated Press said on Monday that AP would report it."
    text, spans = read_with_title(extractor, title, body)
    ap = [g for g in group(text, spans) if "associated press" in g.keys]
    assert len(ap) == 1 and ap[0].canonical == "Associated Press"
    assert ap[0].keys == {"associated press"}


def test_a_headline_defines_an_acronym_its_initials_spell(extractor):
    title = "Warfield Observatory For Seismic Trends (WOST) Warns Of Quake"
    body = "The WOST said on Monday a quake was near."
    text, spans = read_with_title(extractor, title, body)
    wost = [g for g in group(text, spans) if "wost" in g.keys]
    assert wost and len(wost) == 1
    assert wost[0].label != MISC


def test_a_storm_is_named_by_its_kind(extractor):
    text = (
        "Tropical Storm Orlenza grew, the National Hurricane Center said. Later Orlenza said "
        "nothing to nobody, and Typhoon Quessa hit the coast."
    )
    found = spans_of(extractor, text)
    assert ("National Hurricane Center", PERSON) not in found
    assert not any(label == PERSON for t, label in found if "Orlenza" in t or "Quessa" in t)
    assert ("Typhoon Quessa", MISC) in found


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        # a "Center for" is an organisation, not a building
        (
            "She works at the Vandrell Center for Tidal Studies now.",
            "Vandrell Center for Tidal Studies",
            ORG,
        ),
        # a hospital is a place, named after a person or not
        ("He was taken to the Oswin Tarrant Hospital on Monday.", "Oswin Tarrant Hospital", PLACE),
        # an award and a show are things, whoever they are named after
        ("She won the Oswin Tarrant Prize in 2004.", "Oswin Tarrant Prize", MISC),
        ("He starred in The Oswin Tarrant Show for years.", "Oswin Tarrant Show", MISC),
    ],
)
def test_what_the_last_word_makes_it(extractor, text, name, label):
    assert (name, label) in spans_of(extractor, text)


def test_a_name_joined_to_another_by_a_slash_qualifies_a_noun(extractor):
    """ "the Vasquelli/Tarrant ticket": not "the Vasquelli", which names no person."""
    text = (
        "Retired teacher Dorrel Vasquelli was nominated. Vasquelli said he would run, and "
        "voters backed the Vasquelli/Tarrant ticket."
    )
    assert labels_of(extractor, text, "Vasquelli") == {PERSON}


def test_a_company_cue_is_for_the_whole_name(extractor):
    # after a place read apart ("Hongkong" of "Hongkong Electric"), "shareholders" does not
    # make the rest a company on its own; nor does it make a class of shares one
    text = "Quorvex sold its stake in Paris Electric. Paris Electric shareholders will vote."
    assert ORG not in labels_of(extractor, text, "Electric")
    assert ORG not in labels_of(extractor, "Its Class A shares rose.", "Class A")
    # a person's generation after the surname: a person, though the company bears the name
    text = (
        "Vandrell Co said Lloyd U. Vandrell Jr. retires. Vandrell said Lloyd U. Vandrell III "
        "will become chairman. The company said Vandrell III, 43, is vice president."
    )
    assert PERSON in labels_of(extractor, text, "Vandrell III")


def test_a_surname_ending_qualifying_a_noun_is_no_person(extractor):
    """ "-ian" ends Armenian surnames and adjectives: "the Zorvonian atmosphere" names no one;
    "Zorvonian said" still does."""
    assert PERSON not in labels_of(
        extractor, "Oxygen fills the Zorvonian atmosphere, it said.", "Zorvonian"
    )
    assert PERSON in labels_of(extractor, "On Monday, Zorvonian said it was over.", "Zorvonian")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Users should stop using QX6 and update their browsers.", "QX6"),  # a version
        ("It was part XVII of the series, he said.", "XVII"),  # a Roman numeral
        ("It landed on a HUGE collector, they said.", "HUGE"),  # a word shouted
    ],
)
def test_capitals_that_are_no_organisation(extractor, text, word):
    assert ORG not in labels_of(extractor, text, word)


def test_an_acronym_is_still_an_organisation(extractor):
    assert ORG in labels_of(extractor, "Leaders of the G20 met, and the QXRT said so.", "QXRT")
    assert ORG in labels_of(extractor, "Leaders of the G20 met on Monday.", "G20")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("He was unrelated to QOVID-19, the doctors said.", "QOVID-19"),  # after "to": no place
        ("The ZARS-CoV-2 virus spread in the region.", "ZARS-CoV-2"),  # after "the": no org
        ("Troops in Kandor said the Zk-16 crashed.", "Zk-16"),
        ("Moody's rated the notes Qaa-2 on Monday.", "Qaa-2"),
    ],
)
def test_a_code_word_is_a_thing_wherever_it_stands(extractor, text, code):
    assert labels_of(extractor, text, code) <= {MISC}


def test_a_group_of_countries_with_a_hyphen_is_no_code() -> None:
    from index.entities import shapes

    assert shapes.code("QOVID-19") and shapes.code("Mk-2a")
    assert not shapes.code("G-20") and not shapes.code("G20") and not shapes.code("Kandor")


def test_a_name_ending_like_the_products_beside_it_is_no_person(extractor):
    text = (
        "Orvex will stop Zentrix Linux. Orvex Enterprise Linux is sold by the software company "
        "Orvex, and Orvex said Kandor Linux, made by Quessa Labs, would follow Zentrix Linux. "
        "Dorrel Vasquelli said Kandor Linux was ready."
    )
    found = spans_of(extractor, text)
    assert not {s for s in found if s[1] == PERSON and "Linux" in s[0]}
    assert ("Dorrel Vasquelli", PERSON) in found


def test_an_office_ending_like_an_organisation_is_still_its_holder(extractor):
    text = "Dorrel Vasquelli, Chairman of Kandor Electric Co, said Kandor Electric Co would grow."
    found = spans_of(extractor, text)
    assert ("Chairman of Kandor Electric Co", PERSON) in found
