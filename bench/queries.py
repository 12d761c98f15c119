"""Queries drawn from a library's genuine articles with a seeded RNG: what someone would type
to find them again. Every generator takes the same `Row`s, so AG News and Reuters get the same
kinds of queries."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

# Words too common to make a query of.
_STOP_WORDS = """a an and are as at be by for from has have he her his in is it its new of on or
said says that the their they this to was were will with after over into more than up out who
not us mln pct dlrs vs"""
STOP = frozenset(_STOP_WORDS.split())
ENTITY_FIELDS = {"PERSON": "person", "ORG": "org", "PLACE": "place"}


@dataclass
class Row:
    """A genuine article of the library; `body` is read only when a generator needs it."""

    id: int
    title: str
    source: str | None
    date: str | None
    body: Callable[[], str]


def words_of(text: str) -> list[str]:
    """Words worth searching for: letters, 3+ long, no stop words."""
    return [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z']+", text)
        if w.lower() not in STOP and len(w) >= 3 and "'" not in w
    ]


def _pick(rows: list[Row], rng: random.Random) -> Row:
    return rows[rng.randrange(len(rows))]


def make_queries(rows: list[Row], rng: random.Random, n: int) -> list[str]:
    """One to three neighbouring words of a title (or, without any, of the text)."""
    queries: list[str] = []
    while len(queries) < n:
        row = _pick(rows, rng)
        words = words_of(row.title) or words_of(row.body()[:2000])
        if not words:
            continue
        k = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        start = rng.randrange(max(1, len(words) - k + 1))
        queries.append(" ".join(words[start : start + k]).lower())
    return queries


def make_phrases(rows: list[Row], rng: random.Random, n: int) -> list[str]:
    """Two words standing next to each other in a title, in quotes."""
    out: list[str] = []
    while len(out) < n:
        tokens = re.findall(r"[A-Za-z][A-Za-z']*|\S", _pick(rows, rng).title)
        pairs = [
            (a, b) for a, b in zip(tokens, tokens[1:], strict=False) if words_of(a) and words_of(b)
        ]
        if pairs:
            a, b = rng.choice(pairs)
            out.append(f'"{a.lower()} {b.lower()}"')
    return out


def make_field_queries(
    rows: list[Row], rng: random.Random, n: int, entities: Callable[[int], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """(kind, query) with a field filter, in turn: `title:word other`; `source:Name word`
    where sources differ (AG News's four classes), else `date:yyyy-mm word` (Reuters: one
    source, eight months); `person:"Name" word` (or org:, place:) with one of the article's
    own entities. The second word comes from the same article, so each can find it."""
    out: list[tuple[str, str]] = []
    kinds = ["title", "source_or_date", "entity"]
    sources = {r.source for r in rows}
    while len(out) < n:
        row = _pick(rows, rng)
        words = [w.lower() for w in words_of(row.title)]
        if not words:
            continue
        kind = kinds[len(out) % len(kinds)]
        other = rng.choice(words)
        if kind == "title":
            first = rng.choice(words)
            rest = [w for w in words if w != first]
            out.append(("title", f"title:{first} {rng.choice(rest)}" if rest else f"title:{first}"))
        elif kind == "source_or_date" and len(sources) > 1 and row.source:
            name = re.findall(r"[A-Za-z]+", row.source)[0]
            out.append(("source", f"source:{name} {other}"))
        elif kind == "source_or_date" and row.date:
            out.append(("date", f"date:{row.date[:7]} {other}"))
        elif kind == "entity":
            found = entities(row.id)
            if not found:
                continue
            label, name = rng.choice(found)
            quoted = f'"{name}"' if " " in name else name
            out.append(("entity", f"{ENTITY_FIELDS[label]}:{quoted} {other}"))
    return out


def misspell(word: str, rng: random.Random) -> str:
    """One slip of the fingers, keeping the first letter, as most typos do."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "replace", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "replace":
        return word[:i] + rng.choice("aeioulnrst".replace(word[i], "")) + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def make_typos(
    rows: list[Row], rng: random.Random, n: int, known: Callable[[str], int]
) -> list[tuple[str, str]]:
    """(query, the word meant): a real title word of 5+ letters the library knows, changed
    into one it does not know; a third of them after a correctly spelt word of the title."""
    out: list[tuple[str, str]] = []
    while len(out) < n:
        words = [w.lower() for w in words_of(_pick(rows, rng).title) if w.isalpha()]
        long_words = [w for w in words if len(w) >= 5]
        if not long_words:
            continue
        word = rng.choice(long_words)
        wrong = misspell(word, rng)
        if wrong == word or known(wrong) > 0 or known(word) == 0:
            continue
        others = [w for w in words if w != word]
        if others and rng.random() < 1 / 3:
            wrong = f"{rng.choice(others)} {wrong}"
        out.append((wrong, word))
    return out


def make_wildcards(rows: list[Row], rng: random.Random, n: int) -> list[str]:
    """An explicit wildcard: the first 4-6 letters of a title word of 6+ letters and `*`
    (`palm*`, `minist*`), a third of them after another word of the title."""
    out: list[str] = []
    while len(out) < n:
        words = [w.lower() for w in words_of(_pick(rows, rng).title) if w.isalpha()]
        long_words = [w for w in words if len(w) >= 6]
        if not long_words:
            continue
        word = rng.choice(long_words)
        stem = word[: rng.randint(4, min(6, len(word) - 1))] + "*"
        others = [w for w in words if w != word]
        out.append(f"{rng.choice(others)} {stem}" if others and rng.random() < 1 / 3 else stem)
    return out


def make_finder_inputs(rows: list[Row], rng: random.Random, n: int) -> list[str]:
    """What someone types to find a title they half remember: two or three of its words."""
    out: list[str] = []
    while len(out) < n:
        words = _pick(rows, rng).title.split()
        if len(words) < 3:
            continue
        start = rng.randrange(len(words) - 1)
        out.append(" ".join(words[start : start + rng.choice([2, 3])]))
    return out


def keystrokes(text: str) -> list[str]:
    """Each state of the box while `text` is typed, skipping blank ones (the UI clears)."""
    return [text[:i] for i in range(1, len(text) + 1) if text[:i].strip()]
