"""The default extractor: capitalised runs of words, read with a gazetteer and news-writing cues.
No model, no download; linear in the text (one regex pass, then dictionary look-ups on the
capitalised runs only).

Before the runs, a line starting "Surname, First." (a book list: "Austen, Jane." and its
second author, "... and Engels, Friedrich.") is a person (lines.py).
How a run is read, strongest evidence first (runs.Run.classify, then document.second_look):
1. the whole run is a known name (gazetteer, alias table); a common noun before a country is
   an organisation named after it ("Environment Canada"); a nationality in the plural or
   standing alone after "the" is a group of people ("Syrians", "the Rohingya": PERSON);
2. "and" between two names splits them ("Russia and Turkey"), not inside one name ending in an
   organisation's or a place's word ("National Air and Space Museum");
3. "X of Y" is one organisation or place when X is an organisation or place word ("University
   of Helsinki", "Gulf of Mexico"), else a title, which stands for its holder when a place or
   an organisation follows and no name ("Governor of Virginia"; so does "Malaysia's Prime
   Minister", and "Mr. President"), or two names;
4. it ends in an organisation or place word ("Syrian Army", "Mediterranean Sea");
5. a leading title, trade or nationality is split off ("Syrian President Bashar Assad",
   "Biologist Nick Bos");
6. a leading known place before a title or a name is split off ("U.S. President Donald Trump"),
   and so is whatever comes before a title inside the run ("Federal Reserve Chairman Alan
   Greenspan");
7. a known first name (or initials) starting two to four words makes a person, and so does a
   hyphenated given name ("Cheng Chung-tai");
8. what is still unknown is settled after the whole text was read: a surname (or first name)
   of a person named earlier is that person, the first words of a company named in full are
   that company, an acronym defined or used is an organisation (unless the text spells it
   out in lower case: "liquefied natural gas (LNG)"), "in X" is a place (half a vote; not for
   a dictionary word, "in Linguistics", nor for a name also written after "the", "the Hajj"),
   "X said" or '..." — X' a person, "X founder" an organisation, two or three unknown
   name-like words a person unless they are dictionary words ("Walrus Pebbles"), longer runs
   MISC; the mentions of one name that had no cue take the type most of its mentions were
   given, and a name after "the" is no person;
9. then names inside names that refer on their own are added (the person in "Andy Warhol
   Foundation", the place in "University of Helsinki", in "U.S. Department of Agriculture" and
   in "Vietnam War");
10. a name given as a side of a scored match is its team ("Sweden 1 – 0 Korea Republic"), a
   person the second look names lends its surname ("Lukaku" after "Romelu Lukaku"), and an
   event is MISC ("Summer Paralympics").
Version 6 adds what keeps a name from being a person: a weekday, a contraction or a caption's
label beside it, an ordinary word and a dictionary word ("Red Hat"), a company's words around
any of its mentions ("software company X", "X employees"), an organisation the text names
alone starting it ("CentOS Stream"), a storm's kind ("Hurricane X"), a hospital, a prize or a
show at its end; and what names one: an office alone after "the" ("The President has") and
"The X" inside a sentence ("in The Onion", an organisation). A surname joins its person
inside one article only, and a Title Case headline's "(AP)" defines no acronym (canon). A
code word ("COVID-19", "SARS-CoV-2", "F-16") is a thing (MISC) wherever it stands.
"""

from __future__ import annotations

from dataclasses import replace

from index.entities import gazetteer, shapes
from index.entities.base import MISC, Span
from index.entities.document import second_look
from index.entities.lines import read_lines
from index.entities.runs import Run
from index.entities.tokens import CHUNK

VERSION = "6"


class BuiltinExtractor:
    """Rules and gazetteers; see the module docstring."""

    name = "builtin"

    def __init__(self) -> None:
        self._g: gazetteer.Gazetteer | None = None

    @property
    def version(self) -> str:
        return f"{VERSION}+{gazetteer.digest()}"

    def _gaz(self) -> gazetteer.Gazetteer:
        if self._g is None:
            self._g = gazetteer.load()
        return self._g

    def extract(self, text: str) -> list[Span]:
        run = Run(text, self._gaz())
        read_lines(run)
        for m in CHUNK.finditer(text):
            run.chunk(m.start(), m.end())
        second_look(run)
        # A code ("COVID-19", "F-16") is a thing wherever it stands: after "to" it is no place,
        # after "the" no organisation.
        spans = [replace(s, label=MISC) if s.label != MISC and shapes.code(s.text) else s
                 for s in run.spans()]
        return shapes.product_lines(run.g, spans)
