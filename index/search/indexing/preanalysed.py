"""An article's body analysed once for itself and all its passages.

Every paragraph of an article of several is indexed twice: in the article's body (with word
positions, for phrases) and as a passage document of its own (for the matching paragraph and
related passages). Analysed field by field, Whoosh tokenised, lower-cased, filtered and stemmed
each word twice. Here the body's words are analysed once, and each passage's word counts are
taken from those of the body's words that lie inside it (paragraphs are separated by blank
lines, so no word straddles two). The index items are exactly the ones Whoosh's own formats
would make from each text; tests/unit/test_preanalysed.py compares them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from whoosh.fields import TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from index.search.text_analysis import analyzer

Items = list[tuple[bytes, int, float, bytes]]  # (term, frequency, weight, encoded value)


class Analysed:
    """A field value given as its index items, computed ahead (see AnalysedText)."""

    __slots__ = ("items",)

    def __init__(self, items: Items) -> None:
        self.items = items


class AnalysedText(TEXT):
    """A TEXT field that also accepts an Analysed value: its items are indexed as they are."""

    def index(self, value: Any, **kwargs: Any) -> Iterable:
        if isinstance(value, Analysed):
            return value.items
        return super().index(value, **kwargs)


def body_and_passages(
    body: str, spans: list[tuple[int, int]], body_field: TEXT, passage_field: TEXT
) -> tuple[Analysed, list[Analysed]]:
    """The index items of `body` for `body_field` (positions) and of each `body[s:e]` for
    `passage_field` (frequencies), from one analysis of the body."""
    # The items below are what these two formats' word_values make.
    assert type(body_field.format) is Positions and type(passage_field.format) is Frequency
    positions: dict[str, list[int]] = defaultdict(list)
    counts: list[dict[str, int]] = [defaultdict(int) for _ in spans]
    starts = [s for s, _ in spans]
    for t in analyzer()(body, positions=True, chars=True, boosts=True, mode="index"):
        if t.stopped:
            continue
        positions[t.text].append(t.pos)
        i = bisect_right(starts, t.startchar) - 1
        if i >= 0 and t.endchar <= spans[i][1]:
            counts[i][t.text] += 1
    fb = body_field.format.field_boost
    encode = body_field.format.encode
    body_items = [
        (w.encode("utf-8"), len(p), float(len(p)) * fb, encode(p)) for w, p in positions.items()
    ]
    pb = passage_field.format.field_boost
    passages = [
        Analysed([(w.encode("utf-8"), n, float(n) * pb, pack_uint(n)) for w, n in c.items()])
        for c in counts
    ]
    return Analysed(body_items), passages
