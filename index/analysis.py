"""The one text analyzer shared by indexing, querying and highlighting, so that a highlighted
word is exactly a word the index matched."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import StemmingAnalyzer


@lru_cache(maxsize=1)
def analyzer():
    # An unbounded stem cache is ~8% faster to index with (PERFORMANCE.md).
    return StemmingAnalyzer(cachesize=-1)


def terms(text: str) -> list[str]:
    """The index terms of `text` (lower-cased, stop words dropped, stemmed)."""
    return [t.text for t in analyzer()(text)]


def stem(word: str) -> str:
    """The index term for one word, or "" for a stop word."""
    found = terms(word)
    return found[0] if found else ""


def term_spans(text: str, wanted: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """(start, end) offsets of the words of `text` whose index term is in `wanted`."""
    if not wanted or not text:
        return []
    return [
        (t.startchar, t.endchar)
        for t in analyzer()(text, chars=True, positions=False)
        if t.text in wanted
    ]


_WORD = re.compile(r"[^\W\d_]{3,}")


def surface_words(text: str) -> set[str]:
    """The distinct words of `text` as written (lower-cased, letters only, 3+ long)."""
    return set(_WORD.findall(text.lower()))
