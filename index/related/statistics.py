"""The index statistics the related finder reads per query, cached between queries while
the index is unchanged: document frequencies, which segments hold a term, and postings."""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any

from index.chunking import chunks
from index.engine.whoosh_internals import postings as block_postings
from index.storage.library import Library

# Document frequencies are remembered between calls; after the index changes only the common
# terms' (df ≥ this) are kept, whose relative change is negligible.
DF_KEEP = 100
DF_CACHE_MAX = 200_000
POSTINGS_CACHE = 3_000_000  # document numbers kept (12 MB)


class IndexStatistics:
    """Per-term statistics of one searcher, and which article documents have passages."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.multi_docs: frozenset[int] = frozenset()
        self._df: dict[tuple[str, str], int] = {}
        # Per term, the segments (leaf reader indexes) holding it: valid for one searcher.
        self._where: dict[tuple[str, str], tuple[int, ...]] = {}
        self._leaves: list[tuple[Any, int]] = []
        # Postings of the terms read lately (document numbers, 4 bytes each), for one searcher:
        # common words come back in paragraph after paragraph, and reading them is most of a
        # call. Most recently used last.
        self._postings: OrderedDict[tuple[str, str], array] = OrderedDict()
        self._postings_size = 0

    def sync(self, s) -> None:
        """Start over on a new searcher (called under its lock)."""
        self._df = {k: v for k, v in self._df.items() if v >= DF_KEEP and k[0] != "kind"}
        self._where.clear()
        self._postings.clear()
        self._postings_size = 0
        reader = s.reader()
        self._leaves = list(reader.leaf_readers())
        # An article's passage documents are added right after its article document (one
        # writer, an article never split), so an article document followed by a passage
        # document has passages. Should that ever not hold, an article-level hit is still
        # placed at its best passage (the finder's _finish): results stay right, only their
        # ranking shifts.
        passages = set(self.postings("kind", "p"))
        self.multi_docs = frozenset(d for d in self.postings("kind", "a") if d + 1 in passages)

    def article_dfs(self, reader, forms: dict[str, set[str]]) -> dict[str, int]:
        """How many articles have each term. Asking the index costs a lookup per segment and
        term (a text has dozens of words; a bulk-loaded index dozens of segments), so the
        library's word counts (`words`: articles per word as written) answer first, a term
        counting as often as its most frequent spelling; the index answers for the rest
        (words with digits, short words) and for terms it already knows."""
        out = {t: df for t in forms if (df := self._df.get(("body", t))) is not None}
        ask = {w: t for t, ws in forms.items() if t not in out for w in ws if w.isalpha()}
        for chunk in chunks(list(ask), 500):
            for word, df in self.library.word_counts(chunk).items():
                t = ask[word]
                out[t] = max(out.get(t, 0), int(df))
        for t in forms:
            if t not in out:
                out[t] = self.df(reader, "body", t)
        return out

    def df(self, reader, fieldname: str, term: str) -> int:
        """Documents having the term (deleted ones included until a merge, like Whoosh's)."""
        key = (fieldname, term)
        found = self._df.get(key)
        if found is None:
            found = sum(self._dfs(key))
            if len(self._df) >= DF_CACHE_MAX:
                self._df.clear()
            self._df[key] = found
        return found

    def _dfs(self, key: tuple[str, str]) -> list[int]:
        """The term's document frequency in each segment; notes which segments hold it."""
        dfs = [leaf.doc_frequency(*key) for leaf, _ in self._leaves]
        self._where[key] = tuple(i for i, n in enumerate(dfs) if n)
        return dfs

    def segments(self, fieldname: str, text: str) -> int:
        """How many segments of the index hold the term."""
        key = (fieldname, text)
        if key not in self._where:
            self._dfs(key)
        return len(self._where[key])

    def postings(self, fieldname: str, text: str) -> array:
        """Index-wide numbers of the documents having the term, segment by segment; only the
        segments known to hold it are opened (an index of many segments costs more)."""
        key = (fieldname, text)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        if key not in self._where:
            self._dfs(key)
        out = array("i")
        for i in self._where[key]:
            leaf, offset = self._leaves[i]
            ids = _doc_ids(leaf.postings(fieldname, text))
            out.extend(ids if not offset else [d + offset for d in ids])
        self._postings[key] = out
        self._postings_size += len(out)
        while self._postings_size > POSTINGS_CACHE and len(self._postings) > 1:
            self._postings_size -= len(self._postings.popitem(last=False)[1])
        return out

    def doc_count(self, reader, fieldname: str) -> int:
        return self.df(reader, "kind", "p" if fieldname == "ptext" else "a") or 1


def _doc_ids(matcher) -> list[int]:
    """A term's document numbers in one segment: the ranker's block reading (a block at a
    time through the pinned Whoosh's internals, any other matcher one posting at a time);
    tests/unit/test_related.py checks index.engine.whoosh_internals.postings against the public
    all_ids()."""
    return block_postings(matcher)[0]
