"""The document-level look of the built-in extractor: what the whole text tells about the runs
that one reading left unknown (a surname of a person named earlier, a company named in full,
an acronym defined in the text, "in X", "X said", the type most mentions of a name were
given), and about the names it typed (a city that is a named person's surname, names inside
names)."""

from __future__ import annotations

import re
from dataclasses import replace

from index.entities import acronyms, gazetteer, nesting, rules, shapes, teams
from index.entities.base import MISC, ORG, PERSON, PLACE
from index.entities.people import office
from index.entities.runs import CITY, Run
from index.entities.tokens import (
    ACRONYM_DEF,
    STOP,
    Token,
    acronym,
    all_caps_around,
    tokens_key,
    word_after,
    words_before,
)


def second_look(run: Run) -> None:
    """Settle the runs left pending, with what the whole text has shown."""
    known, surnames, companies = _what_the_text_names(run)
    sides = teams.sides(run.text)
    known.update(dict.fromkeys(sides, ORG))  # "Korea Republic" of "Sweden 1 – 0 Korea Republic"
    settled = []
    # A name found once is found everywhere: what one mention's context says (Gorbachev
    # "said") holds for the mentions that had no cue. Most votes win; a preposition alone
    # ("to Scientology") is half a vote for a place.
    votes: dict[str, dict[str, float]] = {}
    weak: dict[str, float] = {}  # the half votes for a place that a preposition gave
    the: set[str] = set()  # written after "the": not a person ("the Fed", "The Bundesbank")
    # Names of several words first: a person they name lends a single word that nothing else
    # types its surname ("Romelu Lukaku doubled the lead" ... "Lukaku scored").
    labels: dict[int, str | None] = {}
    lent: set[str] = set()
    borrowed: set[int] = set()  # pending runs that may take a lent surname
    for several in (True, False):
        for i, (toks, initial) in enumerate(run.pending):
            if (len(toks) > 1) != several:
                continue
            k = tokens_key(toks)
            before, before2 = words_before(run.text, toks[0][0])
            if k in companies:
                labels[i] = ORG
            else:
                labels[i] = _settle(run, toks, k, initial, known, surnames, before, before2)
            if several and labels[i] == PERSON and _lends_a_surname(run.g, k.split()):
                lent.add(k.rsplit(" ", 1)[-1])
            elif not several and labels[i] in _NO_TYPE and k in lent and not initial:
                borrowed.add(i)
    cued: set[str] = set()  # a company by a mention's words ("retailer Tesco"): no person
    for i, (toks, _initial) in enumerate(run.pending):
        k, label = tokens_key(toks), labels[i]
        before, _ = words_before(run.text, toks[0][0])
        if label == _COMPANY:
            cued.add(k)
            label = ORG
        settled.append((toks, k, _LENT if i in borrowed else label))
        if label in (PERSON, ORG, PLACE, _WEAK_PLACE):
            tally = votes.setdefault(k, {})
            vote = PLACE if label == _WEAK_PLACE else label
            tally[vote] = tally.get(vote, 0.0) + (0.5 if label == _WEAK_PLACE else 1.0)
            if label == _WEAK_PLACE and not run.place_follows(toks[-1][1]):
                weak[k] = weak.get(k, 0.0) + 0.5  # a preposition's ("in Hajj")
        if len(toks) == 1 and before == "the":
            # ... unless the name only qualifies the next word ("the Warhol exhibit", "the
            # Carroll/Patel ticket")
            after = word_after(run.text, toks[0][1])
            joined = run.text[toks[0][1] : toks[0][1] + 1] in ("/", "–", "—")
            if not joined and (
                not after or after in _ENDS_A_NOUN_PHRASE or after in rules.FUNCTION_WORDS
            ):
                the.add(k)
    for toks, k, label in settled:
        if label is None or label in (MISC, _UNKNOWN, _WEAK_PLACE, _LENT):
            cast = votes.get(k) if votes else None
            if cast:
                label = max(cast, key=cast.__getitem__)  # ties: the first cast
                if label == PLACE and k in the and cast[PLACE] == weak.get(k):
                    # "in Hajj stampede" ... "the Hajj.": a place the text only goes "in"
                    # and writes after "the" is an event or a thing (a place written so,
                    # "the Gambia", is in the gazetteer)
                    label = None
            elif label == _UNKNOWN:
                # Written in mixed case, a brand or a website ("LibriVox", "wikiHow").
                label = ORG if _CAMEL.search(toks[0][2]) else None
            elif label == _LENT:
                # no vote either way: the person; a family is written after "the"
                label = None if k in the else PERSON
        if label == PERSON and (k in the or k in cued):
            label = ORG
        if label:
            run.emit(toks, label)
    _reread(run, surnames, companies)
    if sides:
        teams.play(run, sides)


def _what_the_text_names(run: Run) -> tuple[dict[str, str], set[str], set[str]]:
    """From the names the first reading typed: each name's type; the surnames (and first
    names) of the people; the first words of the companies."""
    g = run.g
    known: dict[str, str] = {}
    surnames: set[str] = set()
    # "Viacom International Inc" ... "Viacom said": the company, as the surname is the person.
    # A company's legal form says its first words are no person ("Diamond Shamrock Corp").
    companies: set[str] = set()
    for sp in run.found.values():
        k = gazetteer.key(sp.text)
        known.setdefault(k, sp.label)
        if sp.label == MISC and shapes.storm(g, parts := k.split()):
            known.setdefault(parts[-1], MISC)  # "Hurricane Dorian" ... "Dorian weakened"
        if " " not in k:
            continue
        parts = k.split()
        if sp.label == PERSON:
            if parts[0] in g.first_names:
                surnames.add(parts[0])  # "Frank" in a text that named Frank Messina
            tail = parts[1:]  # "Bashar Assad" → "Assad"
        elif len(parts) > 2 and parts[0] in g.first_names:
            tail = parts[1:2]  # the person inside "Andy Warhol Foundation"
        else:
            tail = []
        for part in tail:
            if part not in rules.PERSON_PARTICLES and len(part) > 1:
                surnames.add(part)
                surnames.add(part.split("-", 1)[-1])  # al-Assad → Assad
        if (
            sp.label == ORG
            and sp.canonical is None
            and (shapes.legal_form(g, parts[-1]) or not _ordinary(g, parts[0]))
        ):
            companies.update(" ".join(parts[:i]) for i in range(1, len(parts)))
    # Acronyms defined in the text: "Syrian Observatory for Human Rights (SOHR)".
    for sp in list(run.found.values()):
        m = ACRONYM_DEF.match(run.text, sp.end)
        if m and sp.label in (ORG, PLACE):
            known.setdefault(gazetteer.key(m.group(1)), sp.label)
    for k in acronyms.things(run.text):
        known.setdefault(k, MISC)  # "the VM (virtual microscope)": no organisation
    return known, surnames, companies


def _lends_a_surname(g: gazetteer.Gazetteer, parts: list[str]) -> bool:
    """A person named by a guess (two or three unknown name-like words) whose surname may be
    taken for that person alone: not a month and a word ("January Isthmus", a crude's grade),
    no company's legal form in it ("Forvaltnings AB Providentia", "Instrumentarium Oy")."""
    return (
        len(parts) <= 3
        and parts[0] not in STOP
        and parts[0] not in g.common
        and not any(shapes.legal_form(g, w) or len(w) <= 2 for w in parts)
    )


def _ordinary(g: gazetteer.Gazetteer, word: str) -> bool:
    """A word that starts many names without naming anyone: "bank", "national", "john"."""
    return (
        word in g.common
        or word in g.first_names
        or word in g.places
        or word in g.demonyms
        or word in rules.ORG_STARTS
        or word in rules.TITLE_MODIFIERS
        or word in STOP
    )


def _reread(run: Run, surnames: set[str], companies: set[str]) -> None:
    """What the whole text says about names the first reading typed: a person's name that
    starts a company's ("Diamond Shamrock" of Diamond Shamrock Corp) is the company; a place
    that is the
    surname of a person the text names, with no place cue, is that person ("Valeska Paris ...
    Paris claims"); a name starting with an organisation the text names alone is no person
    ("CentOS Stream"); and names inside names are named too (see _nest).

    A country that acts ("North Korea fired", "Sweden beat Korea") stays a place, as CoNLL and
    OntoNotes have it (GUM calls it an organisation): one country is one entity of the article,
    and `place:` finds every article that names it."""
    people: set[str] = set()
    lasts: set[str] = set()
    # "CentOS Stream", "CentOS Linux" where the text names CentOS an organisation: its product
    # or its part, no person (a first name first is a person's: "Ford" and "Ford Madox Ford")
    single_orgs = {
        gazetteer.key(sp.text)
        for sp in run.found.values()
        if sp.label == ORG and " " not in sp.text
    }
    for start, sp in list(run.found.items()):
        if sp.label == PERSON and gazetteer.key(sp.text) in companies:
            run.found[start] = replace(sp, label=ORG)  # "Diamond Shamrock" of its Corp
        elif (
            sp.label == PERSON
            and sp.canonical is None
            and " " in sp.text
            and (first := gazetteer.key(sp.text.split(" ", 1)[0])) in single_orgs
            and first not in run.g.first_names
            and (last := gazetteer.key(sp.text.rsplit(" ", 1)[-1])) not in rules.OCCUPATIONS
            and last not in _GENERATIONS  # "Mets Poet", "Noland III" are people
        ):
            run.found[start] = replace(sp, label=MISC)
        elif sp.label == PERSON and " " in sp.text.strip():
            k = gazetteer.key(sp.text)
            people.add(k)
            lasts.add(k.rsplit(" ", 1)[-1])
    firsts = {p.split(" ", 1)[0] for p in people}
    for start, sp in list(run.found.items()):
        if sp.label == PERSON and " " in sp.text.strip() and sp.canonical is None:
            # "the Velvet Underground.", "the Neo Democrats,": a person is not written after
            # "the" (a name qualifying the next word stays: "the Andy Warhol exhibit")
            before, _ = words_before(run.text, start)
            after = word_after(run.text, sp.end)
            words = [gazetteer.key(w) for w in sp.text.split()]
            if (
                before == "the"
                and not after  # "the Caribbean Rainer Steckhan said": a person speaks
                and not any(len(w) <= 2 for w in words)  # "the O.J. Simpson case"
                and not (words[0] in run.g.first_names and words[-1] in run.g.surnames)
                and not office(words)  # "the Prime Minister.": its holder
            ):
                run.found[start] = replace(sp, label=ORG)
    for start, sp in list(run.found.items()):
        if sp.label == PLACE:
            k = gazetteer.key(sp.text)
            if (
                " " not in k
                and k in surnames
                and run.g.places.get(k, ("", gazetteer._BIG))[1] < gazetteer._BIG  # a city
                and not _place_cue(run, start, sp.end)
            ):
                run.found[start] = replace(sp, label=PERSON, canonical=None)
        if sp.label != PERSON and " " in sp.text.strip():
            nesting.inside(run, sp, people, lasts, firsts)


def _place_cue(run: Run, start: int, end: int) -> bool:
    before, before2 = words_before(run.text, start)
    return (
        before in rules.PLACE_BEFORE
        or (before == "of" and before2 in rules.PLACE_OF)
        or run.place_follows(end)
    )


def _settle(
    run: Run,
    toks: list[Token],
    k: str,
    initial: bool,
    known: dict[str, str],
    surnames: set[str],
    before: str,
    before2: str,
) -> str | None:
    """The type of a run the first reading left open (`k`: its key), or None."""
    g = run.g
    if k in known and not (k in g.places and run.place_follows(toks[-1][1])):
        return known[k]  # (not "Cambridge, Massachusetts" where Cambridge is a university)
    words = [t[2] for t in toks]
    lower = k.split(" ")
    n = len(toks)
    if n == 1 and k in surnames:
        return PERSON
    if n == 1 and acronym(words[0]):
        return None if all_caps_around(run.text, toks[0][0]) or shapes.thing(g, k) else ORG
    if initial and n == 1 and k in g.common:
        return None
    after = word_after(run.text, toks[-1][1])
    start = toks[0][0]
    person_context = (
        after in rules.PERSON_AFTER
        or before in rules.PERSON_BEFORE
        or _ATTRIBUTION.search(run.text, max(0, start - 8), start) is not None
    )
    place_context = (
        (before in rules.PLACE_BEFORE and not (before == "to" and before2 in rules.TO_NO_PLACE))
        or (before == "of" and before2 in rules.PLACE_OF)
        or run.place_follows(toks[-1][1])
    )
    if _persons_group(run, toks[0][0], toks[-1][1], before, before2):
        return ORG  # "Raymond Chan of People Power", "Demosisto's Nathan Law"
    if (
        not initial
        and (after in rules.COMPANY_AFTER or before in rules.COMPANY_BEFORE)
        and not _NAME_BEFORE.search(run.text, max(0, start - 40), start)
        and len(words[-1]) > 1
    ):
        # "software company Red Hat announced", "Red Hat employees" (not the end of a name
        # whose start was read apart, "Hongkong Electric shareholders", nor a class of shares,
        # "Class A shares")
        return _COMPANY
    if n == 1 and before == "the" and not initial:
        # "the Church", "the Times", "the Senate": the organisation named in full before;
        # "the West", "the North"
        if k in rules.ORG_HEADS:
            return ORG
        if k in _COMPASS:
            return PLACE
    place = g.places.get(k)
    if place is not None:
        # A known place whose name is also a word or a person's name (Nice, Clinton).
        if place_context:
            return PLACE
        if person_context or k in g.surnames:
            return PERSON
        # A town called University or Commerce: the word, not the town.
        return None if k in g.common or k in _INSTITUTION_WORDS else PLACE
    if person_context:
        return PERSON
    if initial and any(w in g.common for w in lower):
        return None
    if n == 1:
        if k in g.first_names or k in g.common:
            return None  # a first name alone, or a word: too little to go on
        if not initial and _SURNAME_ENDING.search(k) and not _qualifies(before, after):
            return PERSON  # Gorbachev, Dostoyevsky, Kowalski (not "the Martian atmosphere")
        if not initial and (after in rules.ORG_AFTER or before in rules.ORG_BEFORE):
            # "LibriVox founder", "a Mets fan", "joined Greenpeace" (not a sentence's first
            # word: "Sports fans", "Hiring employees")
            return ORG
        # One unknown capitalised word with no cue: a brand, a surname, a work... Guessed
        # only when the article names it more than once (see second_look). A dictionary
        # word after "in" is a field or a thing ("a degree in Linguistics"), not a place.
        weak = place_context and not (k in g.words and before in rules.PLACE_BEFORE)
        return _WEAK_PLACE if weak else _UNKNOWN
    if place_context and n <= 3:
        return _WEAK_PLACE
    if (
        n <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(_a_word(g, w, lower) or g.places.get(w, ("", 0))[1] >= CITY for w in lower)
        and not (lower[-1].endswith("s") and _a_word(g, lower[-1][:-1], lower))
    ):
        if before == "the":
            # "the Velvet Underground", "the Neo Democrats": no person; "the Silver Clouds
            # installation": a name qualifying the next word, of no type known
            return ORG if not after else MISC
        return PERSON  # two or three unknown name-like words: "Barack Obama"
    return MISC


def _qualifies(before: str, after: str) -> bool:
    """An article before, a lower-case word after: it qualifies a noun ("the Martian sky")."""
    return before in ("the", "a", "an") and after[:1].islower() and after not in _ENDS_A_NOUN_PHRASE


def _a_word(g: gazetteer.Gazetteer, w: str, run: list[str]) -> bool:
    """An ordinary word, or a nationality: "Silver Clouds", "Moon Rocks" name no person. A
    rare dictionary word does not outweigh a first name before it ("Elizabeth Quat"), unless that
    first name is an ordinary word too ("Red Hat")."""
    if w in g.common or w in g.demonyms:
        return True
    return w in g.words and (run[0] not in g.first_names or run[0] in g.common)


def _persons_group(run: Run, start: int, end: int, before: str, before2: str) -> bool:
    """The run names a person's party, band or employer: "<person> of (the) X", or "X's
    <person>"."""
    if run.text[end : end + 3] in ("'s ", "’s "):
        after = run.found.get(end + 3)
        if after is not None and after.label == PERSON:
            return True
    if before == "of" or (before == "the" and before2 == "of"):
        head = run.text[max(0, start - 12) : start]
        cut = head.rfind(" of ")
        if cut >= 0:
            person_end = start - len(head) + cut
            return any(sp.end == person_end and sp.label == PERSON for sp in run.found.values())
    return False


# Endings that make a word a surname in the languages news names most (Slavic, Romanian,
# Greek, Armenian, Georgian); the word is unknown to the gazetteer and written mid-sentence.
_SURNAME_ENDING = re.compile(
    r"(?:[aeo]v|[eo]va|sky|ski|skiy|skaya|enko|vich|vych|ovic|evic|escu|opoulos|akis|yan|ian"
    r"|shvili|dze)$"
)

# A quotation's speaker: '... We have brains." — Peres'.
_ATTRIBUTION = re.compile(r"[\"”][ \xa0]*(?:—|–|--)[ \xa0]*$")
_ENDS_A_NOUN_PHRASE = frozenset({"'s", "’s", "said", "says", "would", "could", "will"})
_UNKNOWN = "?"  # _settle: one unknown capitalised word, no cue either way
_WEAK_PLACE = "PLACE?"  # _settle: unknown, after a preposition ("in Civic Passion")
_NO_TYPE = frozenset({None, MISC, _UNKNOWN})
_LENT = "PERSON?"  # second_look: a single word that a person it named lends a surname
_COMPANY = "ORG!"  # _settle: a company's words around it; "Tesco said" is no person then
_NAME_BEFORE = re.compile(r"[A-Z][\w.'’&-]*[ \xa0]+$")  # a capitalised word right before
_GENERATIONS = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # "Noland III"
_CAMEL = re.compile(r"[a-z][A-Z]")  # LibriVox, YouTube
_INSTITUTION_WORDS = rules.ORG_HEADS | rules.ORG_STARTS | rules.PLACE_HEADS
_COMPASS = frozenset({"north", "south", "east", "west", "midwest"})
