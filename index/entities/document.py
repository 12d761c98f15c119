"""The document-level look of the built-in extractor: what the whole text tells about the runs
that one reading left unknown (a surname of a person named earlier, an acronym defined in the
text, "in X", "X said")."""

from __future__ import annotations

from index.entities import gazetteer, rules
from index.entities.base import MISC, ORG, PERSON, PLACE
from index.entities.runs import CITY, Run
from index.entities.tokens import (
    ACRONYM_DEF,
    CHUNK,
    Token,
    acronym,
    word_after,
    words_before,
)


def second_look(run: Run) -> None:
    """Settle the runs left pending, with what the whole text has shown."""
    if not run.pending:
        return
    g = run.g
    known: dict[str, str] = {}
    surnames: set[str] = set()
    for sp in run.found.values():
        k = gazetteer.key(sp.text)
        known.setdefault(k, sp.label)
        parts = k.split()
        # "Bashar Assad" → "Assad"; also the person inside "Andy Warhol Foundation"
        if (sp.label == PERSON and len(parts) > 1) or (
            len(parts) > 2 and parts[0] in g.first_names and sp.label != PERSON
        ):
            for part in parts[1:] if sp.label == PERSON else parts[1:2]:
                if part not in rules.PERSON_PARTICLES and len(part) > 1:
                    surnames.add(part)
                    surnames.add(part.split("-", 1)[-1])  # al-Assad → Assad
    # Acronyms defined in the text: "Syrian Observatory for Human Rights (SOHR)".
    for sp in list(run.found.values()):
        m = ACRONYM_DEF.match(run.text, sp.end)
        if m and sp.label in (ORG, PLACE):
            known.setdefault(gazetteer.key(m.group(1)), sp.label)
    for toks, initial in run.pending:
        label = _settle(run, toks, initial, known, surnames)
        if label:
            run.emit(toks, label)


def _settle(
    run: Run, toks: list[Token], initial: bool, known: dict[str, str], surnames: set[str]
) -> str | None:
    g = run.g
    words = [t[2] for t in toks]
    lower = [gazetteer.key(w) for w in words]
    k = " ".join(lower)
    n = len(toks)
    if k in known:
        return known[k]
    if n == 1 and k in surnames:
        return PERSON
    if n == 1 and acronym(words[0]):
        return None if run.all_caps_context(toks[0][0]) else ORG
    if initial and n == 1 and k in g.common:
        return None
    before, before2 = words_before(run.text, toks[0][0])
    after = word_after(run.text, toks[-1][1])
    person_context = after in rules.PERSON_AFTER or before in rules.PERSON_BEFORE
    place_context = (
        before in rules.PLACE_BEFORE
        or (before == "of" and before2 in rules.PLACE_OF)
        or _place_follows(run, toks[-1][1])
    )
    place = g.places.get(k)
    if place is not None:
        # A known place whose name is also a word or a person's name (Nice, Clinton).
        if place_context:
            return PLACE
        if person_context or k in g.surnames:
            return PERSON
        return None if k in g.common else PLACE
    if person_context:
        return PERSON
    if initial and any(w in g.common for w in lower):
        return None
    if n == 1:
        if k in g.first_names or k in g.common:
            return None  # a first name alone, or a word: too little to go on
        # One unknown capitalised word with no cue: a brand, a surname, a work... Guessing
        # a type here costs more precision than it gains recall (measured on GUM).
        return PLACE if place_context else None
    if place_context and n <= 3:
        return PLACE
    if (
        n <= 3
        and all(w[:1].isupper() and not w.isupper() for w in words)
        and not any(
            w in g.common or w in g.demonyms or g.places.get(w, ("", 0))[1] >= CITY for w in lower
        )
        and not (lower[-1].endswith("s") and lower[-1][:-1] in g.common)
    ):
        return PERSON  # two or three unknown name-like words: "Barack Obama"
    return MISC


def _place_follows(run: Run, end: int) -> bool:
    """ "Evanston, Illinois": a known state or country after a comma."""
    if run.text[end : end + 2] != ", ":
        return False
    m = CHUNK.match(run.text, end + 2)
    if not m:
        return False
    place = run.g.places.get(gazetteer.key(m.group()))
    return place is not None and place[1] >= gazetteer._BIG
