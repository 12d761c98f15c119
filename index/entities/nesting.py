"""Names inside names that refer on their own, added beside the name found: a person the text
names, at the start of an organisation's or a place's name ("Andy Warhol Foundation"), and a
place after "of", "in" or "at" in an organisation's ("University of Helsinki"). Asked by the
document-level look (index.entities.document) once every name of the text is typed."""

from __future__ import annotations

import re

from index.entities import gazetteer, rules, shapes
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.names import alias
from index.entities.runs import TOWN, Run

_WORDS = re.compile(r"[^\W_][\w'’.-]*")


def inside(run: Run, sp: Span, people: set[str], lasts: set[str], firsts: set[str]) -> None:
    """Names inside a name that refer on their own: a person the text names, at the start of
    an organisation's or a place's name ("Andy Warhol Foundation", "Udvar-Hazy Center"); a
    place of a town's size or more after "of", "in" or "at" in an organisation's ("University
    of Helsinki"; not Sydney in "Sydney Morning Herald", a name's word); the place a public
    body or an event is named after ("U.S. Army", "Vietnam War")."""
    g = run.g
    text = sp.text
    first = gazetteer.key(text.split(" ", 1)[0]).removesuffix("'s")
    person = (
        sp.label != MISC
        and sp.canonical is None
        and (first in lasts or first in firsts)
        and not shapes.legal_form(g, gazetteer.key(text.rsplit(" ", 1)[-1]))
    )
    # "U.S. Department of Agriculture", "Irving Police Department": a public body named after
    # its country, state or town is that place's (not "New York Times", "Toronto Star": a
    # paper's or a company's name only borrows the place's)
    head = text.split(" of ", 1)[0] if " of " in text else text  # "Department of Justice"
    last = gazetteer.key(head.rsplit(" ", 1)[-1])
    public = sp.label == ORG and last in rules.PUBLIC_BODIES
    if sp.label == MISC:  # "Vietnam War", "Sochi Winter Olympics": where the event was
        public = last in rules.EVENT_HEADS
    if (
        not person
        and not public
        and not (sp.label == ORG and (" of " in text or " in " in text or " at " in text))
    ):
        return
    at = sp.start
    words = [(m.start() + at, m.end() + at, m.group()) for m in _WORDS.finditer(text)]
    keys = [gazetteer.key(w[2]).removesuffix("'s") for w in words]
    if person:
        for j in range(min(len(words) - 1, 4), 0, -1):
            k = " ".join(keys[:j])
            if k in people or (j == 1 and k in lasts):
                _add(run, words[0][0], words[j - 1][1], PERSON, None)
                break
    if public:
        i = 1 if keys[0] == "the" else 0
        for j in range(min(len(words) - 1, i + 3), i, -1):
            text = run.text[words[i][0] : words[j - 1][1]]
            if j - i == 1 and not _clear(g, keys[i], text):
                continue
            place = _place(g, keys[i:j], text)
            if place is not None:
                _add(run, words[i][0], words[j - 1][1], PLACE, place)
                break
    if sp.label != ORG:
        return
    for i in range(2, len(words)):
        if keys[i - 1] not in _INSIDE and not (keys[i - 1] == "the" and keys[i - 2] in _INSIDE):
            continue
        for j in range(min(len(words), i + gazetteer.MAX_NAME_TOKENS), i, -1):
            place = _place(g, keys[i:j])  # (not "Bank of America": no alias here)
            if place is not None:
                _add(run, words[i][0], words[j - 1][1], PLACE, place)
                break


def _clear(g: gazetteer.Gazetteer, k: str, text: str) -> bool:
    """One word before a public body's that names a place only: an alias ("U.S."), or not a
    nationality, a place's word or a person's name ("Thai", "Coast Guard", "Edison")."""
    known = alias(text)
    if known is not None:
        return known[1] == PLACE
    size = g.places.get(k, ("", 0))[1]
    return not (k in g.demonyms or k in rules.PLACE_HEADS or not shapes.clear_place(g, k, size))


def _place(g: gazetteer.Gazetteer, keys: list[str], text: str = "") -> str | None:
    """The canonical name of the place `text` (its words' `keys`) names inside a name: a
    country's or a state's, a town's, or (given the text) an alias's ("U.S."); not a word
    ("Commerce")."""
    k = " ".join(keys)
    place = g.places.get(k)
    if place is not None:
        return place[0] if (place[1] >= TOWN or len(keys) > 1) and k not in g.common else None
    known = alias(text) if text else None
    return known[0] if known is not None and known[1] == PLACE else None


_INSIDE = frozenset({"of", "in", "at"})


def _add(run: Run, start: int, end: int, label: str, canonical: str | None) -> None:
    if run.text[end - 2 : end] in ("'s", "’s"):
        end -= 2
    run.nested.append(Span(start, end, run.text[start:end], label, canonical))
