"""The ranker's cache of scored postings: recently used terms and phrases, least recently used
out first, within two budgets counted in postings. The words typed (title, body, passages) share
one; the filters (`source:`, `person:`, `place:`… fields) have their own, so that a filter a
reader keeps on, which matches a large share of the library, is not pushed out by the words
read between two of its searches (it would be read whole again at each one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

Scores = dict[int, float]
WORD_FIELDS = frozenset({"title", "body", "ptext"})


class TermCache:
    """Keys are tuples whose first item is the field name."""

    def __init__(self, words_budget: int, filters_budget: int) -> None:
        self._parts = {True: _Part(words_budget), False: _Part(filters_budget)}

    def get(self, key: tuple) -> Scores | None:
        """The cached scores, or None (recency unchanged)."""
        return self._part(key).entries.get(key)

    def __contains__(self, key: tuple) -> bool:
        return key in self._part(key).entries

    def remember(self, key: tuple, compute: Callable[[], Scores]) -> Scores:
        """The scores under `key`, computed and kept if not there; now the most recent."""
        return self._part(key).remember(key, compute)

    def discard(self, key: tuple) -> None:
        self._part(key).discard(key)

    def __iter__(self) -> Iterator[tuple]:
        for part in self._parts.values():
            yield from part.entries

    def postings(self, words: bool) -> int:
        """The postings held in the words' (or the filters') budget."""
        return self._parts[words].held

    def _part(self, key: tuple) -> _Part:
        return self._parts[key[0] in WORD_FIELDS]


class _Part:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: dict[tuple, Scores] = {}  # least recently used first
        self.held = 0

    def remember(self, key: tuple, compute: Callable[[], Scores]) -> Scores:
        found = self.entries.pop(key, None)
        if found is None:
            found = compute()
            self.held += len(found)
            while self.entries and self.held > self.budget:
                self.held -= len(self.entries.pop(next(iter(self.entries))))
        self.entries[key] = found
        return found

    def discard(self, key: tuple) -> None:
        found = self.entries.pop(key, None)
        if found is not None:
            self.held -= len(found)
