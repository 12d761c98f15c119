"""The built-in extractor's reading of Wikinews-style prose: trades before names, long lists of
names, what the whole article says about a name (votes, surnames, organisation cues), names
inside names, and the cues that must not make a place."""

from __future__ import annotations

import pytest

from index.entities import BuiltinExtractor
from index.entities.base import ORG, PERSON, PLACE


@pytest.fixture(scope="module")
def extractor() -> BuiltinExtractor:
    return BuiltinExtractor()


def spans_of(extractor, text: str) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in extractor.extract(text)}


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        # a trade before the name is not part of it
        ("Biologist Nick Bos studies ants.", "Nick Bos", PERSON),
        ("Interview with philosopher Noam Chomsky", "Noam Chomsky", PERSON),
        # a list longer than one name reads name by name
        (
            "Elected were Claudia Mo of the Civic Party and Wong Pik-wan of the Democratic Party.",
            "Wong Pik-wan",
            PERSON,
        ),
        (
            "Elected were Claudia Mo of the Civic Party and Wong Pik-wan of the Democratic Party.",
            "Civic Party",
            ORG,
        ),
        # attribution after the quote
        ('"We are in this together," said Bolden to the crowd.', "Bolden", PERSON),
        # surname endings
        ("The treaty was agreed with Gorbachev in the spring.", "Gorbachev", PERSON),
        # organisation cues
        ("She is a LibriVox reader.", "LibriVox", ORG),
        ("Hugh McGuire is the Bookcast founder.", "Bookcast", ORG),
        ("Nick Rhodes of Duran Duran came too.", "Duran Duran", ORG),
        ("Demosisto's Nathan Law won a seat.", "Demosisto", ORG),
        ("Commanders of the Korean People's Army were sent.", "Korean People's Army", ORG),
        ("She said she left the Church in 2007.", "Church", ORG),
        ("It is a guarantor of energy for the West.", "West", PLACE),
        # company legal forms (from cleanco, in the gazetteer)
        ("Shares of Kone Oyj rose on Monday.", "Kone Oyj", ORG),
        ("The deal with Leonardo SpA was signed.", "Leonardo SpA", ORG),
    ],
)
def test_wikinews_conventions(extractor, text, name, label):
    assert (name, label) in spans_of(extractor, text)


def test_a_name_is_typed_alike_throughout_the_article(extractor):
    text = "Zelnik said the plan would work. Critics of Zelnik disagreed. Zelnik smiled."
    labels = [s.label for s in extractor.extract(text) if s.text == "Zelnik"]
    assert labels == [PERSON, PERSON, PERSON]


def test_a_first_name_alone_after_the_full_name_is_that_person(extractor):
    text = "Frank Messina writes poems. Fans say, 'Frank, thank you.'"
    assert ("Frank", PERSON) in spans_of(extractor, text)


def test_a_place_that_is_a_named_persons_surname_is_that_person(extractor):
    text = "Valeska Paris left the ship in 2007. Paris claims she was held against her will."
    spans = [s for s in extractor.extract(text) if s.text == "Paris"]
    assert [s.label for s in spans] == [PERSON]
    # with a place cue it stays the city
    assert ("Paris", PLACE) in spans_of(extractor, "Valeska Paris moved to Paris in 2010.")


def test_names_inside_names(extractor):
    text = "Nick Bos, of the University of Helsinki, studies ants."
    spans = {(s.text, s.label, s.start) for s in extractor.extract(text)}
    assert ("University of Helsinki", ORG, text.index("University")) in spans
    assert ("Helsinki", PLACE, text.index("Helsinki")) in spans
    text = "Andy Warhol made prints. The Andy Warhol Foundation gave them away."
    at = text.index("Andy Warhol Foundation")
    spans = {(s.text, s.label, s.start) for s in extractor.extract(text)}
    assert ("Andy Warhol", PERSON, at) in spans
    assert ("Andy Warhol Foundation", ORG, at) in spans


def test_a_place_word_in_a_name_is_not_a_place_mention(extractor):
    text = "The report was in the Sydney Morning Herald on Monday."
    assert ("Sydney Morning Herald", ORG) in spans_of(extractor, text)
    assert ("Sydney", PLACE) not in spans_of(extractor, text)
    # nor is the surname inside a place's name ("Kong" of Ann Kong in Hong Kong)
    text = "Ann Kong voted in Hong Kong Island."
    assert ("Kong", PERSON) not in spans_of(extractor, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Candidates of the pro-Beijing camp won.", "Beijing"),
        ("It is the most popular site according to Quantcast today.", "Quantcast"),
    ],
)
def test_cues_that_make_no_place(extractor, text, name):
    assert (name, PLACE) not in spans_of(extractor, text)


# -- newswire: companies said things ------------------------------------------------------------
def test_a_company_named_in_full_is_that_company_when_it_speaks(extractor):
    text = "Comdata Holdings Corp said sales rose. Later, Comdata said it would buy a unit."
    assert ("Comdata", ORG) in spans_of(extractor, text)
    # a company named after a person is still the company, and holds no person
    text = "Diamond Shamrock Corp said profits fell. Diamond Shamrock said it would cut jobs."
    assert {s.label for s in extractor.extract(text)} == {ORG}


def test_a_name_after_the_is_no_person(extractor):
    text = "The Bundesbank said rates would stay. Analysts said the Bundesbank would wait."
    assert [s.label for s in extractor.extract(text) if s.text == "Bundesbank"] == [ORG, ORG]
    # but "the Warhol exhibit" does not make Warhol an organisation
    text = "Andy Warhol painted soup. The Warhol exhibit opened. Warhol said little."
    assert [s.label for s in extractor.extract(text) if s.text == "Warhol"] == [PERSON, PERSON]


def test_a_possessive_between_two_names_keeps_them_apart(extractor):
    text = "Unocal Corp's Union Oil Co said it lowered its prices."
    assert {("Unocal Corp", ORG), ("Union Oil Co", ORG)} <= spans_of(extractor, text)


def test_undersecretary_is_a_title(extractor):
    text = "U.S. Undersecretary of Commerce Bruce Smart said talks went well."
    spans = spans_of(extractor, text)
    assert ("Bruce Smart", PERSON) in spans
    assert not any(label == PERSON and "Undersecretary" in name for name, label in spans)


def test_a_preposition_alone_is_half_a_vote_for_a_place(extractor):
    text = "She lost her fortune to Zorgonia. Her mother spoke out against Zorgonia."
    assert [s.label for s in extractor.extract(text) if s.text == "Zorgonia"] == [ORG, ORG]
    text = "She moved to Zorgonia in May."
    assert ("Zorgonia", PLACE) in spans_of(extractor, text)


# -- issue 20: shapes of names in Wikinews prose ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        # one name with "and" inside, ending in a place's word
        (
            "He visited the National Air and Space Museum on Monday.",
            "National Air and Space Museum",
            PLACE,
        ),
        # a title inside the run starts the person's name
        (
            "By the Arts and Humanities Citation Index Professor Chomsky is the most cited.",
            "Chomsky",
            PERSON,
        ),
        ("Federal Reserve Chairman Alan Greenspan spoke.", "Alan Greenspan", PERSON),
        ("Federal Reserve Chairman Alan Greenspan spoke.", "Federal Reserve", ORG),
        # an agency named after its country, even at the start of a sentence
        ("Environment Canada spokeswoman Julie Hahn said so.", "Environment Canada", ORG),
        ("Environment Canada spokeswoman Julie Hahn said so.", "Julie Hahn", PERSON),
        # book lists write the surname first
        ("Good ones:\n\nAusten, Jane. Pride and Prejudice\n", "Austen, Jane", PERSON),
        (
            "Good ones:\n\nMacaulay, Thomas Babington. History of England\n",
            "Macaulay, Thomas Babington",
            PERSON,
        ),
        ("Good ones:\n\nLondon, Jack. White Fang\n", "London, Jack", PERSON),
    ],
)
def test_name_shapes(extractor, text, name, label):
    assert (name, label) in spans_of(extractor, text)


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        # a place's abbreviation before an ordinary word is no person's initial
        ("Engines for the U.S. Space and Rocket Center arrived.", "U.S. Space", PERSON),
        # a town called University is not meant
        ("The museum closed. University exhibits reach out to students.", "University", PLACE),
        # degrees, formats and counsel are no organisations
        ("I ended up doing a PhD and I've been working since.", "PhD", ORG),
        ("He wrote the tome on XML in 2004.", "XML", ORG),
        ("The prosecutor, Mark Tedeschi, QC, spoke.", "QC", ORG),
        # a region of a country, a visit to it: no organisation named after it
        ("He moved to Northern Ireland in May.", "Northern Ireland", ORG),
        ("Visiting Canada is easy.", "Visiting Canada", ORG),
        ("Nonpartisan Paul Tse was elected.", "Nonpartisan Paul", ORG),
        # "Place, Region." at the start of a line is no book list
        ("Datelines:\n\nOttawa, Ontario. The city said no.\n", "Ottawa, Ontario", PERSON),
    ],
)
def test_not_names(extractor, text, name, label):
    assert (name, label) not in spans_of(extractor, text)


def test_a_book_list_name_is_one_person_with_a_canonical_name(extractor):
    text = "Good ones:\n\nTwain, Mark. A Connecticut Yankee\n"
    spans = [s for s in extractor.extract(text) if s.label == PERSON]
    assert [(s.text, s.canonical) for s in spans] == [("Twain, Mark", "Mark Twain")]
    # its words are not read again as names of their own
    assert not any(s.text in ("Twain", "Mark") for s in extractor.extract(text))


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("Winners were Cheng Chung-tai of Civic Passion and others.", "Cheng Chung-tai", PERSON),
        ("The band was the Velvet Underground.", "Velvet Underground", ORG),
        (
            "He proposed it in Eastern Europe, Poland and Czechoslovakia, it was.",
            "Czechoslovakia",
            PLACE,
        ),
        ("The governments of South East Asia met.", "South East Asia", PLACE),
    ],
)
def test_more_name_shapes(extractor, text, name, label):
    assert (name, label) in spans_of(extractor, text)


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("It is a quote attributed to Einstein in the book.", "Einstein", PLACE),
        ("As of the last advisory, T C Phailin has winds.", "T C Phailin", PERSON),
        ("Mr. President, as a Nobel Peace Prize recipient, you spoke.", "Mr.", ORG),
        # written after "the", a person named with initials or a known first and last name
        # stays a person
        ("I don't know, the O.J. Simpson.", "O.J. Simpson", ORG),
    ],
)
def test_more_not_names(extractor, text, name, label):
    assert (name, label) not in spans_of(extractor, text)


def test_a_named_person_after_the_stays_a_person(extractor):
    spans = spans_of(extractor, "Andy Warhol said. The Andy Warhol exhibit opened.")
    assert ("Andy Warhol", PERSON) in spans and ("Andy Warhol", ORG) not in spans


# -- newswire, checked against the previous version on Reuters stories ------------------------
def test_newswire_shapes(extractor):
    spans = spans_of(extractor, "The New York-based subsidiary will sell its stake.")
    assert not any(label == PERSON for _, label in spans)
    text = "Car sales in West Germany rose. Bank director for the Caribbean Rainer Steckhan said."
    spans = spans_of(extractor, text)
    assert ("West Germany", PLACE) in spans
    assert not any(label == ORG for _, label in spans)
    text = "Saudi Arabian Oil Minister Hisham Nazer reiterated the commitment."
    assert ("Hisham Nazer", PERSON) in spans_of(extractor, text)


def test_the_word_before_a_title_inside_a_run_is_whose_title_it_is(extractor):
    text = "Fed Chairman Paul Volcker said rates would hold. The Fed is following a neutral path."
    spans = spans_of(extractor, text)
    assert {("Fed", ORG), ("Paul Volcker", PERSON)} <= spans
    # an adverb starting a sentence names no organisation after its country
    assert ("Syria", PLACE) in spans_of(extractor, "Normally Syria calls tenders in May.")


def test_a_full_name_ends_a_run_of_unknown_words(extractor):
    text = "He met the Chancellor of the Exchequer Nigel Lawson on Monday."
    assert ("Nigel Lawson", PERSON) in spans_of(extractor, text)
    text = "He said National Security Adviser Frank Carlucci would wait."
    assert ("Frank Carlucci", PERSON) in spans_of(extractor, text)
    # not a place's name, nor a nationality, after the first word
    text = "The agency said Air North America provided no support."
    assert ("North America", PERSON) not in spans_of(extractor, text)
    text = "Year Shr Royal Dutch 8.65 dlrs vs 9.11 dlrs."
    assert ("Royal Dutch", PERSON) not in spans_of(extractor, text)
