"""Names that the shape of a line gives, read before the capitalised runs: a dateline ("MOSCOW
--") and a book list's name written surname first ("Austen, Jane.")."""

from __future__ import annotations

from index.entities import gazetteer
from index.entities.base import PERSON, PLACE, Span
from index.entities.names import alias
from index.entities.runs import MAX_WORD, Run
from index.entities.tokens import DATELINE, INVERTED, INVERTED_AND, PIECE, STOP


def read_lines(run: Run) -> None:
    text = run.text
    for m in DATELINE.finditer(text):
        _dateline(run, m.start(1), m.start(1) + len(m.group(1).rstrip(" .'-")))
    if ", " in text:
        for first in INVERTED.finditer(text):
            second = INVERTED_AND.match(text, first.end())
            for m in (first, second) if second else (first,):
                end = m.end(3) if m.group(3) else m.end(2)
                _inverted(run, m.start(1), end, m.group(1), m.group(2))


def _dateline(run: Run, start: int, end: int) -> None:
    if end - start > MAX_WORD:
        return
    words = run.text[start:end]
    place = run.g.places.get(gazetteer.key(words))
    canonical = place[0] if place else " ".join(w.capitalize() for w in words.split())
    known = alias(words)
    if known and known[1] != PLACE:
        return
    run.found[start] = Span(start, end, words, PLACE, canonical)
    run.datelines.add(start)


def _inverted(run: Run, start: int, end: int, surname: str, first: str) -> None:
    """ "Austen, Jane": a known first name after a comma, surname first, as a book list writes
    it (not "London, Ontario": a place's name is no first name here)."""
    g = run.g
    f, last = gazetteer.key(first), gazetteer.key(surname)
    if (
        f not in g.first_names
        or f in g.places
        or last in STOP
        or last in g.common
        or g.places.get(last, ("", 0))[1] >= gazetteer._BIG
    ):
        return
    name = run.text[start:end]
    given = name.split(", ", 1)[1]
    run.found[start] = Span(start, end, name, PERSON, f"{given} {surname}")
    run.inside.update(m.start() for m in PIECE.finditer(run.text, start, end))
