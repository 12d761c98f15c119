"""One pass of the built-in extractor over a text: each capitalised run of words is read with
the gazetteer and news-writing cues (see index.entities.builtin for the order of the evidence);
what the run alone cannot settle is kept in `pending` for the document-level look
(index.entities.document)."""

from __future__ import annotations

import re

from index.entities import gazetteer, rules
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.names import ALIAS_STARTS, alias
from index.entities.tokens import (
    INITIALS,
    OF,
    PIECE,
    PREFIX_BEFORE,
    STOP,
    Token,
    sentence_start,
    shouting,
    split_at_glue,
    title_length,
    tokens_key,
    trim,
)

# A one-word place smaller than a town is looked at again with the whole text (Obama, Japan is
# rarely meant); one at least as big as a city is a place even after a title.
TOWN, CITY = 100_000, 1_000_000
_MAX_TOKENS, _MAX_WORD = 12, 40
_PRO_ANTI = re.compile(r"(?<![\w-])(?:[Pp]ro|[Aa]nti)-$")
# Titles that are also first names: "Dean Kamen" is a person called Dean.
_NAME_TITLES = frozenset({"dean", "major", "marshal", "earl", "duke", "king", "prince"})


_GIVEN_HYPHENATED = re.compile(r"[A-Z][a-z]+-[a-z]+")


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

    # -- results ------------------------------------------------------------------------------
    def emit(self, toks: list[Token], label: str, canonical: str | None = None) -> None:
        s, e = toks[0][0], toks[-1][1]
        if s in self.found:
            return
        self.found[s] = Span(s, e, self.text[s:e], label, canonical)

    def spans(self) -> list[Span]:
        return sorted([*self.found.values(), *self.nested], key=lambda sp: (sp.start, -sp.end))

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

    def inverted(self, start: int, end: int, surname: str, first: str) -> None:
        """ "Austen, Jane": a known first name after a comma, surname first, as a book list
        writes it (not "London, Ontario": a place's name is no first name here)."""
        g = self.g
        f, last = gazetteer.key(first), gazetteer.key(surname)
        if (
            f not in g.first_names
            or f in g.places
            or last in STOP
            or last in g.common
            or g.places.get(last, ("", 0))[1] >= gazetteer._BIG
        ):
            return
        name = self.text[start:end]
        given = name.split(", ", 1)[1]
        self.found[start] = Span(start, end, name, PERSON, f"{given} {surname}")
        self.inside.update(m.start() for m in PIECE.finditer(self.text, start, end))

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
        toks: list[Token] = []
        for m in PIECE.finditer(self.text, start, end):
            w = m.group()
            toks.append((m.start(), m.end(), w))
        # A possessive inside the run ends a name: "Pro-Beijing DAB's Starry Lee", unless an
        # organisation's word follows and ends the run ("Korean People's Army"; not "Unocal
        # Corp's Union Oil Co"); so does a capitalised
        # function word: "When I", "Australia On Saturday".
        first = True
        seg: list[Token] = []
        for i, tok in enumerate(toks):
            s, e, w = tok
            if w.lower() in rules.SPLIT_WORDS:
                if seg:
                    self.segment(seg, first)
                first, seg = False, []
            elif (
                w.endswith(("'s", "’s"))
                and len(w) > 2
                and not (i + 2 == len(toks) and toks[i + 1][2].lower() in rules.ORG_HEADS)
            ):
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
        toks = trim(toks)
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
        if not toks or len(toks) > _MAX_TOKENS or any(t[1] - t[0] > _MAX_WORD for t in toks):
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
                        or (len(toks) == 2 and self._named_after_country(lw, toks[1][2]))
                        or (
                            lw in g.starts
                            and self._known_prefix([gazetteer.key(t[2]) for t in toks], whole=True)
                        )
                    )
                )
            ):
                toks = trim(toks[1:])
                if not toks:
                    return
        if len(toks) > 1 and toks[0][2] in ("The", "THE") and not self._known(toks):
            toks = trim(toks[1:])
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
            and self.all_caps_context(toks[0][0])
        ):
            self.emit(toks, known[1], known[0])
            return
        if k in g.orgs:
            self.emit(toks, ORG, g.orgs[k])
            return
        place = g.places.get(k)
        if place is not None and (
            n > 1 or (place[1] >= TOWN and self._clear_place(lower[0], place[1]))
        ):
            self.emit(toks, PLACE, place[0])
            return
        if k in g.demonyms:
            self.emit(toks, MISC, g.demonyms[k][0])
            return
        if n == 1:
            lw = words[0].lower()
            if (  # "PhD" of "PhD and I've", "Mr." of "Mr. President"
                lw not in STOP and lw not in rules.COMMON_CAPS and lower[0] not in rules.TITLE_HEADS
            ):
                self.pending.append(
                    (toks, at_chunk_start and sentence_start(self.text, toks[0][0]))
                )
            return
        if n == 2 and self._named_after_country(lower[0], lower[1]):
            self.emit(toks, ORG)  # "Environment Canada", "Team USA": named after the country
            return
        # 2. "and" joins two names, except in one ("Food and Drug Administration")
        a = next((i for i, w in enumerate(lower) if w in ("and", "&")), 0)
        if (
            a
            and not (a == 1 and self._shaped(lower) and lower[0] not in g.places)
            and not self._joint(lower, a)
        ):
            self.classify(trim(toks[:a]))
            self.classify(trim(toks[a + 1 :]))
            return
        if lower[-1] in rules.TITLE_HEADS and n > 1:
            self.classify(trim(toks[:-1]))  # "State Department spokesperson"
            return
        # 3. "X of Y": one organisation or place ("University of Helsinki", "Gulf of Mexico"),
        # a title ("Governor of Virginia"), or two names ("Claudia Mo of the Civic Party")
        c = next((i for i, w in enumerate(lower) if w in OF), 0)
        if c:
            head = lower[c - 1]
            if head in rules.ORG_STARTS or head in rules.ORG_HEADS:
                self.emit(toks, ORG)
            elif head in rules.PLACE_STARTS or head in rules.PLACE_HEADS or head == "museum":
                self.emit(toks, PLACE)
            elif self._title(toks, lower):
                pass
            elif (cut := self._known_prefix(lower[:c])) and title_length(lower[cut:]):
                self.classify(toks[:cut])  # "U.S. Secretary of Commerce Bruce Smart"
                self.classify(toks[cut:])
            else:
                self.classify(trim(toks[:c]))
                self.classify(trim(toks[c + 1 :]))
            return
        # 4. organisation and place words at the end ("Syrian Army", "Mediterranean Sea")
        shape = self._shaped(lower)
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
        cut = self._known_prefix(lower)
        if cut and (
            lower[cut] in rules.TITLE_HEADS
            or lower[cut] in rules.TITLE_MODIFIERS
            or self._person(lower[cut:], words[cut:])
        ):
            self.classify(toks[:cut])
            self.classify(trim(toks[cut:]))
            return
        # "Arts and Humanities Citation Index Professor Chomsky": a title inside the run
        t = self._inner_title(lower)
        if t:
            self.classify(trim(toks[:t]))
            self.classify(toks[t:])
            return
        # 7. a person's name
        if self._person(lower, words):
            self.emit(toks, PERSON)
            return
        cut = self._known_prefix(lower)
        if cut:
            self.classify(toks[:cut])
            self.classify(trim(toks[cut:]))
            return
        parts = split_at_glue(toks)
        if len(parts) > 1:
            for part in parts:
                self.classify(trim(part))
            return
        # 8. decided after the whole text was read
        self.pending.append((toks, at_chunk_start and sentence_start(self.text, toks[0][0])))

    def _named_after_country(self, first: str, second: str) -> bool:
        """ "Environment Canada", "Statistics Norway": a common noun before a country's name
        (not "Northern Ireland", "Visiting Canada")."""
        return (
            first in self.g.common
            and first not in rules.REGION_WORDS
            and not first.endswith(("ing", "ed"))
            and gazetteer.key(second) not in self.g.first_names
            and self.g.places.get(gazetteer.key(second), ("", 0))[1] >= gazetteer._BIG
        )

    def _inner_title(self, lower: list[str]) -> int:
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

    def _joint(self, lower: list[str], a: int) -> bool:
        """ "National Air and Space Museum": one name ending in an organisation's or a place's
        word, whose words before "and" name nothing on their own (not "Texaco and Pennzoil
        Co", "Claudia Mo and the Civic Party")."""
        before = lower[:a]
        return (
            a <= 3
            and len(lower) - a - 1 <= 3
            and bool(self._shaped(lower))
            and not self._shaped(before)
            and not any(w in OF or w in ("and", "&", "the") for w in before)
            and not self._known_prefix(before, whole=True)
            and not self._person(before, before)
            and all(w in self.g.common or w in rules.TITLE_MODIFIERS for w in before)
        )

    def _title(self, toks: list[Token], lower: list[str]) -> bool:
        """A run starting with a title: the person after it (or, after "of", the place or
        organisation). False when there is no title."""
        title = title_length(lower)
        if not title:
            return False
        g = self.g
        rest_lower = lower[title:]
        if rest_lower[0] in OF:
            self.classify(trim(toks[title + 1 :]))  # "Governor of Virginia"
            return True
        inner = self._inner_title(rest_lower)
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

    def _shaped(self, lower: list[str]) -> str | None:
        """ORG for "... Ministry", "... Party", "... Oyj"; PLACE for "... Sea", "... Airport"."""
        last = lower[-1]
        if last in rules.ORG_HEADS or last in self.g.org_suffixes:
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
        return not ((lw in g.first_names or lw in g.surnames) and population < CITY)

    def _person(self, lower: list[str], words: list[str]) -> bool:
        g = self.g
        if self._shaped(lower):
            return False
        if len(words) == 2 and _GIVEN_HYPHENATED.fullmatch(words[1]) and lower[0] not in STOP:
            return True  # "Cheng Chung-tai", "Wong Pik-wan": a hyphenated given name
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
        if first in g.first_names and (first not in g.places or g.places[first][1] < TOWN):
            return True
        if first in g.first_names and names[-1] in g.surnames:
            return True
        # "George W. Bush", "J. K. Rowling", "O.J. Simpson": initials; not "U.S. Space" (a
        # place's abbreviation before an ordinary word)
        # ... and a letter without its period only before a known surname ("T C Phailin" is
        # a cyclone's advisory name)
        return (
            any(len(w) == 1 for w in names[:-1])
            and len(names[-1]) > 1
            and not (alias(words[0]) and names[-1] in g.common)
            and (
                names[-1] in g.surnames
                or all(len(word) != 1 for word in words[:-1] if word[:1].isupper())
            )
        )

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

    def all_caps_context(self, start: int) -> bool:
        line = self.text[max(0, start - 40) : start + 40]
        upper = sum(map(str.isupper, line))
        letters = upper + sum(map(str.islower, line))
        return letters > 0 and upper > 0.6 * letters
