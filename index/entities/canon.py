"""One entity, many names, inside one article: "Assad" after "Bashar Assad" is that person,
"MOSCOW" is Moscow, "U.S." is the United States, and "Islamic State of Syria and Iraq (ISIS)"
makes ISIS that organisation. Works on any extractor's spans."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.entities.base import MISC, PERSON, Span
from index.entities.names import alias, name_key
from index.entities.titles import title_cased

_GLUE = frozenset({"of", "the", "and", "for", "on", "de", "du", "la", "le", "&", "in", "at"})
_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "van", "von", "de", "da", "di", "du", "der", "le", "la", "abu"}
)
_ACRONYM_AFTER = re.compile(r"[ \xa0]*\([ \xa0]*")
_HEADLINE_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass
class Group:
    """One entity as an article names it."""

    canonical: str
    label: str
    keys: set[str] = field(default_factory=set)  # every full name it is written as
    partial: set[str] = field(default_factory=set)  # surnames: "assad" for Bashar Assad
    members: list[int] = field(default_factory=list)  # indexes into the spans


def display(text: str) -> str:
    """A mention as a canonical name: no possessive, no leading "the", single spaces, and a
    word in capitals (not an acronym) in title case: "MOSCOW's" → "Moscow"."""
    t = " ".join(text.split())
    t = re.sub(r"['’]s?$", "", t)
    if t[:4].lower() == "the " and len(t) > 4:
        t = t[4:]
    letters = [c for c in t if c.isalpha()]
    if len(letters) > 5 and t.isupper():
        t = " ".join(w.capitalize() if len(w) > 3 else w for w in t.split())
    return t


def group(text: str, spans: list[Span]) -> list[Group]:
    """Gather the spans of one text into entities (each span in exactly one group)."""
    groups: list[Group] = []
    by_key: dict[str, int] = {}
    keys = [name_key(s.text) for s in spans]
    # An acronym spelled out just before it, "Islamic State of Syria and Iraq (ISIS)", or after.
    defined: dict[str, int] = {}
    for i, s in enumerate(spans[:-1]):
        nxt = spans[i + 1]
        m = _ACRONYM_AFTER.match(text, s.end)
        if not (m and m.end() == nxt.start and text[nxt.end : nxt.end + 1] == ")"):
            continue  # the next name is not in brackets right after this one
        if abbreviates(nxt.text, s.text) and not _headline_tag(text, s, nxt):
            defined[keys[i + 1]] = i
        elif " " not in s.text and abbreviates(s.text, nxt.text):  # "AEW (All Elite Wrestling)"
            defined[keys[i]] = i + 1
    # Whole names first, so that a surname can find its person wherever it stands.
    order = sorted(range(len(spans)), key=lambda i: (len(keys[i].split()) < 2, i))
    surnames: dict[str, list[tuple[int, int]]] = {}  # surname -> [(span start, group)]
    for i in order:
        s, k = spans[i], keys[i]
        if not k:
            continue
        lookup = _person_key(k) if s.label == PERSON else k
        if k in defined and keys[defined[k]] in by_key:
            g = by_key[keys[defined[k]]]
        elif lookup in by_key:
            g = by_key[lookup]
        elif " " not in k and s.label in (PERSON, MISC) and k in surnames:
            g = _nearest(surnames[k], s.start)
            groups[g].members.append(i)
            # a surname, not a name of the person's: the library links a full name only by
            # full names, or "Johnson" would join Brad Johnson to another story's Randy Johnson
            groups[g].partial.add(k)
            continue
        else:
            g = len(groups)
            groups.append(Group("", s.label))
            by_key[lookup] = g
            by_key.setdefault(k, g)
        groups[g].members.append(i)
        groups[g].keys.add(k)
        if k in defined:
            groups[g].keys.add(keys[defined[k]])
        if s.label == PERSON and " " in k:
            for part in _surname_keys(k):
                surnames.setdefault(part, []).append((s.start, g))
                groups[g].partial.add(part)
    for group in groups:
        _settle(group, spans)
    # "Russians" and "Russian" arrive as two names with one canonical: one entity.
    merged: dict[tuple[str, str], Group] = {}
    for group in groups:
        same = merged.get((name_key(group.canonical), group.label))
        if same is None:
            merged[(name_key(group.canonical), group.label)] = group
        else:
            same.members.extend(group.members)
            same.keys |= group.keys
            same.partial = (same.partial | group.partial) - same.keys
    return list(merged.values())


def _headline_tag(text: str, s: Span, acronym: Span) -> bool:
    """ "Zentrix's Antitrust Profit (AP)": in a Title Case headline every word is capitalised,
    so the words before "(XX)" are a name only when their initials spell it, in order, and not
    at the headline's end, where "(AP)" is the agency's tag."""
    line_start = text.rfind("\n", 0, s.start) + 1
    line_end = text.find("\n", acronym.end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    words = _HEADLINE_WORD.findall(line)
    if not title_cased(line) and not (len(words) >= 2 and all(w[0].isupper() for w in words)):
        return False
    if not text[acronym.end + 1 : line_start + len(line)].strip():
        return True
    words = [w for w in re.split(r"[\s-]+", s.text) if w and w.lower() not in _GLUE]
    letters = [c for c in acronym.text.upper() if c.isalpha()]
    return [w[0].upper() for w in words] != letters


def _settle(g: Group, spans: list[Span]) -> None:
    """The group's label (most mentions; ties: the longest name) and canonical name."""
    members = [spans[i] for i in g.members]
    labels = Counter(s.label for s in members)
    longest = max(members, key=lambda s: (len(s.text.split()), len(s.text)))
    top = max(labels.values())
    g.label = longest.label if labels[longest.label] == top else labels.most_common(1)[0][0]
    known = alias(longest.text)
    given = Counter(s.canonical for s in members if s.canonical)
    if known is not None:
        g.canonical = known[0]
    elif given:
        g.canonical = given.most_common(1)[0][0]
    else:
        g.canonical = display(longest.text)
    g.keys.add(name_key(g.canonical))
    g.partial -= g.keys


def _surname_keys(key: str) -> list[str]:
    words = [w for w in key.split() if w not in _PARTICLES]
    if len(words) < 2:
        return []
    return [words[-1]]


def _person_key(key: str) -> str:
    """ "bashar al assad" and "bashar assad" are one person."""
    return " ".join(w for w in key.split() if w not in _PARTICLES) or key


def _nearest(places: list[tuple[int, int]], start: int) -> int:
    """The person named most recently before `start`, else the first named after it."""
    before = [(pos, g) for pos, g in places if pos <= start]
    if before:
        return max(before)[1]
    return min(places)[1]


def abbreviates(short: str, long: str) -> bool:
    """ "ISIS" for "Islamic State of Syria and Iraq", "SOHR" for "Syrian Observatory for Human
    Rights": the acronym's letters are the initials of the long name's words, in any order."""
    letters = [c for c in short.upper() if c.isalpha()]
    if len(letters) < 2 or not short.replace(".", "").isupper():
        return False
    words = [w for w in re.split(r"[\s-]+", long) if w]
    initials = [w[0].upper() for w in words if w.lower() not in _GLUE]
    every = [w[0].upper() for w in words]
    if letters[0] != every[0]:
        return False
    return not (Counter(letters) - Counter(every)) and len(letters) >= min(2, len(initials))
