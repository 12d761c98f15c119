"""The default extractor: capitalised runs of words, read with a gazetteer and news-writing cues.
No model, no download; linear in the text (one regex pass, then dictionary look-ups on the
capitalised runs only).

How a run is read, strongest evidence first (see _Run.classify):
1. the whole run is a known name (gazetteer, alias table);
2. "and" between two names splits them ("Russia and Turkey");
3. "X of Y" is one organisation or place when X is an organisation or place word ("University
   of Helsinki", "Gulf of Mexico"), else a title ("Governor of Virginia") or two names;
4. it ends in an organisation or place word ("Syrian Army", "Mediterranean Sea");
5. a leading title or nationality is split off ("Syrian President Bashar Assad");
6. a leading known place before a title or a name is split off ("U.S. President Donald Trump");
7. a known first name (or initials) starting two to four words makes a person;
8. what is still unknown is settled after the whole text was read: a surname of a person named
   earlier is that person, an acronym defined or used is an organisation, "in X" is a place,
   "X said" a person, two or three unknown name-like words a person, longer runs MISC.
"""

from __future__ import annotations

import re

from index.entities import gazetteer, rules
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.names import ALIAS_STARTS, alias

VERSION = "1"

_UPPER = "".join(
    ch
    for ch in map(
        chr, list(range(0x41, 0x250)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x1F00))
    )
    if ch.isupper()
)
_CAP = f"[{re.escape(_UPPER)}]"
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Mt",
    "Ft",
    "Jr",
    "Sr",
    "Inc",
    "Corp",
    "Co",
    "Ltd",
    "Gen",
    "Sen",
    "Rep",
    "Gov",
    "Lt",
    "Col",
    "Sgt",
    "Capt",
    "Prof",
    "Rev",
    "Adm",
    "Cpl",
    "Maj",
)
_ABBR_END = "|".join(f"(?<={a})" for a in _ABBREVIATIONS)
_PREFIX = r"(?:al|el|ad|as|ash|ar|an|at|az|bin|ibn|abu|abd)[-‐]"
# One capitalised word. Every alternative starts with the capital, so the regex engine skips
# quickly to the next capital (ten times faster than alternatives with different starts).
_TOKEN = (
    rf"{_CAP}(?:"
    rf"\.(?:{_CAP}\.)*{_CAP}\.?(?!\w)"  # U.S., U.N., D.C., and "U.S" without its last period
    rf"|\.(?=[ \xa0]{_CAP})"  # an initial: George W. Bush
    rf"|\w*(?:['’]\w+)*(?:-\w+)*(?:(?:{_ABBR_END})\.)?"  # Assad, O'Brien, Palmyra's, Mr.
    ")"
)
_CONNECTOR = (
    r"(?:of|the|for|and|on|de|del|della|da|di|du|des|van|von|der|den|la|le|y|bin|ibn|al|el|dos"
    r"|das|&)"
)
_CHUNK = re.compile(rf"{_TOKEN}(?:[ \xa0]+(?:{_CONNECTOR}[ \xa0]+)*(?:{_PREFIX})?{_TOKEN})*")
_PIECE = re.compile(rf"(?:{_PREFIX})?{_TOKEN}|{_CONNECTOR}(?=[ \xa0])")
_PREFIX_BEFORE = re.compile(rf"(?<![\w'’-]){_PREFIX}$")
# A dateline: "MOSCOW --", "BEIRUT, Lebanon (AP) —" at the start of a paragraph.
_DATELINE = re.compile(
    # Words in capitals, each separated by spaces or punctuation: linear, whatever the text.
    rf"(?m)^[ \t]*({_CAP}{{2,}}(?:[ .'-]+{_CAP}{{2,}})*)"
    r"(?:,[^\n,(—–-]{2,30})?[ \t]*(?:\([^)\n]{1,30}\)[ \t]*)?(?:--|—|–|-|:)[ \t]"
)
_WORD_AFTER = re.compile(r"[ \xa0]*[,]?[ \xa0]*([\w'’]+)")

_SPLIT_AT = frozenset({"and", "&", "of", "for", "the", "on"})
# A one-word place smaller than a town is looked at again with the whole text (Obama, Japan is
# rarely meant); one at least as big as a city is a place even after a title.
_TOWN, _CITY = 100_000, 1_000_000
_MAX_TOKENS, _MAX_WORD = 12, 40
# Titles that are also first names: "Dean Kamen" is a person called Dean.
_NAME_TITLES = frozenset({"dean", "major", "marshal", "earl", "duke", "king", "prince"})
_OF = frozenset({"of", "for", "on"})
_STOP = rules.FUNCTION_WORDS | rules.MONTHS_DAYS

Token = tuple[int, int, str]  # start, end, text (a connector's text is lower case)


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

    # -- the pass over the text -------------------------------------------------------------
    def extract(self, text: str) -> list[Span]:
        run = _Run(text, self._gaz())
        for m in _DATELINE.finditer(text):
            run.dateline(m.start(1), m.start(1) + len(m.group(1).rstrip(" .'-")))
        for m in _CHUNK.finditer(text):
            run.chunk(m.start(), m.end())
        return run.finish()


class _Run:
    """The state of one extract() call: found spans, and runs left for the second look."""

    def __init__(self, text: str, g: gazetteer.Gazetteer) -> None:
        self.text = text
        self.g = g
        self.found: dict[int, Span] = {}  # by start
        self.pending: list[tuple[list[Token], bool]] = []  # (tokens, sentence-initial)
        self.datelines: set[int] = set()

    # -- results ------------------------------------------------------------------------------
    def emit(self, toks: list[Token], label: str, canonical: str | None = None) -> None:
        s, e = toks[0][0], toks[-1][1]
        if s in self.found:
            return
        self.found[s] = Span(s, e, self.text[s:e], label, canonical)

    def finish(self) -> list[Span]:
        self._second_look()
        return sorted(self.found.values(), key=lambda sp: sp.start)

    def dateline(self, start: int, end: int) -> None:
        if end - start > _MAX_WORD:
            return
        words = self.text[start:end]
        k = gazetteer.key(words)
        place = self.g.places.get(k)
        canonical = place[0] if place else " ".join(w.capitalize() for w in words.split())
        if alias(words) and alias(words)[1] != PLACE:  # type: ignore[index]
            return
        self.found[start] = Span(start, end, words, PLACE, canonical)
        self.datelines.add(start)

    # -- one capitalised run --------------------------------------------------------------------
    def chunk(self, start: int, end: int) -> None:
        if start in self.found:
            return
        m = _PREFIX_BEFORE.search(self.text, max(0, start - 5), start)
        if m:
            start = m.start()  # "al-Qaeda": the particle belongs to the name
        toks: list[Token] = []
        for m in _PIECE.finditer(self.text, start, end):
            w = m.group()
            toks.append((m.start(), m.end(), w))
        # A possessive inside the run ends a name: "Pro-Beijing DAB's Starry Lee"; so does a
        # capitalised function word: "When I", "Australia On Saturday".
        first = True
        seg: list[Token] = []
        for tok in toks:
            s, e, w = tok
            if w.lower() in rules.SPLIT_WORDS:
                if seg:
                    self.segment(seg, first)
                first, seg = False, []
            elif w.endswith(("'s", "’s")) and len(w) > 2:
                seg.append((s, e - 2, w[:-2]))
                self.segment(seg, first)
                first, seg = False, []
            elif w.endswith(("s'", "s’")) and len(w) > 2:
                seg.append((s, e - 1, w[:-1]))
                self.segment(seg, first)
                first, seg = False, []
            else:
                seg.append(tok)
        if seg:
            self.segment(seg, first)

    def segment(self, toks: list[Token], at_chunk_start: bool) -> None:
        toks = _trim(toks)
        if not toks or len(toks) > _MAX_TOKENS or any(t[1] - t[0] > _MAX_WORD for t in toks):
            return  # a name is not that long: a shouted headline, a table, garbage
        g = self.g
        if at_chunk_start and _sentence_start(self.text, toks[0][0]):
            # "Fighting around Palmyra", "The ministry": an ordinary word written capitalised.
            w = toks[0][2]
            lw = gazetteer.key(w)
            if (w.lower() in _STOP or lw in g.common) and not (
                self._known(toks[:1])
                or (
                    len(toks) > 1
                    and (
                        lw in g.first_names
                        or (
                            lw in g.starts
                            and self._known_prefix([gazetteer.key(t[2]) for t in toks], whole=True)
                        )
                    )
                )
            ):
                toks = _trim(toks[1:])
                if not toks:
                    return
        if len(toks) > 1 and toks[0][2] in ("The", "THE") and not self._known(toks):
            toks = _trim(toks[1:])
        if len(toks) == 1:
            w = toks[0][2]
            lw = w.lower()  # periods kept: "U.S." is not "us"
            if lw in _STOP or len(w) < 2 or lw in rules.COMMON_CAPS:
                return
        self.classify(toks, at_chunk_start)

    def _known(self, toks: list[Token]) -> bool:
        k = _key(toks)
        return k in self.g.places or k in self.g.orgs or k in self.g.demonyms

    def classify(self, toks: list[Token], at_chunk_start: bool = False) -> None:
        if not toks:
            return
        g = self.g
        words = [t[2] for t in toks]
        lower = [gazetteer.key(w) for w in words]
        k = " ".join(lower)
        n = len(toks)
        # 1. the whole run is a known name
        known = None
        if lower[0].split("-", 1)[0] in ALIAS_STARTS:
            known = alias(self.text[toks[0][0] : toks[-1][1]])
        if known is not None and not (
            n == 1
            and _shouting(words[0])
            and len(words[0]) <= 2
            and self._all_caps_context(toks[0][0])
        ):
            self.emit(toks, known[1], known[0])
            return
        if k in g.orgs:
            self.emit(toks, ORG, g.orgs[k])
            return
        place = g.places.get(k)
        if place is not None and (
            n > 1 or (place[1] >= _TOWN and self._clear_place(lower[0], place[1]))
        ):
            self.emit(toks, PLACE, place[0])
            return
        if k in g.demonyms:
            self.emit(toks, MISC, g.demonyms[k][0])
            return
        if n == 1:
            self.pending.append((toks, at_chunk_start and _sentence_start(self.text, toks[0][0])))
            return
        # 2. "and" joins two names, except in one ("Food and Drug Administration")
        a = next((i for i, w in enumerate(lower) if w in ("and", "&")), 0)
        if a and not (a == 1 and self._shaped(lower) and lower[0] not in g.places):
            self.classify(_trim(toks[:a]))
            self.classify(_trim(toks[a + 1 :]))
            return
        if lower[-1] in rules.TITLE_HEADS and n > 1:
            self.classify(_trim(toks[:-1]))  # "State Department spokesperson"
            return
        # 3. "X of Y": one organisation or place ("University of Helsinki", "Gulf of Mexico"),
        # a title ("Governor of Virginia"), or two names ("Claudia Mo of the Civic Party")
        c = next((i for i, w in enumerate(lower) if w in _OF), 0)
        if c:
            head = lower[c - 1]
            if head in rules.ORG_STARTS or head in rules.ORG_HEADS:
                self.emit(toks, ORG)
            elif head in rules.PLACE_STARTS or head in rules.PLACE_HEADS or head == "museum":
                self.emit(toks, PLACE)
            elif not self._title(toks, lower):
                self.classify(_trim(toks[:c]))
                self.classify(_trim(toks[c + 1 :]))
            return
        # 4. organisation and place words at the end ("Syrian Army", "Mediterranean Sea")
        shape = self._shaped(lower)
        if shape and not (lower[0] in rules.TITLE_HEADS and _title_length(lower)):
            self.emit(toks, shape)
            return
        # 5. a leading title, nationality or place
        if self._title(toks, lower):
            return
        if lower[0] in g.demonyms:
            self.emit(toks[:1], MISC, g.demonyms[lower[0]][0])
            self.classify(_trim(toks[1:]))
            return
        # 6. a known place before a title or a name: "U.S. President Donald Trump"
        cut = self._known_prefix(lower)
        if cut and (
            lower[cut] in rules.TITLE_HEADS
            or lower[cut] in rules.TITLE_MODIFIERS
            or self._person(lower[cut:], words[cut:])
        ):
            self.classify(toks[:cut])
            self.classify(_trim(toks[cut:]))
            return
        # 7. a person's name
        if self._person(lower, words):
            self.emit(toks, PERSON)
            return
        cut = self._known_prefix(lower)
        if cut:
            self.classify(toks[:cut])
            self.classify(_trim(toks[cut:]))
            return
        parts = _split(toks)
        if len(parts) > 1:
            for part in parts:
                self.classify(_trim(part))
            return
        # 8. decided after the whole text was read
        self.pending.append((toks, at_chunk_start and _sentence_start(self.text, toks[0][0])))

    def _title(self, toks: list[Token], lower: list[str]) -> bool:
        """A run starting with a title: the person after it (or, after "of", the place or
        organisation). False when there is no title."""
        title = _title_length(lower)
        if not title:
            return False
        g = self.g
        rest_lower = lower[title:]
        if rest_lower[0] in _OF:
            self.classify(_trim(toks[title + 1 :]))  # "Governor of Virginia"
            return True
        c = next((i for i, w in enumerate(rest_lower) if w in _OF), len(rest_lower))
        name = _trim(toks[title : title + c])
        if not name:
            return True
        if len(name) == 1:
            w = gazetteer.key(name[0][2])
            if w in rules.ORG_HEADS:
                self.emit(toks[: title + c], ORG)  # "General Motors", "General Assembly"
            elif title == 1 and lower[0] in _NAME_TITLES and w not in g.common:
                self.emit(toks[: title + c], PERSON)  # "Dean Kamen": a first name, not a title
            elif w in g.orgs or (w in g.places and g.places[w][1] >= _CITY):
                self.classify(name)  # "President Obama" is a person, "Governor Texas" is not
            elif w not in g.common:
                self.emit(name, PERSON)
        else:
            self.emit(name, PERSON)
        if c < len(rest_lower):
            self.classify(_trim(toks[title + c + 1 :]))
        return True

    @staticmethod
    def _shaped(lower: list[str]) -> str | None:
        """ORG for "... Ministry", "... Party"; PLACE for "... Sea", "... Airport"."""
        last = lower[-1]
        if last in rules.ORG_HEADS:
            return ORG
        if last in rules.PLACE_HEADS:
            return PLACE
        return None

    def _clear_place(self, lw: str, population: int) -> bool:
        """A one-word place name that is also a common word or a person's name (Nice, Reading,
        Jackson) needs more than itself to be read as a place."""
        g = self.g
        if lw in g.common:
            return False
        return not ((lw in g.first_names or lw in g.surnames) and population < _CITY)

    def _person(self, lower: list[str], words: list[str]) -> bool:
        g = self.g
        if lower[-1] in rules.ORG_HEADS or lower[-1] in rules.PLACE_HEADS:
            return False
        # "O.J." counts as an initial, like "W."
        names = [
            w[:1] if _INITIALS.fullmatch(word) else w
            for w, word in zip(lower, words, strict=True)
            if w not in rules.PERSON_PARTICLES
        ]
        if len(names) < 2 or len(names) > 4:
            return False
        if any(w in _STOP for w in names):
            return False
        first = names[0]
        if first in g.first_names and (first not in g.places or g.places[first][1] < _TOWN):
            return True
        if first in g.first_names and names[-1] in g.surnames:
            return True
        # "George W. Bush", "J. K. Rowling", "O.J. Simpson": initials
        return any(len(w) == 1 for w in names[:-1]) and len(names[-1]) > 1

    def _known_prefix(self, lower: list[str], whole: bool = False) -> int:
        """Length of the longest known name at the start of a run, if shorter than the run
        (`whole`: or as long)."""
        g = self.g
        longest = len(lower) if whole else len(lower) - 1
        for cut in range(min(longest, gazetteer.MAX_NAME_TOKENS), 0, -1):
            k = " ".join(lower[:cut])
            if k in g.places or k in g.orgs or alias(k):
                if cut == 1 and k in g.places and not self._clear_place(k, g.places[k][1]):
                    continue
                return cut
        return 0

    def _all_caps_context(self, start: int) -> bool:
        line = self.text[max(0, start - 40) : start + 40]
        letters = [c for c in line if c.isalpha()]
        return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)

    # -- the second look: what the whole text tells about the runs left unknown --------------------
    def _second_look(self) -> None:
        if not self.pending:
            return
        g = self.g
        known: dict[str, str] = {}
        surnames: set[str] = set()
        for sp in self.found.values():
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
        for sp in list(self.found.values()):
            m = _ACRONYM_DEF.match(self.text, sp.end)
            if m and sp.label in (ORG, PLACE):
                known.setdefault(gazetteer.key(m.group(1)), sp.label)
        for toks, initial in self.pending:
            label = self._settle(toks, initial, known, surnames)
            if label:
                self.emit(toks, label)

    def _settle(
        self, toks: list[Token], initial: bool, known: dict[str, str], surnames: set[str]
    ) -> str | None:
        g = self.g
        words = [t[2] for t in toks]
        lower = [gazetteer.key(w) for w in words]
        k = " ".join(lower)
        n = len(toks)
        if k in known:
            return known[k]
        if n == 1 and k in surnames:
            return PERSON
        if n == 1 and _acronym(words[0]):
            return None if self._all_caps_context(toks[0][0]) else ORG
        if initial and n == 1 and k in g.common:
            return None
        before, before2 = _words_before(self.text, toks[0][0])
        after = _word_after(self.text, toks[-1][1])
        person_context = after in rules.PERSON_AFTER or before in rules.PERSON_BEFORE
        place_context = (
            before in rules.PLACE_BEFORE
            or (before == "of" and before2 in rules.PLACE_OF)
            or self._place_follows(toks[-1][1])
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
                w in g.common or w in g.demonyms or g.places.get(w, ("", 0))[1] >= _CITY
                for w in lower
            )
            and not (lower[-1].endswith("s") and lower[-1][:-1] in g.common)
        ):
            return PERSON  # two or three unknown name-like words: "Barack Obama"
        return MISC

    def _place_follows(self, end: int) -> bool:
        """ "Evanston, Illinois": a known state or country after a comma."""
        if self.text[end : end + 2] != ", ":
            return False
        m = _CHUNK.match(self.text, end + 2)
        if not m:
            return False
        place = self.g.places.get(gazetteer.key(m.group()))
        return place is not None and place[1] >= gazetteer._BIG


_INITIALS = re.compile(r"(?:[A-Z]\.){1,3}")
_ACRONYM_DEF = re.compile(r"[ \xa0]*\(((?:[A-Z][A-Za-z&.-]*){2,8})\)")


def _key(toks: list[Token]) -> str:
    return " ".join(gazetteer.key(t[2]) for t in toks)


def _trim(toks: list[Token]) -> list[Token]:
    """Drop connectors at either end ("of the" left over after a split)."""
    i, j = 0, len(toks)
    while i < j and toks[i][2][:1].islower() and not _prefixed(toks[i][2]):
        i += 1
    while j > i and toks[j - 1][2][:1].islower() and not _prefixed(toks[j - 1][2]):
        j -= 1
    while i < j and toks[i][2] in ("&",):
        i += 1
    while j > i and toks[j - 1][2] in ("&",):
        j -= 1
    return toks[i:j]


def _prefixed(word: str) -> bool:
    return (
        len(word) > 3
        and ("-" in word[:5] or "'" in word[:3] or "’" in word[:3])
        and any(c.isupper() for c in word)
    )


def _split(toks: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for tok in toks:
        if tok[2] in _SPLIT_AT:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def _title_length(lower: list[str]) -> int:
    """How many leading words are a title ("Prime Minister", "Secretary of State", "Dr")."""
    end = 0
    for i, w in enumerate(lower[:-1]):
        if w in rules.TITLE_HEADS:
            end = i + 1
        elif w in rules.TITLE_MODIFIERS:
            # "Secretary of State", but not "President of the" United States
            if end and w not in ("of", "the"):
                end = i + 1
        else:
            break
    return end


def _shouting(word: str) -> bool:
    return word.isupper()


def _acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return (
        2 <= len(letters) <= 6
        and letters.isupper()
        and letters.isalnum()
        and word.lower() not in rules.COMMON_CAPS
    )


def _sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\xa0\"“”‘'([«*":
        j -= 1
    if j < 0:
        return True
    c = text[j]
    if c in ".!?\n:;—–…":
        return True
    return c == "-" and j > 0 and text[j - 1] in "- "


def _words_before(text: str, i: int) -> tuple[str, str]:
    words = text[max(0, i - 40) : i].split()
    w1 = words[-1].strip(".,;:\"'“”‘’()").lower() if words else ""
    w2 = words[-2].strip(".,;:\"'“”‘’()").lower() if len(words) > 1 else ""
    if words and words[-1][-1:] in ",.;:)":
        return "", ""  # punctuation between: no cue
    return w1, w2


def _word_after(text: str, i: int) -> str:
    m = _WORD_AFTER.match(text, i)
    if not m:
        return ""
    if text[i : m.start(1)].strip() == ",":
        return "," + m.group(1).lower() if m.group(1).lower() == "who" else ""
    return m.group(1).lower()
