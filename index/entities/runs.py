"""One pass of the built-in extractor over a text: each capitalised run of words is read with
the gazetteer and news-writing cues (see index.entities.builtin for the order of the evidence);
what the run alone cannot settle is kept in `pending` for the document-level look
(index.entities.document)."""

from __future__ import annotations

import re

from index.entities import gazetteer, people, rules, shapes
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.names import ALIAS_STARTS, alias
from index.entities.shapes import CITY, TOWN
from index.entities.tokens import (
    OF,
    PIECE,
    PREFIX_BEFORE,
    STOP,
    Token,
    after_weekdays,
    all_caps_around,
    caption,
    sentence_start,
    shouting,
    split_at_glue,
    title_length,
    tokens_key,
    trim,
)

_MAX_TOKENS, MAX_WORD = 12, 40  # a name is not longer (words, characters)
_PRO_ANTI = re.compile(r"(?<![\w-])(?:[Pp]ro|[Aa]nti)-$")
# Titles that are also first names: "Dean Kamen" is a person called Dean.
_HONORIFICS = frozenset({"mr", "mrs", "ms", "madam", "madame", "mister"})
_NAME_TITLES = frozenset({"dean", "major", "marshal", "earl", "duke", "king", "prince"})
_EVENTS = frozenset({"olympics", "paralympics", "olympiad"})
_WEEKDAYS = {w.capitalize() for w in rules.WEEKDAYS} | {w.upper() for w in rules.WEEKDAYS}
_THE = frozenset({"the ", "The ", "THE "})
_ORG_OF = rules.ORG_STARTS | rules.ORG_HEADS  # "University of Helsinki"
_CENTRES = frozenset({("center", "for"), ("centre", "for")})  # an organisation's name


class Run:
    """The state of one extract() call: found spans, and runs left for the second look."""

    def __init__(self, text: str, g: gazetteer.Gazetteer) -> None:
        self.text = text
        self.g = g
        self.found: dict[int, Span] = {}  # by start
        self.nested: list[Span] = []  # names inside found names: Helsinki in its university
        self.pending: list[tuple[list[Token], bool]] = []  # (tokens, sentence-initial)
        self.datelines: set[int] = set()
        self.inside: set[int] = set()  # starts of words inside a name found before the runs
        # (start, end, office's start, office's end): "Governor of Virginia" is a person when
        # Virginia was read as a place or an organisation (see people)
        self.holders: list[tuple[int, int, int, int]] = []

    # -- results ------------------------------------------------------------------------------
    def emit(self, toks: list[Token], label: str, canonical: str | None = None) -> None:
        s, e = toks[0][0], toks[-1][1]
        if s in self.found:
            return
        self.found[s] = Span(s, e, self.text[s:e], label, canonical)

    def spans(self) -> list[Span]:
        held = []
        by_end = {sp.end: sp for sp in self.found.values()}
        for start, end, of_start, of_end in self.holders:
            of = by_end.get(of_end)
            if of is not None and of.start >= of_start and of.label in (ORG, PLACE):
                start = min(start, of.start)  # "Malaysia's Prime Minister" starts with its owner
                held.append(Span(start, end, self.text[start:end], PERSON))
        return sorted(
            [*self.found.values(), *self.nested, *held], key=lambda sp: (sp.start, -sp.end)
        )

    # -- one capitalised run --------------------------------------------------------------------
    def chunk(self, start: int, end: int) -> None:
        if start in self.found or start in self.inside:
            return
        if end - start < 12:
            word = self.text[start:end]
            if word.lower() in STOP and " " not in word and "\xa0" not in word:
                return  # "The", "He", "In": most runs are one such word
        if self.text[start - 1 : start] == "-" and _PRO_ANTI.search(
            self.text, max(0, start - 5), start
        ):
            return  # "pro-Beijing camp": Beijing is not named as a place
        m = PREFIX_BEFORE.search(self.text, max(0, start - 5), start)
        if m:
            start = m.start()  # "al-Qaeda": the particle belongs to the name
        toks = [(m.start(), m.end(), m.group()) for m in PIECE.finditer(self.text, start, end)]
        # A possessive inside the run ends a name: "Pro-Beijing DAB's Starry Lee", unless an
        # organisation's word follows and ends the run ("Korean People's Army"; not "Unocal
        # Corp's Union Oil Co"); so do a capitalised function word ("When I", "Australia On
        # Saturday") and a caption's label ("Image:").
        first = True
        seg: list[Token] = []
        owner: list[Token] = []  # the name before the last possessive
        for i, tok in enumerate(toks):
            s, e, w = tok
            if w.lower() in rules.SPLIT_WORDS or (self.text[e : e + 1] == ":" and caption(w)):
                if seg:
                    self.segment(seg, first)
                first, seg, owner = False, [], []
            elif (
                w.endswith(("'s", "’s"))
                and len(w) > 2
                and not (i + 2 == len(toks) and toks[i + 1][2].lower() in rules.ORG_HEADS)
            ):
                seg.append((s, e - 2, w[:-2]))
                self.segment(seg, first)
                first, seg, owner = False, [], seg
            elif w.endswith(("s'", "s’")) and len(w) > 2:
                seg.append((s, e - 1, w[:-1]))
                self.segment(seg, first)
                first, seg, owner = False, [], []
            else:
                seg.append(tok)
        if seg:
            self.segment(seg, first)
            if owner and people.office([gazetteer.key(t[2]) for t in seg]):
                # "Malaysia's Prime Minister", nothing after: the office stands for its holder
                self.holders.append((seg[0][0], seg[-1][1], owner[0][0], owner[-1][1]))

    def segment(self, toks: list[Token], at_chunk_start: bool) -> None:
        toks = trim(toks)
        if toks and toks[0][2] in _WEEKDAYS:
            toks = after_weekdays(toks)  # "on Saturday Sirhan Sirhan was stabbed"
        if len(toks) > _MAX_TOKENS and any(t[2] in ("and", "&") for t in toks):
            # Names listed: "Claudia Mo of the Civic Party and Wong Pik-wan of the Democratic
            # Party" is read name by name.
            parts = [[]]  # type: list[list[Token]]
            for t in toks:
                if t[2] in ("and", "&"):
                    parts.append([])
                else:
                    parts[-1].append(t)
            for i, part in enumerate(parts):
                if len(part) < len(toks):
                    self.segment(part, at_chunk_start and i == 0)
            return
        if not toks or len(toks) > _MAX_TOKENS or any(t[1] - t[0] > MAX_WORD for t in toks):
            return  # a name is not that long: a shouted headline, a table, garbage
        g = self.g
        if at_chunk_start and sentence_start(self.text, toks[0][0]):
            # "Fighting around Palmyra", "The ministry": an ordinary word written capitalised.
            w = toks[0][2]
            lw = gazetteer.key(w)
            if (w.lower() in STOP or lw in g.common) and not (
                self._known(toks[:1])
                or (
                    len(toks) > 1
                    and (
                        lw in g.first_names
                        or (len(toks) == 2 and shapes.named_after_country(g, lw, toks[1][2]))
                        or (
                            lw in g.starts
                            and shapes.known_prefix(
                                g, [gazetteer.key(t[2]) for t in toks], whole=True
                            )
                        )
                    )
                )
            ):
                toks = trim(toks[1:])
                if not toks:
                    return
        if toks[0][2] == "The" and shapes.the_name(g, self.text, toks) and not self._known(toks):
            return self.emit(toks, ORG)  # "in The Onion": a paper, a band, a firm
        if len(toks) > 1 and toks[0][2] in ("The", "THE") and not self._known(toks):
            toks = trim(toks[1:])
        if self.text[toks[0][0] - 4 : toks[0][0]] in _THE and people.holder(self.text, toks):
            return self.emit(toks, PERSON)  # "The President has": its holder
        if len(toks) == 1:
            w = toks[0][2]
            lw = w.lower()  # periods kept: "U.S." is not "us"
            if (
                lw in STOP
                or len(w) < 2
                or lw in rules.COMMON_CAPS
                or gazetteer.key(w) in rules.TITLE_HEADS
            ):
                return  # ... or "Mr." alone
        self.classify(toks, at_chunk_start)

    def _known(self, toks: list[Token]) -> bool:
        k = tokens_key(toks)
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
            and shouting(words[0])
            and len(words[0]) <= 2
            and all_caps_around(self.text, toks[0][0])
        ):
            self.emit(toks, known[1], known[0])
            return
        if k in g.orgs and not (k in g.places and self.place_follows(toks[-1][1])):
            self.emit(toks, ORG, g.orgs[k])  # (not "Cambridge, Massachusetts")
            return
        place = g.places.get(k)
        if place is not None and (
            n > 1 or (place[1] >= TOWN and shapes.clear_place(g, lower[0], place[1]))
        ):
            self.emit(toks, PLACE, place[0])
            return
        if k in g.demonyms:
            if people.group_of_people(self.text, g, toks, k):
                self.emit(toks, PERSON)  # "Syrians fled", "the Rohingya": a group of people
            else:
                self.emit(toks, MISC, g.demonyms[k][0])
            return
        if n > 1 and not rules.STORM_WORDS.isdisjoint(lower) and shapes.storm(g, lower):
            self.emit(toks, MISC)  # "Tropical Storm Humberto"
            return
        if n == 1:
            lw = words[0].lower()
            if lw in _EVENTS:
                self.emit(toks, MISC)  # "the Paralympics"
                return
            if not (  # "PhD" of "PhD and I've", "Mr." of "Mr. President" (not "King")
                lw in STOP
                or lw in rules.COMMON_CAPS
                or (lower[0] in rules.TITLE_HEADS and lower[0] not in g.surnames)
            ):
                self.pending.append(
                    (toks, at_chunk_start and sentence_start(self.text, toks[0][0]))
                )
            return
        if n == 2 and shapes.named_after_country(g, lower[0], lower[1]):
            self.emit(toks, ORG)  # "Environment Canada", "Team USA": named after the country
            return
        # 2. "and" joins two names, except in one ("Food and Drug Administration")
        a = next((i for i, w in enumerate(lower) if w in ("and", "&")), 0)
        if (
            a
            and not (a == 1 and shapes.shaped(g, lower) and lower[0] not in g.places)
            and not shapes.joint(g, lower, a)
        ):
            self.classify(trim(toks[:a]))
            self.classify(trim(toks[a + 1 :]))
            return
        if n == 2 and lower[0] in _HONORIFICS and lower[1] in rules.TITLE_HEADS:
            self.emit(toks, PERSON)  # "Mr. President", "Madam Speaker": the holder addressed
            return
        if lower[-1] in rules.TITLE_HEADS and n > 1:
            self.classify(trim(toks[:-1]))  # "State Department spokesperson"
            return
        # 3. "X of Y": one organisation or place ("University of Helsinki", "Gulf of Mexico"),
        # a title ("Governor of Virginia"), or two names ("Claudia Mo of the Civic Party")
        c = next((i for i, w in enumerate(lower) if w in OF), 0)
        if c:
            head = lower[c - 1]
            if head in rules.EVENT_HEADS:
                self.emit(toks, MISC)  # "Winter Carnival of Magic", "Festival of Britain"
            elif head in _ORG_OF or (head, lower[c]) in _CENTRES:
                self.emit(toks, ORG)
            elif head in rules.PLACE_STARTS or head in rules.PLACE_HEADS or head == "museum":
                self.emit(toks, PLACE)
            elif self._title(toks, lower):
                pass
            elif (cut := shapes.known_prefix(g, lower[:c])) and title_length(lower[cut:]):
                self.classify(toks[:cut])  # "U.S. Secretary of Commerce Bruce Smart"
                self.classify(toks[cut:])
            else:
                self.classify(trim(toks[:c]))
                self.classify(trim(toks[c + 1 :]))
            return
        # 4. organisation and place words at the end ("Syrian Army", "Mediterranean Sea")
        shape = shapes.shaped(g, lower)
        if (
            shape == MISC
            and (cut := shapes.known_prefix(g, lower))
            and " ".join(lower[:cut]) in g.orgs
        ):
            self.classify(toks[:cut])  # "FIFA World Cup": FIFA is named ("Gulf War" is one)
            toks = toks[cut:]
        if shape and not (lower[0] in rules.TITLE_HEADS and title_length(lower)):
            self.emit(toks, shape)
            return
        # 5. a leading title, nationality or place
        if self._title(toks, lower):
            return
        if lower[0] in g.demonyms:
            self.emit(toks[:1], MISC, g.demonyms[lower[0]][0])
            self.classify(trim(toks[1:]))
            return
        # 6. a known place before a title or a name: "U.S. President Donald Trump"
        cut = shapes.known_prefix(g, lower)
        if cut and (
            lower[cut] in rules.TITLE_HEADS
            or lower[cut] in rules.TITLE_MODIFIERS
            or shapes.person(g, lower[cut:], words[cut:])
        ):
            self.classify(toks[:cut])
            self.classify(trim(toks[cut:]))
            return
        # "Arts and Humanities Citation Index Professor Chomsky": a title inside the run
        t = shapes.inner_title(lower)
        if t:
            w = lower[0]
            if t == 1 and not (w in STOP or w in g.places or w in g.demonyms or alias(w)):
                self.emit(toks[:1], ORG)  # "Fed Chairman Paul Volcker": whose chairman
            else:
                self.classify(trim(toks[:t]))
            self.classify(toks[t:])
            return
        # 7. a person's name
        if shapes.person(g, lower, words):
            self.emit(toks, PERSON)
            return
        cut = shapes.known_prefix(g, lower)
        if cut:
            self.classify(toks[:cut])
            self.classify(trim(toks[cut:]))
            return
        parts = split_at_glue(toks)
        if len(parts) > 1:
            for part in parts:
                self.classify(trim(part))
            return
        # "Exchequer Nigel Lawson": a full name (known first name and surname) ends the run
        for i in range(max(1, n - 3), n - 1):
            if (
                lower[i] in g.first_names
                and lower[i] not in g.common
                and lower[-1] in g.surnames
                and lower[i - 1] not in OF
                and not words[i].isupper()
                and not any(  # "Air North America", "Shr Royal Dutch"
                    g.places.get(w, ("", 0))[1] >= CITY or w in g.demonyms or alias(w)
                    for w in lower[i:]
                )
            ):
                self.classify(trim(toks[:i]))
                self.emit(toks[i:], PERSON)
                return
        # 8. decided after the whole text was read
        self.pending.append((toks, at_chunk_start and sentence_start(self.text, toks[0][0])))

    def _title(self, toks: list[Token], lower: list[str]) -> bool:
        """A run starting with a title: the person after it (or, after "of", the place or
        organisation). False when there is no title."""
        title = title_length(lower)
        if not title:
            return False
        g = self.g
        rest_lower = lower[title:]
        if rest_lower[0] in OF:
            of = trim(toks[title + 1 :])
            self.classify(of)
            tail = [gazetteer.key(t[2]) for t in of[-2:]]
            if of and not shapes.person(g, tail, [t[2] for t in of[-2:]]):
                # "Governor of Virginia" stands for its holder ("Governor of the Bank of
                # England Robin Leigh-Pemberton" names him)
                self.holders.append((toks[0][0], of[-1][1], of[0][0], of[-1][1]))
            return True
        inner = shapes.inner_title(rest_lower)
        if inner:  # "General Electric Chairman Jack Welch"
            self.classify(trim(toks[: title + inner]))
            self.classify(toks[title + inner :])
            return True
        c = next((i for i, w in enumerate(rest_lower) if w in OF), len(rest_lower))
        name = trim(toks[title : title + c])
        if not name:
            return True
        if len(name) == 1:
            w = gazetteer.key(name[0][2])
            if w in rules.ORG_HEADS:
                self.emit(toks[: title + c], ORG)  # "General Motors", "General Assembly"
            elif title == 1 and lower[0] in _NAME_TITLES and w not in g.common:
                self.emit(toks[: title + c], PERSON)  # "Dean Kamen": a first name, not a title
            elif w in g.orgs or (w in g.places and g.places[w][1] >= CITY):
                self.classify(name)  # "President Obama" is a person, "Governor Texas" is not
            elif w not in g.common:
                self.emit(name, PERSON)
        else:
            self.emit(name, PERSON)
        if c < len(rest_lower):
            self.classify(trim(toks[title + c + 1 :]))
        return True

    def place_follows(self, end: int) -> bool:
        """ "Evanston, Illinois": a known state or country after a comma."""
        return shapes.place_follows(self.g, self.text, end)
