"""Fuzzy matching with rapidfuzz: typo-tolerant term expansion and as-you-type completion from
the index vocabulary, and the go-to finder over titles. Every path is bounded so that a
keystroke stays fast in a large library (the README's performance section)."""

from __future__ import annotations

import bisect
import heapq
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import OSA


class Vocabulary:
    """The library's words as written, with the number of articles using each: sorted for
    prefix lookups and bucketed by length for typo lookups. Built once per library revision."""

    def __init__(self, words: list[tuple[str, int]]) -> None:
        words = sorted(words)
        self.terms = [w for w, _ in words]
        self.freq = [df for _, df in words]
        self._freq = dict(words)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._by_initial: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for t in self.terms:
            self._by_length[len(t)].append(t)
            if t:
                self._by_initial[t[0]][len(t)].append(t)
        self._gathered: dict[tuple[int, int, str | None], list[str]] = {}

    def __len__(self) -> int:
        return len(self.terms)

    def frequency(self, word: str) -> int:
        return self._freq.get(word, 0)

    def completions(self, prefix: str, limit: int, budget: int | None = None) -> list[str]:
        """The most frequent words that start with `prefix`: at most `limit`, and (when a
        `budget` is given) no more than fit in `budget` articles in all — a search costs
        about one step per article each word is in, and the first completion always counts."""
        return self._most_used(self._starting(prefix), limit, budget)

    def matching(self, pattern: str, limit: int, budget: int | None = None) -> list[str]:
        """The most frequent words matching a wildcard `pattern` (`*` any letters, `?` one),
        bounded as `completions` is. Only the words starting with the pattern's letters
        before its first wildcard are tried."""
        lead = re.split(r"[*?]", pattern, maxsplit=1)[0]
        shape = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                                   for c in pattern))
        terms = self.terms
        found = [i for i in self._starting(lead) if shape.fullmatch(terms[i])]
        return self._most_used(found, limit, budget)

    def _starting(self, prefix: str) -> range:
        lo = bisect.bisect_left(self.terms, prefix)
        return range(lo, bisect.bisect_left(self.terms, prefix + "\uffff"))

    def _most_used(self, found, limit: int, budget: int | None) -> list[str]:
        if len(found) <= limit:
            best = sorted(found, key=self.freq.__getitem__, reverse=True)
        else:
            best = heapq.nlargest(limit, found, key=self.freq.__getitem__)
        if budget is None:
            return [self.terms[i] for i in best]
        chosen: list[str] = []
        spent = 0
        for i in best:
            if chosen and spent + self.freq[i] > budget:
                continue
            chosen.append(self.terms[i])
            spent += self.freq[i]
        return chosen

    def similar(self, word: str, limit: int) -> list[str]:
        """Known words within a small edit distance of `word` (a swap of two neighbouring
        letters counts as one edit), closest first, then those sharing its first letter, then
        most used."""
        n = len(word)
        if not n:
            return []
        max_edits = 1 if n <= 5 else 2
        lengths = range(n - max_edits, n + max_edits + 1)
        # Words starting with the same letter first (a twentieth of the vocabulary): one edit
        # away is as close as an unknown word gets, and others rank after them anyway.
        found = self._within(word, self._choices(lengths, word[0]), max_edits)
        if not found or min(d for _, d in found) > 1:
            found = self._within(word, self._choices(lengths), max_edits)
        ranked = sorted(found, key=lambda m: (m[1], m[0][0] != word[0], -self._freq[m[0]]))
        return [t for t, _ in ranked if t != word][:limit]

    def _within(self, word: str, choices: list[str], max_edits: int) -> list[tuple[str, int]]:
        if not choices:
            return []
        found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=max_edits,
                                limit=None)
        return [(t, int(d)) for t, d, _ in found]

    def _choices(self, lengths: range, first: str | None = None) -> list[str]:
        """The words of these lengths (starting with `first`), gathered once and kept."""
        key = (lengths.start, lengths.stop, first)
        choices = self._gathered.get(key)
        if choices is None:
            buckets = self._by_length if first is None else self._by_initial.get(first, {})
            choices = [t for length in lengths for t in buckets.get(length, ())]
            self._gathered[key] = choices
        return choices


# The go-to finder scores at most this many titles per keystroke in a large library.
MAX_CANDIDATES = 5000
# Above this many titles, candidates come from the word-prefix index instead of a full scan.
LARGE = 20_000
# A finder follows the library's changes in place unless more than this many titles would move
# (removed, or inserted among the others): each move shifts every title after it.
UPDATE_MAX_MOVES = 64


class Prefixes(Protocol):
    """Where a large library's finder gets its candidates: title_prefixes.StoredPrefixes (the
    library's tables) or MemoryPrefixes (titles given as a list)."""

    def common(self, keys: list[str], limit: int) -> list[int]:
        """Ids of the titles with a word starting with each of `keys`, newest first, at most
        `limit`."""
        ...


class MemoryPrefixes:
    """The word-prefix index of titles held in memory, built in one pass over them."""

    def __init__(self, ids: Iterable[int], processed: Iterable[str]) -> None:
        # For each 1-, 2- and 3-letter word prefix, the ids of the titles with a word starting
        # so, ascending. Arrays, not sets: sets of ints took five times the memory.
        by_prefix: dict[str, array[int]] = defaultdict(lambda: array("q"))
        for article_id, title in zip(ids, processed, strict=True):
            for key in {word[:n] for word in title.split() for n in (1, 2, 3)}:
                by_prefix[key].append(article_id)
        self._by_prefix = dict(by_prefix)

    def common(self, keys: list[str], limit: int) -> list[int]:
        lists = sorted((self._by_prefix.get(k, _NONE) for k in set(keys)), key=len)
        if not lists:
            return []
        if len(lists) == 1:
            return list(reversed(lists[0][-limit:])) if limit else []
        both = set(lists[0]).intersection(*lists[1:])
        return heapq.nlargest(limit, both)


class TitleFinder:
    """Go-to finder over titles (and later entity names): choices pre-processed once; a cheap
    scorer over all of them, then WRatio to order the best few."""

    def __init__(
        self,
        items: Iterable[tuple[int, str]],
        title_of: Callable[[list[int]], dict[int, str]] | None = None,
        prefixes: Callable[[], Prefixes] | None = None,
    ) -> None:
        """`items`: (id, title), ascending ids. `title_of`: the titles of these ids, looked up
        for the few found; given, only the processed titles are kept in memory, not also the
        titles as written (the finder's memory grows with the library). `prefixes`: gives
        the word-prefix index of a large library (read where it is kept, not built here);
        without it, one is built in memory from the titles."""
        self.ids = array("q")
        self._processed: list[str] = []
        self._title_of = title_of
        self._make_prefixes = prefixes
        self.titles: list[str] | None = None if title_of else []
        for article_id, title in items:
            if self.ids and article_id <= self.ids[-1]:
                raise ValueError("TitleFinder: the ids must be ascending")
            self.ids.append(article_id)
            self._processed.append(utils.default_process(title))
            if self.titles is not None:
                self.titles.append(title)
        self._prefixes: Prefixes | None = None
        self._in_memory = False  # the prefixes are built here, from the titles
        if len(self._processed) > LARGE:  # here, in the warm-up worker, not on a keystroke
            self._prefixes = prefixes() if prefixes else self._index_in_memory()

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def processed(self) -> list[str]:
        """The titles as the finder compares them (rapidfuzz's default processing), in the
        order of `ids`."""
        return self._processed

    @property
    def prefix_index(self) -> Prefixes | None:
        """Where a large library's candidates come from; None while every title is scored."""
        return self._prefixes

    def update(self, changed: list[tuple[int, str]], removed: list[int]) -> bool:
        """Follow the library: titles added or changed, articles removed, since this finder
        was built. False when a new finder is the better way (a word-prefix index in memory,
        or changes all over the titles), and this one is then unchanged."""
        size = len(self.ids) - len(removed) + len(changed)
        if (self._in_memory or (size > LARGE and self._make_prefixes is None)
                or len(removed) > UPDATE_MAX_MOVES):
            return False
        last = self.ids[-1] if self.ids else 0
        inserted = sum(
            article_id < last and self.positions([article_id]) == []
            for article_id, _ in changed
        )
        if inserted > UPDATE_MAX_MOVES:
            return False  # each one among the titles moves all those after it
        for article_id in removed:
            i = bisect.bisect_left(self.ids, article_id)
            if i < len(self.ids) and self.ids[i] == article_id:
                del self.ids[i], self._processed[i]
                if self.titles is not None:
                    del self.titles[i]
        for article_id, title in changed:
            i = bisect.bisect_left(self.ids, article_id)
            processed = utils.default_process(title)
            if i < len(self.ids) and self.ids[i] == article_id:
                self._processed[i] = processed
                if self.titles is not None:
                    self.titles[i] = title
                continue
            self.ids.insert(i, article_id)
            self._processed.insert(i, processed)
            if self.titles is not None:
                self.titles.insert(i, title)
        if len(self._processed) <= LARGE:
            self._prefixes = None
        elif self._prefixes is None and self._make_prefixes is not None:
            self._prefixes = self._make_prefixes()
        return True

    def find(self, text: str, limit: int = 20) -> list[tuple[int, str, float]]:
        needle = utils.default_process(text)
        if not needle:
            return []
        # partial_ratio rewards a typed fragment anywhere in the title; its cost grows with
        # the choices, so it runs only over titles sharing a word prefix when there are many.
        choices = self._processed
        keys: range | list[int] = range(len(choices))
        if self._prefixes is not None:
            keys = self.candidates(needle)
            choices = list(map(self._processed.__getitem__, keys))
        found = process.extract(needle, choices, scorer=fuzz.partial_ratio, processor=None,
                                score_cutoff=60, limit=limit * 3)
        rescored = []
        for _, score, index in found:
            i = keys[index]
            whole = fuzz.WRatio(needle, self._processed[i], processor=None)
            rescored.append((i, 0.6 * score + 0.4 * whole))
        rescored.sort(key=lambda x: -x[1])
        best = rescored[:limit]
        if self.titles is not None:
            return [(self.ids[i], self.titles[i], round(s, 1)) for i, s in best]
        assert self._title_of is not None
        titles = self._title_of([self.ids[i] for i, _ in best])
        return [
            (self.ids[i], titles.get(self.ids[i], self._processed[i]), round(s, 1))
            for i, s in best
        ]

    def candidates(self, needle: str) -> list[int]:
        """Titles worth scoring (their numbers here): those with a word starting like each
        of the first three typed words (up to three letters; a word whose titles share none
        with the others' is left out), newest first, at most MAX_CANDIDATES. Too few because
        a word was left out (a typo in its first letters): the best by the cheap QRatio over
        every title. A few titles that every typed word matched need no more: that scan of
        all titles cost more than the rest of a keystroke."""
        prefixes = self._prefixes
        if prefixes is None:
            prefixes = self._prefixes = self._index_in_memory()
        kept: list[str] = []
        left_out = False
        for word in needle.split()[:3]:
            if prefixes.common([*kept, word[:3]], 1):
                kept.append(word[:3])
            else:
                left_out = True
        found = prefixes.common(kept, MAX_CANDIDATES) if kept else []
        chosen = self.positions(found)
        if len(chosen) < 50 and left_out:
            quick = process.extract(needle, self._processed, scorer=fuzz.QRatio,
                                    processor=None, limit=200)
            chosen = sorted({i for _, _, i in quick} | set(chosen))
        return chosen

    def _index_in_memory(self) -> Prefixes:
        self._in_memory = True
        return MemoryPrefixes(self.ids, self._processed)

    def positions(self, ids: list[int]) -> list[int]:
        """Where these ids are among the titles (ids since removed are left out). Ids only
        grow, so an id's place is at most its distance from the first: there, in a library
        nothing was removed from, else looked for below it."""
        out: list[int] = []
        held, n = self.ids, len(self.ids)
        if not n:
            return out
        first = held[0]
        for article_id in ids:
            i = article_id - first
            if i < 0:
                continue
            if i >= n or held[i] != article_id:
                i = bisect.bisect_left(held, article_id, 0, min(i, n))
                if i >= n or held[i] != article_id:
                    continue
            out.append(i)
        return out


_NONE: array[int] = array("q")  # no titles
