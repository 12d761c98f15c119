"""The built-in extractor's reading of what a whole article says around its names (version 5):
the sides of a match, the people that the second look names, names inside organisations'
names, events, offices standing alone, names listed together. Each text here is made up."""

from __future__ import annotations

import pytest

from index.entities import BuiltinExtractor
from index.entities.base import MISC, ORG, PERSON, PLACE


@pytest.fixture(scope="module")
def extractor() -> BuiltinExtractor:
    return BuiltinExtractor()


def labels_of(extractor, text: str, name: str) -> list[str]:
    return [s.label for s in extractor.extract(text) if s.text == name]


def test_a_country_named_as_a_side_of_a_match_is_its_team(extractor):
    text = (
        "Norway defeated Chile 2 – 1 at the Arena. Norway had more of the ball.\n\n"
        "Group B — Peru 0 – 3 Ecuador\n\n"
        "Peru lost 0 – 3 to Ecuador, whose goals came late. Real Tarvisio 2-2 Alzano"
    )
    assert labels_of(extractor, text, "Norway") == [ORG, ORG]
    assert labels_of(extractor, text, "Chile") == [ORG]
    assert labels_of(extractor, text, "Peru") == [ORG, ORG]
    assert labels_of(extractor, text, "Ecuador") == [ORG, ORG]
    assert labels_of(extractor, text, "Alzano") == [ORG]  # a side unknown to the gazetteer


def test_a_side_is_still_the_country_where_a_place_cue_says_so(extractor):
    text = "Norway defeated Chile 2 – 1 in the cup. Fans travelled from Norway by train."
    assert labels_of(extractor, text, "Norway") == [ORG, PLACE]


def test_a_score_without_a_game_names_no_team(extractor):
    # a range of figures, no match: the countries stay places
    text = "Exports from Norway rose 2 - 3 pct. Norway 2 - 3 Chile trade talks went on."
    assert set(labels_of(extractor, text, "Norway")) == {PLACE}


def test_a_person_the_second_look_names_lends_its_surname(extractor):
    # "Tovalu Mbenza": two unknown name-like words, a person only once the text is read
    text = "In the 9th minute, Tovalu Mbenza doubled the lead. Later, Mbenza scored again."
    assert labels_of(extractor, text, "Tovalu Mbenza") == [PERSON]
    assert labels_of(extractor, text, "Mbenza") == [PERSON]


def test_a_lent_surname_does_not_outvote_an_organisation_cue(extractor):
    text = "Koravi Holmstad expects more. A Holmstad spokesman said no. Later, Holmstad declined."
    assert set(labels_of(extractor, text, "Holmstad")) == {ORG}


@pytest.mark.parametrize(
    ("text", "body", "place"),
    [
        ("The U.S. Department of Fisheries said so.", "U.S. Department of Fisheries", "U.S."),
        ("Officers of the Oslo Police Department came.", "Oslo Police Department", "Oslo"),
        ("She studied at Ohio State University for years.", "Ohio State University", "Ohio"),
    ],
)
def test_the_place_a_public_body_is_named_after_is_named_too(extractor, text, body, place):
    spans = {(s.text, s.label) for s in extractor.extract(text)}
    assert (body, ORG) in spans
    assert (place, PLACE) in spans


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("He writes for the Oslo Times every week.", "Oslo"),  # a paper's name borrows it
        ("A Coast Guard spokesman said so.", "Coast"),
        ("The Thai Mineral Resources Department said so.", "Thai"),
    ],
)
def test_a_word_that_only_borrows_a_place_is_not_named(extractor, text, word):
    assert not any(s.text == word for s in extractor.extract(text))


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("She retired after the 2012 Summer Paralympics in London.", "Summer Paralympics"),
        ("Tickets for the Paralympics sold out.", "Paralympics"),
        ("Then came the Winter Carnival of Magic in March.", "Winter Carnival of Magic"),
    ],
)
def test_an_event_is_no_person_and_no_organisation(extractor, text, event):
    assert labels_of(extractor, text, event) == [MISC]


def test_an_organisation_or_a_place_that_names_an_event_is_named(extractor):
    found = {
        (s.text, s.label) for s in extractor.extract("After the FIFA World Cup, the Vietnam War.")
    }
    assert {("FIFA", ORG), ("World Cup", MISC), ("Vietnam War", MISC), ("Vietnam", PLACE)} <= found
