"""The ranker's cache of scored postings: recently used terms and phrases, least recently used
out first, within budgets counted in postings.

Two tiers, each with a budget for the words typed (title, body, passages) and one for the
filters (`source:`, `person:`, `place:`… fields), so that a filter a reader keeps on, which
matches a large share of the library, is not pushed out by the words read between two of its
searches. The hot tier keeps dictionaries, ready to use. A dictionary costs about eight times
what its postings do as two arrays, so what falls out of the hot tier is kept, as arrays
(`Compact`), in the compact tier: bringing it back, or looking up an And's candidates in it
(which leaves it there), costs a small part of reading the term from the index again."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator, Sized
from itertools import compress
from typing import Generic, TypeVar

Scores = dict[int, float]
WORD_FIELDS = frozenset({"title", "body", "ptext"})
Entry = TypeVar("Entry", bound=Sized)

# Compact.at bisects for each candidate while there are fewer than one for every PASS_RATIO
# postings; with more, one pass over the arrays, each posting looked up among the candidates
# (in C), costs less than a bisection per candidate (a Python loop).
PASS_RATIO = 8


class Compact:
    """A term's scores as two arrays in document order: 12 bytes a posting."""

    __slots__ = ("docs", "scores")

    def __init__(self, scores: Scores) -> None:
        keys = list(scores)
        docs = sorted(keys)  # one pass when in order already
        self.docs = array("i", docs)
        # Term reads come in document order: their scores are then taken as they are, not
        # looked up one by one (which was most of compacting a term).
        self.scores = array("d", scores.values() if docs == keys
                            else map(scores.__getitem__, docs))

    def __len__(self) -> int:
        return len(self.docs)

    def to_dict(self) -> Scores:
        return dict(zip(self.docs, self.scores, strict=True))

    def at(self, candidates: Collection[int]) -> Scores:
        """The scores of those of `candidates` (a dict or a set: looked up by hash) that are
        here, without making a dictionary of every posting."""
        docs, scores, n = self.docs, self.scores, len(self.docs)
        if len(candidates) * PASS_RATIO > n:
            held = list(map(candidates.__contains__, docs))
            return dict(zip(compress(docs, held), compress(scores, held), strict=True))
        out: Scores = {}
        for d in candidates:
            i = bisect_left(docs, d)
            if i < n and docs[i] == d:
                out[d] = scores[i]
        return out


class TermCache:
    """Keys are tuples whose first item is the field name."""

    def __init__(self, words_budget: int, filters_budget: int, compact_budget: int = 0,
                 compact_filters_budget: int = 0) -> None:
        self._parts: dict[bool, _Part[Scores]] = {
            True: _Part(words_budget), False: _Part(filters_budget)}
        self._compacts: dict[bool, _Part[Compact]] = {
            True: _Part(compact_budget), False: _Part(compact_filters_budget)}

    def get(self, key: tuple) -> Scores | Compact | None:
        """What is kept under `key`, from either tier, or None (recency unchanged)."""
        found = self._part(key).entries.get(key)
        return found if found is not None else self._compact(key).entries.get(key)

    def __contains__(self, key: tuple) -> bool:
        return key in self._part(key).entries or key in self._compact(key).entries

    def remember(self, key: tuple, compute: Callable[[], Scores]) -> Scores:
        """The scores under `key` as a dictionary, computed (or brought back from the compact
        tier) and kept in the hot tier if not there; now the most recent."""
        part = self._part(key)
        found = part.entries.pop(key, None)
        if found is None:
            compact = self._compact(key).take(key)
            found = compact.to_dict() if compact is not None else compute()
            part.held += len(found)
            while len(part.entries) and part.held > part.budget:
                old_key = next(iter(part.entries))
                if (old := part.take(old_key)) is not None:
                    self._keep_compact(old_key, old)
        part.entries[key] = found
        return found

    def touch(self, key: tuple) -> None:
        """Mark `key` (in either tier) as the most recently used."""
        self._part(key).touch(key)
        self._compact(key).touch(key)

    def discard(self, key: tuple) -> None:
        self._part(key).take(key)
        self._compact(key).take(key)

    def __iter__(self) -> Iterator[tuple]:
        for part in self._parts.values():
            yield from part.entries
        for compact in self._compacts.values():
            yield from compact.entries

    def hot_keys(self, words: bool) -> list[tuple]:
        """The keys in the hot tier's words' (or the filters') budget."""
        return list(self._parts[words].entries)

    def postings(self, words: bool) -> int:
        """The postings held in the hot tier's words' (or the filters') budget."""
        return self._parts[words].held

    def compact_postings(self, words: bool = True) -> int:
        """The postings held in the compact tier's words' (or the filters') budget."""
        return self._compacts[words].held

    def compact_room(self, words: bool) -> int:
        """The compact tier's words' (or the filters') budget, in postings."""
        return self._compacts[words].budget

    def _keep_compact(self, key: tuple, scores: Scores) -> None:
        compact = self._compact(key)
        if len(scores) > compact.budget:
            return
        compact.entries[key] = Compact(scores)
        compact.held += len(scores)
        while compact.held > compact.budget:
            compact.take(next(iter(compact.entries)))

    def _part(self, key: tuple) -> _Part[Scores]:
        return self._parts[key[0] in WORD_FIELDS]

    def _compact(self, key: tuple) -> _Part[Compact]:
        return self._compacts[key[0] in WORD_FIELDS]


class _Part(Generic[Entry]):
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: dict[tuple, Entry] = {}  # least recently used first
        self.held = 0

    def touch(self, key: tuple) -> None:
        if key in self.entries:
            self.entries[key] = self.entries.pop(key)

    def take(self, key: tuple) -> Entry | None:
        found = self.entries.pop(key, None)
        if found is not None:
            self.held -= len(found)
        return found
