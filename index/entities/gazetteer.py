"""The word lists behind the built-in extractor, loaded once, lazily, from the compact data file
that tools/build_gazetteer.py generates (sources and licences: index/entities/data/NOTICE)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gazetteer.tsv.gz"
MAX_NAME_TOKENS = 6  # longer gazetteer names are not looked up

# A place's "population" when the gazetteer names a kind instead (countries, states, regions).
_BIG = 10**9


class GazetteerError(Exception):
    """The data file is missing or damaged (a broken install): say so, never guess."""


@dataclass
class Gazetteer:
    # key (see `key()`) -> (canonical spelling, population or _BIG)
    places: dict[str, tuple[str, int]] = field(default_factory=dict)
    orgs: dict[str, str] = field(default_factory=dict)
    # key -> (canonical demonym, country)
    demonyms: dict[str, tuple[str, str]] = field(default_factory=dict)
    first_names: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    # dictionary words not in `common`, many of them rare ("twain", "quat"): enough to say an
    # unknown run is no person's name ("Silver Clouds"), too little to end or split a name
    words: frozenset[str] = frozenset()
    # legal forms that end a company's name beyond rules.ORG_HEADS ("Oyj", "SpA", "KGaA")
    org_suffixes: frozenset[str] = frozenset()
    # first tokens of multi-token names, so a chunk whose first word starts none is not probed
    starts: frozenset[str] = frozenset()
    digest: str = ""


def key(text: str) -> str:
    """Gazetteer key of a name or token: lower case, no periods, straight apostrophes."""
    k = _keys.get(text)
    if k is None:
        if len(_keys) > 200_000:
            _keys.clear()  # bounded: the words of news repeat, a long ingest's names need not
        k = _keys[text] = text.lower().replace(".", "").replace("’", "'")
    return k


_keys: dict[str, str] = {}  # the same few thousand words, looked up again and again


_lock = threading.Lock()


@cache
def _load_cached() -> Gazetteer:
    try:
        raw = DATA.read_bytes()
        text = gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise GazetteerError(
            f"{DATA}: cannot read the entity gazetteer ({exc}); reinstall newsreader or run"
            " tools/build_gazetteer.py"
        ) from None
    sections: dict[str, str] = {}
    for part in text.split("\n["):
        head, _, body = part.partition("]\n")
        sections[head.lstrip("[")] = body
    try:
        places = {}
        for line in _lines(sections["P"]):
            k, name, extra = line.split("\t")
            places[k] = (name, int(extra) if extra.isdigit() else _BIG)
        orgs = dict(line.split("\t")[:2] for line in _lines(sections["O"]))
        demonyms = {}
        for line in _lines(sections["D"]):
            k, name, country = line.split("\t")
            demonyms[k] = (name, country)
        starts = {
            k.split(" ", 1)[0] for table in (places, orgs, demonyms) for k in table if " " in k
        }
        return Gazetteer(
            places,
            orgs,
            demonyms,
            frozenset(_lines(sections["F"])),
            frozenset(_lines(sections["L"])),
            frozenset(_lines(sections["C"])),
            frozenset(_lines(sections.get("W", ""))),  # absent from files before it
            frozenset(_lines(sections.get("S", ""))),  # absent from files before it
            frozenset(starts),
            hashlib.sha1(raw).hexdigest()[:10],
        )
    except (KeyError, ValueError):
        raise GazetteerError(
            f"{DATA}: the entity gazetteer is not in the expected format; reinstall newsreader"
            " or run tools/build_gazetteer.py"
        ) from None


def _lines(section: str) -> list[str]:
    return section.split("\n")[:-1] if section.endswith("\n") else section.split("\n")


def load() -> Gazetteer:
    """The gazetteer, read on first use (a noticeable pause: see the README) and shared by
    every extractor."""
    with _lock:
        return _load_cached()


def forget() -> None:
    """Read the gazetteer's file again at its next use (its file was replaced)."""
    with _lock:
        _load_cached.cache_clear()


def digest() -> str:
    """A short hash of the data file: part of the extractor's version."""
    try:
        return hashlib.sha1(DATA.read_bytes()).hexdigest()[:10]
    except OSError:
        return "missing"
