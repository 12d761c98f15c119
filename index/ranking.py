"""BM25F ranking of a Whoosh query, term at a time.

Whoosh scores a query by walking a tree of Python matchers one document at a time: at 127.6k
articles a one-word search over title, body and source cost 55 ms (p95), most of it matcher
calls. Here each term's postings are read a block at a time and scored in one tight loop per
term, `And` intersects dictionaries (or probes the few candidates left with a matcher's skip_to)
and `Or` adds them up. Scores are Whoosh's own BM25F (same idf, lengths and boosts), so results
and their order do not change; tests/test_ranking.py checks that against Whoosh's collector.
Query nodes other than terms, `And`, `Or` and `Not` (phrases, ranges…) are scored by their
Whoosh matcher, so every query works; only the common ones are fast. Every match is scored,
so the count of matches is always exact.
"""

from __future__ import annotations

import heapq
import math
import struct
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable

from whoosh import query as Q
from whoosh.fields import NUMERIC
from whoosh.matching import NullMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from index.whoosh_internals import (
    column_values,
    deleted_docs,
    length_bytes,
    positions_decoder,
    positions_of,
    postings,
    postings_at,
)

B = 0.75  # Whoosh's BM25F defaults, which the index has always been ranked with
K1 = 1.2
NOT_SCORE = 1.0  # what Whoosh's inverse matcher adds to a match for each `NOT` clause

# An `And` reads a child's postings whole unless it has this many times more postings than
# there are candidates left, in which case only the postings blocks holding a candidate are
# read (terms; other queries skip through their matcher to each candidate). Terms with up to
# PROBE_MIN postings are always read whole: once read, they are cached, and a filter such as
# source:World (a quarter of a library of 100k-odd articles) is then free for every keystroke.
PROBE_RATIO = 8
PROBE_MIN = 100_000

# Scored postings kept in the term cache, all terms together (~100-200 bytes each).
CACHE_POSTINGS = 1_600_000
# Of which the library's most common words may take, read before the first keystroke: their
# cold reads are what makes a search slow. At 127.6k articles, 800k postings against 400k:
# plain p95 24.4 / 17.5 -> 14.2 / 12.7 ms in two pairs of runs taken alternately, field
# 21.4 / 18.6 -> 10.7 / 17.7 ms, phrases even; peak RSS of a session 207 -> 287 MB.
PRELOAD_POSTINGS = CACHE_POSTINGS // 2

Scores = dict[int, float]


class Ranker:
    """Ranks queries on one searcher. Make a new one when the searcher changes: it caches the
    searcher's per-document field lengths (a byte per document and field)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.leaves = list(self.reader.leaf_readers())
        self.doc_count = searcher.doc_count_all()
        self._lengths: dict[tuple[int, str], bytes | None] = {}
        self._norms: dict[str, list[float]] = {}
        # Scored postings of recently used terms: typing "new york" runs "new" again and
        # again, and reading a term's postings (unpickling Whoosh's blocks) is most of a query.
        self._cache: dict[tuple, Scores] = {}
        self._cached = 0
        self._deleted = [deleted_docs(leaf) for leaf, _ in self.leaves]
        self._deleted_all: frozenset[int] | None = None
        self._columns: dict[str, tuple[array, int]] = {}

    # -- public -------------------------------------------------------------------------------
    def scores(self, q: Q.Query) -> Scores:
        """Every document matching `q` (deleted ones excluded), with its BM25F score."""
        return self._eval(q)

    def top(self, q: Q.Query, limit: int) -> tuple[list[tuple[int, float]], int]:
        """The best `limit` documents as (docnum, score), best first, and the number of
        documents matching."""
        found = self._eval(q)
        best = heapq.nlargest(limit, found, key=found.__getitem__)
        return sorted(((d, found[d]) for d in best), key=lambda kv: (-kv[1], kv[0])), len(found)

    def preload(self, terms: Iterable[Q.Term]) -> int:
        """Read `terms` into the term cache (those not there yet); returns the postings read."""
        read = 0
        for t in terms:
            if _term_key(t) not in self._cache:
                read += len(self._term(t))
        return read

    def positions(self, fieldname: str, word: str, docs: Iterable[int]) -> dict[int, list[int]]:
        """The word's positions in the field for those of `docs` that hold it (empty when the
        field keeps no positions)."""
        field = self.schema[fieldname] if fieldname in self.schema else None  # noqa: SIM401 - a Schema has no get()
        if field is None or not field.format or not field.format.supports("positions"):
            return {}
        return self._positions(fieldname, word, set(docs))

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the term (deleted ones included, as BM25F counts)."""
        return self._df(Q.Term(fieldname, text))

    def cost(self, q: Q.Query) -> float:
        """About how many postings evaluating `q` reads (infinite when unknown)."""
        if isinstance(q, Q.Term):
            return self._df(q)
        if _adjacent_phrase(q):  # its words' term reads
            return sum(self._df(Q.Term(q.fieldname, w)) for w in q.words)
        if isinstance(q, Q.Or):
            return sum(self.cost(c) for c in q.subqueries)
        if isinstance(q, Q.And):
            positive = [self.cost(c) for c in q.subqueries if not isinstance(c, Q.Not)]
            return min(positive) if positive else math.inf
        if q is Q.NullQuery:
            return 0
        return math.inf

    # -- evaluation ---------------------------------------------------------------------------
    def _eval(self, q: Q.Query) -> Scores:
        if q is Q.NullQuery:
            return {}
        if isinstance(q, Q.Term):
            return self._term(q)
        if isinstance(q, Q.Or) and not q.scale and not q.minmatch:
            return self._or(q)
        if isinstance(q, Q.And):
            return self._and(q)
        if isinstance(q, Q.Phrase):
            # Cached like a term: every keystroke after a phrase evaluates it again.
            key = (q.fieldname, tuple(q.words), q.boost, q.slop)
            return self._remembered(key, lambda: self._phrase(q))
        if (bounds := self._column_bounds(q)) is not None:
            return self._in_range(q, bounds, range(self.doc_count))
        return self._whole(q)

    def _or(self, q: Q.Or) -> Scores:
        parts = [c for c in q.subqueries if not isinstance(c, Q.Not)]
        if len(parts) != len(q.subqueries):
            return self._whole(q)  # `a OR NOT b`: Whoosh's own meaning, its own way
        found = sorted((self._eval(c) for c in parts), key=len, reverse=True)
        if not found:
            return {}
        # Results may be cached: never change one in place. The biggest is copied (fast, in C)
        # and the others are added to it, so the Python loop runs over the smaller ones.
        out = dict(found[0])
        get = out.get
        for other in found[1:]:
            for d, s in other.items():
                out[d] = get(d, 0.0) + s
        return _boosted(out, q.boost)

    def _and(self, q: Q.And) -> Scores:
        positive = [c for c in q.subqueries if not isinstance(c, Q.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, Q.Not)]
        if not positive:
            return self._whole(q)
        ranges = [c for c in positive if self._column_bounds(c) is not None]
        positive = [c for c in positive if c not in ranges] or ranges[:1]
        ranges = [c for c in ranges if c not in positive]
        positive.sort(key=self.cost)
        out = self._eval(positive[0])
        for child in positive[1:]:
            if not out:
                return {}
            cost = self.cost(child)
            # Terms (a word is an Or of its fields' terms) are read whole, and cached: the next
            # keystroke reuses them; a term is skipped through only when huge beside the
            # candidates left. Whoosh's skip_to walks a block id by id: probing "two" for the
            # ~1,000 candidates of "bans" took 100 ms, reading it whole 10 ms.
            whole = cost <= PROBE_MIN and _from_term_reads(child)
            if whole or cost <= PROBE_RATIO * len(out):
                found = self._eval(child)
            elif _of_terms(child):  # only the blocks holding a candidate are read
                found = self._terms_at(child, out)
            else:
                found = self._probe(child, out)
            out = {d: s + found[d] for d, s in out.items() if d in found}
        for child in ranges:  # a date range: one look at a column per candidate
            found = self._in_range(child, self._column_bounds(child), out)
            out = {d: s + found[d] for d, s in out.items() if d in found}
        for child in negative:
            if not out:
                return {}
            excluded = self._probe(child, out, scored=False)
            out = {d: s + NOT_SCORE for d, s in out.items() if d not in excluded}
        return _boosted(out, q.boost)

    def _terms_at(self, q: Q.Query, candidates: Scores) -> Scores:
        """A term, or a plain Or of terms, scored for `candidates` only (_read_term_at)."""
        if isinstance(q, Q.Term):
            cached = self._cache.get(_term_key(q))
            if cached is None:
                return self._read_term_at(q, candidates)
            return {d: cached[d] for d in candidates if d in cached}
        assert isinstance(q, Q.Or)
        out: Scores = {}
        for child in q.subqueries:
            for d, sc in self._terms_at(child, candidates).items():
                out[d] = out.get(d, 0.0) + sc
        return _boosted(out, q.boost)

    def _term(self, q: Q.Term, values: dict[int, bytes] | None = None) -> Scores:
        """The term's scores, from the cache or read. `values`: when the term is read, its
        postings' values (positions) by document number go there too."""
        return self._remembered(_term_key(q), lambda: self._read_term(q, values))

    def _remembered(self, key: tuple, compute: Callable[[], Scores]) -> Scores:
        """`compute()`, kept in the cache under `key` (least recently used out first)."""
        found = self._cache.pop(key, None)
        if found is None:
            found = compute()
            self._cached += len(found)
            while self._cache and self._cached > CACHE_POSTINGS:
                self._cached -= len(self._cache.pop(next(iter(self._cache))))
        self._cache[key] = found  # most recently used last
        return found

    def _read_term(self, q: Q.Term, values: dict[int, bytes] | None = None) -> Scores:
        fieldname = q.fieldname
        if fieldname not in self.schema:
            return {}
        field = self.schema[fieldname]
        try:
            text = field.to_bytes(q.text)
        except ValueError:
            return {}
        out: Scores = {}
        if not self.doc_count or not self.reader.doc_frequency(fieldname, text):
            return out
        for i, (leaf, offset) in enumerate(self.leaves):
            try:
                matcher = leaf.postings(fieldname, text)
            except TermNotFound:
                continue
            kept: list[bytes] | None = [] if values is not None else None
            ids, weights = postings(matcher, kept)
            # Document numbers of the whole index (map and zip run in C: this loop is
            # most of a cold read).
            docs = list(map(offset.__add__, ids)) if offset else ids
            if values is not None and kept is not None:
                values.update(zip(docs, kept, strict=True))
            scores = self._bm25(q, text, i, ids, weights)
            if deleted := self._deleted[i]:
                out.update((d + offset, s) for d, s in zip(ids, scores, strict=True)
                           if d not in deleted)
            else:
                out.update(zip(docs, scores, strict=True))
        return out

    def _read_term_at(self, q: Q.Term, candidates: Iterable[int]) -> Scores:
        """The term's scores for those of `candidates` (live documents) that hold it, reading
        only the postings blocks that hold a candidate; not cached. For a term far larger
        than the candidates left (a filter such as source:World in a large library)."""
        if q.fieldname not in self.schema:
            return {}
        try:
            text = self.schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return {}
        if not self.doc_count or not self.reader.doc_frequency(q.fieldname, text):
            return {}
        ordered = sorted(candidates)
        out: Scores = {}
        for i, (leaf, offset) in enumerate(self.leaves):
            lo = bisect_left(ordered, offset)
            hi = bisect_left(ordered, offset + leaf.doc_count_all(), lo)
            if lo == hi:
                continue
            try:
                matcher = leaf.postings(q.fieldname, text)
            except TermNotFound:
                continue
            wanted = [d - offset for d in ordered[lo:hi]] if offset else ordered[lo:hi]
            ids, weights = postings_at(matcher, wanted)
            scores = self._bm25(q, text, i, ids, weights)
            out.update(zip((d + offset for d in ids), scores, strict=True))
        return out

    def _bm25(self, q: Q.Term, text: bytes, leaf: int, ids: list[int],
              weights: list[float]) -> list[float]:
        """BM25F of each posting of the term in one segment, as Whoosh's BM25F computes it:
        idf·tf·(K1+1) / (tf + norm[length byte])."""
        field = self.schema[q.fieldname]
        if not field.scorable:
            return [w * q.boost for w in weights]
        lengths = self._leaf_lengths(leaf, q.fieldname)
        norm = self._norm(q.fieldname)
        c = self.searcher.idf(q.fieldname, text) * (K1 + 1) * q.boost
        if lengths is None:
            lengths = bytes(max(ids, default=0) + 1)
        return [c * w / (w + norm[lengths[d]]) for d, w in zip(ids, weights, strict=True)]

    def _phrase(self, q: Q.Phrase) -> Scores:
        """A phrase of adjacent words, scored as Whoosh's phrase matcher scores it: the sum of
        its words' term scores in the field (times the phrase's boost), for the documents
        where the words stand next to each other in order. The candidates come from the
        words' term reads, which the cache keeps as the phrase is typed; only their positions
        are decoded. Whoosh's own matcher walked every shared document of every segment
        (`"oil prices"`: 109 ms at 127.6k articles). Phrases with slop go to it still."""
        field = self.schema[q.fieldname] if q.fieldname in self.schema else None  # noqa: SIM401 - a Schema has no get()
        if (not _adjacent_phrase(q) or field is None or not field.format
                or not field.format.supports("positions")):
            return self._whole(q)
        # A word read now (not cached) keeps its values: its blocks are decoded once.
        read: dict[str, dict[int, bytes]] = {}
        found: list[Scores] = []
        for w in q.words:
            term = Q.Term(q.fieldname, w)
            if w not in read and _term_key(term) not in self._cache:
                read[w] = {}
            found.append(self._term(term, read.get(w)))
        fewest: Scores = min(found, key=len)
        candidates = set(fewest)
        for scores in found:
            candidates.intersection_update(scores)
        if not candidates:
            return {}
        decode = positions_decoder(field.format)
        where: dict[str, dict[int, list[int]]] = {}
        for word in dict.fromkeys(q.words):
            if word in read:
                values = read[word]
                where[word] = {d: decode(values[d]) for d in candidates}
                continue
            where[word] = self._positions(q.fieldname, word, candidates)
        first, rest = where[q.words[0]], [(i, where[w]) for i, w in enumerate(q.words) if i]
        out: Scores = {}
        for d in candidates:
            later = [(i, set(positions[d])) for i, positions in rest]
            if any(all(p + i in at for i, at in later) for p in first[d]):
                out[d] = sum(scores[d] for scores in found) * q.boost
        return out

    def _positions(
        self, fieldname: str, word: str, candidates: set[int]
    ) -> dict[int, list[int]]:
        """The word's positions in the field for each of `candidates` that holds it,
        decoding only the postings blocks that hold a candidate (whoosh_internals)."""
        field = self.schema[fieldname]
        text = field.to_bytes(word)
        decode = positions_decoder(field.format)
        out: dict[int, list[int]] = {}
        for leaf, offset in self.leaves:
            end = offset + leaf.doc_count_all()
            wanted = sorted(d - offset for d in candidates if offset <= d < end)
            if not wanted:
                continue
            try:
                matcher = leaf.postings(fieldname, text)
            except TermNotFound:
                continue
            out.update((d + offset, at) for d, at in positions_of(matcher, wanted, decode).items())
        return out

    def _column_bounds(self, q: Q.Query) -> tuple[int, int] | None:
        """For a range over a numeric field with a column (the day), the inclusive bounds
        as the column stores them; None for any other query."""
        if not isinstance(q, Q.TermRange) or not q.constantscore:
            return None
        try:
            field = self.schema[q.fieldname]
        except KeyError:
            return None
        if not isinstance(field, NUMERIC) or not field.column_type:
            return None
        try:
            low = _sortable(field, q.start, field.min_value, q.startexcl, 1)
            high = _sortable(field, q.end, field.max_value, q.endexcl, -1)
        except (ValueError, struct.error):
            return None
        return low, high

    def _in_range(self, q: Q.TermRange, bounds: tuple[int, int] | None,
                  candidates: Iterable[int]) -> Scores:
        """Those of `candidates` whose value is in the range, each scored as Whoosh scores a
        constant-score range (its boost). Documents without a value have the field's default
        in the column: they never match, as they have no term."""
        assert bounds is not None
        low, high = bounds
        values, missing = self._column(q.fieldname)
        deleted = self._deleted_global()
        boost = q.boost
        return {
            d: boost for d in candidates
            if low <= values[d] <= high and values[d] != missing and d not in deleted
        }

    def _column(self, fieldname: str) -> tuple[array, int]:
        """The field's column for the whole index (raw sortable values), read once."""
        cached = self._columns.get(fieldname)
        if cached is None:
            field = self.schema[fieldname]
            values: array = array("Q")
            for leaf, _ in self.leaves:
                values.extend(column_values(leaf, fieldname))
            # What the column holds for a document without a value: the field's default, as
            # given (Whoosh writes it to the column untranslated).
            missing = field.default if field.default is not None else 0
            cached = self._columns[fieldname] = (values, missing)
        return cached

    def _deleted_global(self) -> frozenset[int]:
        if self._deleted_all is None:
            self._deleted_all = frozenset(
                d + offset for (_, offset), dead in zip(self.leaves, self._deleted, strict=True)
                for d in dead
            )
        return self._deleted_all

    def _whole(self, q: Q.Query) -> Scores:
        """Any query, scored by its own Whoosh matcher (deleted documents are left out)."""
        out: Scores = {}
        m = self._matcher(q)
        while m.is_active():
            out[m.id()] = m.score()
            m.next()
        return out

    def _probe(self, q: Q.Query, candidates: Iterable[int], scored: bool = True) -> Scores:
        """`q`'s scores for those of `candidates` it matches, skipping through its postings."""
        out: Scores = {}
        m = self._matcher(q)
        for d in sorted(candidates):
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                out[d] = m.score() if scored else 0.0
        return out

    def _matcher(self, q: Q.Query):
        try:
            return q.matcher(self.searcher, self.searcher.context())
        except TermNotFound:
            return NullMatcher()

    # -- statistics (as Whoosh's BM25F computes them) ------------------------------------------
    def _df(self, q: Q.Term) -> int:
        try:
            text = self.schema[q.fieldname].to_bytes(q.text)
            return self.reader.doc_frequency(q.fieldname, text)
        except (KeyError, ValueError):
            return 0

    def _norm(self, fieldname: str) -> list[float]:
        """K1·((1-B) + B·length/average) for each of the 256 length bytes."""
        norm = self._norms.get(fieldname)
        if norm is None:
            average = self.searcher.avg_field_length(fieldname) or 1
            norm = [K1 * ((1 - B) + B * byte_to_length(b) / average) for b in range(256)]
            self._norms[fieldname] = norm
        return norm

    def _leaf_lengths(self, i: int, fieldname: str) -> bytes | None:
        key = (i, fieldname)
        if key not in self._lengths:
            self._lengths[key] = length_bytes(self.leaves[i][0], fieldname)
        return self._lengths[key]


def _term_key(q: Q.Term) -> tuple:
    """Where the term cache keeps a term's scores."""
    return (q.fieldname, q.text, q.boost)


def _from_term_reads(q: Q.Query) -> bool:
    """A term, an adjacent-word phrase, or an Or (plain sum) of these: what `_eval` builds
    from (cached) term reads."""
    if isinstance(q, Q.Term) or _adjacent_phrase(q):
        return True
    return (isinstance(q, Q.Or) and not q.scale and not q.minmatch
            and all(_from_term_reads(c) for c in q.subqueries))


def _of_terms(q: Q.Query) -> bool:
    """A term, or an Or (plain sum) of terms."""
    if isinstance(q, Q.Term):
        return True
    return (isinstance(q, Q.Or) and not q.scale and not q.minmatch
            and all(_of_terms(c) for c in q.subqueries))


def _adjacent_phrase(q: Q.Query) -> bool:
    """A phrase `_phrase` ranks itself (others go to Whoosh's matcher)."""
    return isinstance(q, Q.Phrase) and q.slop == 1 and bool(q.words)


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost != 1.0:
        return {d: s * boost for d, s in scores.items()}
    return scores


def _sortable(field, bound: bytes | None, default: int, exclusive: bool, step: int) -> int:
    """A range bound (term bytes, full precision) as the column's sortable integer."""
    if not bound:
        return field.to_column_value(default)
    if bound[:1] != b"\x00":  # a coarser tier than full precision: not this ranker's case
        raise ValueError("not a full-precision bound")
    value = int(field.to_column_value(field.from_bytes(bound)))
    return value + step if exclusive else value
