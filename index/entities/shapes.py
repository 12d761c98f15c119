"""The shapes of names, asked of a capitalised run's words (lower-case keys) by the built-in
extractor's reading of the run (index.entities.runs): is it a person's name, does it end in an
organisation's or a place's word, does a known name start it, where does a title start inside
it."""

from __future__ import annotations

import re
from dataclasses import replace

from index.entities import gazetteer, rules
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.names import alias
from index.entities.tokens import (
    CHUNK,
    INITIALS,
    OF,
    STOP,
    Token,
    sentence_start,
    title_length,
    words_before,
)

# A one-word place smaller than a town is looked at again with the whole text (Obama, Japan is
# rarely meant); one at least as big as a city is a place even after a title.
TOWN, CITY = 100_000, 1_000_000
_GIVEN_HYPHENATED = re.compile(r"[A-Z][a-z]+-[a-z]+")


def named_after_country(g: gazetteer.Gazetteer, first: str, second: str) -> bool:
    """ "Environment Canada", "Statistics Norway": a common noun before a country's name
    (not "Northern Ireland", "Visiting Canada")."""
    return (
        first in g.common
        and first not in rules.REGION_WORDS
        and not first.endswith(("ing", "ed", "ly"))  # "Visiting Canada", "Normally Syria"
        and gazetteer.key(second) not in g.first_names
        and g.places.get(gazetteer.key(second), ("", 0))[1] >= gazetteer._BIG
    )


def inner_title(lower: list[str]) -> int:
    """Where a title before a person's name starts inside the run ("Federal Reserve
    Chairman Alan Greenspan"), or 0."""
    for i in range(1, len(lower) - 1):
        w, prev = lower[i], lower[i - 1]
        if (w in rules.TITLE_HEADS or w in rules.TITLE_MODIFIERS) and not (
            prev in rules.TITLE_HEADS or prev in rules.TITLE_MODIFIERS or prev in OF
        ):
            title = title_length(lower[i:])
            rest = lower[i + title :]
            if title and 1 <= len(rest) <= 3 and not any(r in OF for r in rest):
                return i
    return 0


def joint(g: gazetteer.Gazetteer, lower: list[str], a: int) -> bool:
    """ "National Air and Space Museum": one name ending in an organisation's or a place's
    word, whose words before "and" name nothing on their own (not "Texaco and Pennzoil
    Co", "Claudia Mo and the Civic Party")."""
    before = lower[:a]
    return (
        a <= 3
        and len(lower) - a - 1 <= 3
        and bool(shaped(g, lower))
        and not shaped(g, before)
        and not any(w in OF or w in ("and", "&", "the") for w in before)
        and not known_prefix(g, before, whole=True)
        and not person(g, before, before)
        and all(w in g.common or w in rules.TITLE_MODIFIERS for w in before)
    )


def shaped(g: gazetteer.Gazetteer, lower: list[str]) -> str | None:
    """ORG for "... Ministry", "... Party", "... Oyj"; PLACE for "... Sea", "... Airport";
    MISC for an event, "... Olympics"."""
    last = lower[-1]
    if last in rules.EVENT_HEADS:
        return MISC
    if last in rules.ORG_HEADS or last in g.org_suffixes:
        return ORG
    if last in rules.PLACE_HEADS:
        return PLACE
    return None


def the_name(g: gazetteer.Gazetteer, text: str, toks: list[Token]) -> bool:
    """ "a report in The Onion", "members of The Gliders": "The" capitalised inside a sentence
    starts a name of one or two words that name no person, place or nationality; not a
    nickname ("they called him The Birdman", "The Mets Poet"), nor the start of a longer name
    ("The Internet Explorer 6 Countdown", "The Room Where It Happened"), nor a work: quoted, or
    someone's ("Dawkins' The God Delusion"), or named by its last word ("The Late Show")."""
    if not 2 <= len(toks) <= 3 or toks[0][2] != "The" or sentence_start(text, toks[0][0]):
        return False
    rest = [gazetteer.key(t[2]) for t in toks[1:]]
    start, end = toks[0][0], toks[-1][1]
    before, before2 = words_before(text, start)
    return (
        all(t[2][:1].isupper() for t in toks[1:])
        and rest[-1] not in rules.OCCUPATIONS
        and not shaped(g, rest)
        and text[start - 1 : start] not in _QUOTES
        and not _OWNER_BEFORE.search(text, max(0, start - 4), start)
        and not _NAME_NEXT.match(text, end)
        and before not in _NICKNAMING
        and before2 not in _NICKNAMING
        and not any(w in g.first_names or w in g.places or w in STOP or alias(w) for w in rest)
        and not any(w in g.demonyms or w.rstrip("s") in g.demonyms for w in rest)
    )


_NICKNAMING = frozenset(
    {"call", "calls", "called", "calling", "name", "named", "nicknamed", "dubbed", "known"}
)
_NAME_NEXT = re.compile(r"[ \xa0]+[\dA-Z]")
_OWNER_BEFORE = re.compile(r"(?:['’]s?)[ \xa0]+$")
_QUOTES = frozenset("\"“‘'")


def storm(g: gazetteer.Gazetteer, lower: list[str]) -> bool:
    """ "Tropical Storm Humberto", "Hurricane Dorian": a storm's kind before its one or two
    names (not "National Hurricane Center")."""
    at = next((i for i, w in enumerate(lower[:-1]) if w in rules.STORM_WORDS), -1)
    return 0 <= at >= len(lower) - 3 and not shaped(g, lower)


def thing(g: gazetteer.Gazetteer, k: str) -> bool:
    """A word in capitals that is no organisation's acronym: a version or a model ("IE6", "N95";
    not a group of countries, "G20"), a Roman numeral ("XVII"), a word shouted ("HUGE")."""
    if k[-1:].isdigit():
        return not _GROUP_OF_COUNTRIES.fullmatch(k)
    return bool(_ROMAN.fullmatch(k)) or (len(k) > 3 and k in g.common)


_GROUP_OF_COUNTRIES = re.compile(r"g\d+")
# A word ending in a hyphenated number: a code, a model, a disease or a strain ("COVID-19",
# "SARS-CoV-2", "F-16", "MiG-29"), not a group of countries ("G-20").
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*-[0-9]+[A-Za-z]?")
_GROUP_CODE = re.compile(r"[Gg]-[0-9]+")


def code(text: str) -> bool:
    """A name that is one code word: a thing (MISC) whatever its context says."""
    return bool(_CODE.fullmatch(text)) and not _GROUP_CODE.fullmatch(text)

_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")


def place_follows(g: gazetteer.Gazetteer, text: str, end: int) -> bool:
    """ "Evanston, Illinois": a known state or country after a comma."""
    if text[end : end + 2] != ", ":
        return False
    m = CHUNK.match(text, end + 2)
    if not m:
        return False
    place = g.places.get(gazetteer.key(m.group()))
    return place is not None and place[1] >= gazetteer._BIG


def legal_form(g: gazetteer.Gazetteer, word: str) -> bool:
    """A company's legal form, the last word of its name ("Inc", "Oyj")."""
    return word in LEGAL_FORMS or word in g.org_suffixes


LEGAL_FORMS = frozenset(
    {"inc", "corp", "co", "ltd", "llc", "plc", "ag", "sa", "nv", "gmbh", "lp", "llp", "bv"}
)


def clear_place(g: gazetteer.Gazetteer, lw: str, population: int) -> bool:
    """A one-word place name that is also a common word or a person's name (Nice, Reading,
    Jackson) needs more than itself to be read as a place."""
    if lw in g.common:
        return False
    return not ((lw in g.first_names or lw in g.surnames) and population < CITY)


def person(g: gazetteer.Gazetteer, lower: list[str], words: list[str]) -> bool:
    """Two to four words that make a person's name: a known first name (or initials) first."""
    if shaped(g, lower):
        return False
    if len(words) == 2 and _GIVEN_HYPHENATED.fullmatch(words[1]) and lower[0] not in STOP:
        # "Cheng Chung-tai", "Wong Pik-wan": a hyphenated given name (not "New York-based")
        second = lower[1].split("-", 1)[1]
        if second not in g.common:
            return True
    # "O.J." counts as an initial, like "W."
    names = [
        w[:1] if INITIALS.fullmatch(word) else w
        for w, word in zip(lower, words, strict=True)
        if w not in rules.PERSON_PARTICLES
    ]
    if len(names) < 2 or len(names) > 4:
        return False
    if any(w in STOP for w in names):
        return False
    first = names[0]
    last = names[-1]
    if (last in g.common or last in g.words) and last not in g.surnames and first in g.common:
        # two ordinary words ("Silver Rocks", "Red Hat"), though the first is a first name
        return False
    if first in g.first_names and (first not in g.places or g.places[first][1] < TOWN):
        return True
    if first in g.first_names and names[-1] in g.surnames:
        return True
    # "George W. Bush", "J. K. Rowling", "O.J. Simpson": initials; not "U.S. Space" (a
    # place's abbreviation before an ordinary word), and a letter without its period only
    # before a known surname ("T C Phailin" is a cyclone's advisory name)
    return (
        any(len(w) == 1 for w in names[:-1])
        and len(names[-1]) > 1
        and not (alias(words[0]) and names[-1] in g.common)
        and (
            names[-1] in g.surnames
            or all(len(word) != 1 for word in words[:-1] if word[:1].isupper())
        )
    )


def known_prefix(g: gazetteer.Gazetteer, lower: list[str], whole: bool = False) -> int:
    """Length of the longest known name at the start of a run, if shorter than the run
    (`whole`: or as long)."""
    longest = len(lower) if whole else len(lower) - 1
    for cut in range(min(longest, gazetteer.MAX_NAME_TOKENS), 0, -1):
        k = " ".join(lower[:cut])
        if k in g.places or k in g.orgs or alias(k):
            if cut == 1 and k in g.places and not clear_place(g, k, g.places[k][1]):
                continue
            return cut
    return 0


def product_lines(g: gazetteer.Gazetteer, spans: list[Span]) -> list[Span]:
    """A "person" whose last word is no one's name but ends an organisation's or a thing's
    name in the same text is of that kind: "Rocky Linux" beside "Red Hat Enterprise Linux" is
    a product line, not a man called Rocky. Not an office ("Chairman of X Co", a person), and
    a word alone only where it ends two such names ("Linux" beside "CentOS Linux" and "Oracle
    Linux", where it was taken for a surname)."""
    endings: dict[str, dict[str, str]] = {}  # last word -> {name: its label}
    for s in spans:
        words = s.text.split()
        if s.label in (ORG, MISC) and len(words) > 1:
            endings.setdefault(words[-1].lower(), {})[s.text] = s.label
    if not endings:
        return spans
    out = []
    for s in spans:
        words = s.text.split()
        last = words[-1].lower() if words else ""
        names = endings.get(last, {})
        if (
            s.label == PERSON
            and names
            and (len(names) > 1 if len(words) == 1 else s.text not in names)
            and not any(w.islower() for w in words)  # "Chairman of ...", "Governor of the ..."
            and last not in g.surnames
            and last not in g.first_names
        ):
            s = replace(s, label=next(iter(names.values())), canonical=None)
        out.append(s)
    return out
