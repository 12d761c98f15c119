"""BM25F ranking of a Whoosh query, term at a time.

Whoosh scores a query by walking a tree of Python matchers one document at a time, so most of a
search's time goes to matcher calls. Here each term's postings are read a block at a time and
scored in one tight loop per term (term_postings), `And` intersects dictionaries (or reads a huge
term only where it holds a candidate) and `Or` adds them up; adjacent phrases come from their
words' reads (phrases), date ranges from a column (columns). Scores are Whoosh's own BM25F, so
results and their order do not change; tests/unit/test_ranking.py checks that against Whoosh's
collector. Other query nodes are scored by their Whoosh matcher, so every query works; only the
common ones are fast. Every match is scored, so the count of matches is always exact."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable

from whoosh import query as Q
from whoosh.matching import NullMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from index.search.ranking.columns import Columns
from index.search.ranking.phrases import adjacent, phrase_scores
from index.search.ranking.term_cache import Compact, TermCache
from index.search.ranking.term_postings import Scores, TermPostings

NOT_SCORE = 1.0  # what Whoosh's inverse matcher adds to a match for each `NOT` clause

# An `And` reads a term (or an Or of terms) whole, and caches it, unless it has this many times
# more postings than there are candidates left: then only the postings blocks (about 128
# postings each) holding a candidate are read, and most blocks are left unread.
READ_AT_RATIO = 256
# Other children (phrases...) are read whole unless they have PROBE_RATIO times more postings
# than there are candidates, in which case their matcher skips through them to each candidate.
# Phrases with up to PROBE_MIN postings are always read whole: their words' reads are cached.
PROBE_RATIO = 8
PROBE_MIN = 100_000

# A term whose every part is in the term cache is looked up at the candidates, rather than
# taken whole (and, for an Or, summed), once it has this many times more postings than there
# are candidates: a lookup costs a few times what copying or summing a posting does.
CACHED_AT_RATIO = 4

# Scored postings kept in the term cache's hot tier (dictionaries) for the words typed.
# The budgets together bound a reading session's memory (the README has what each costs).
CACHE_POSTINGS = 1_000_000
# And for the filters (source and entity fields: term_cache).
FILTER_CACHE_POSTINGS = 600_000
# And, as arrays, what falls out of those two (term_cache.Compact), each with its own budget.
COMPACT_CACHE_POSTINGS = 8_000_000
COMPACT_FILTER_POSTINGS = 1_500_000
# Postings of the library's most common words read before the first keystroke (their cold
# reads are what makes a search slow), most common first; they move on to the compact tier.
PRELOAD_POSTINGS = 800_000
# And of its most common sources (`source:World`, a quarter of the library), whose first read
# is a session's slowest search; no more than their compact budget keeps. Only sources: they
# are few, and finding the common ones among the names (the entity fields) means walking
# lexicons of millions of terms in a large library, seconds of CPU at each launch.
PRELOAD_FILTER_POSTINGS = 1_200_000
PRELOAD_FILTER_FIELDS = ("source",)


class Ranker:
    """Ranks queries on one searcher. Make a new one when the searcher changes: it caches the
    searcher's per-document field lengths and the scores of recently used terms."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.postings = TermPostings(searcher)
        self.schema = searcher.schema
        self.doc_count = searcher.doc_count_all()
        self.columns = Columns(self.schema, self.postings.leaves, self.postings.deleted)
        # Scored postings of recently used terms: typing "new york" runs "new" again and
        # again, and reading a term's postings (unpickling Whoosh's blocks) is most of a query.
        self.cache = TermCache(CACHE_POSTINGS, FILTER_CACHE_POSTINGS, COMPACT_CACHE_POSTINGS,
                               COMPACT_FILTER_POSTINGS)

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
            if _term_key(t) not in self.cache:
                read += len(self._term(t))
        return read

    def common_filters(self, min_docs: int) -> list[Q.Term]:
        """The filter terms (PRELOAD_FILTER_FIELDS) held by at least `min_docs` documents,
        most common first, as queries parse them (what the term cache keeps them under)."""
        found = [(n, field, text) for field in PRELOAD_FILTER_FIELDS
                 for n, text in self.postings.common_terms(field, min_docs)]
        found.sort(key=lambda f: -f[0])
        return [Q.Term(field, text) for _, field, text in found]

    def positions(self, fieldname: str, word: str, docs: Iterable[int]) -> dict[int, list[int]]:
        """The word's positions in the field for those of `docs` that hold it (empty when the
        field keeps no positions)."""
        field = self.schema[fieldname] if fieldname in self.schema else None  # noqa: SIM401 - a Schema has no get()
        if field is None or not field.format or not field.format.supports("positions"):
            return {}
        return self.postings.positions(fieldname, word, set(docs))

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the term (deleted ones included, as BM25F counts)."""
        return self.postings.doc_frequency(Q.Term(fieldname, text))

    def cost(self, q: Q.Query) -> float:
        """About how many postings evaluating `q` reads (infinite when unknown)."""
        if isinstance(q, Q.Term):
            return self.postings.doc_frequency(q)
        if adjacent(q):  # its words' term reads
            return sum(self.postings.doc_frequency(Q.Term(q.fieldname, w)) for w in q.words)
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
        if (bounds := self.columns.bounds(q)) is not None:
            return self.columns.in_range(q, bounds, range(self.doc_count))
        return self.matcher_scores(q)

    def _or(self, q: Q.Or) -> Scores:
        parts = [c for c in q.subqueries if not isinstance(c, Q.Not)]
        if len(parts) != len(q.subqueries):
            return self.matcher_scores(q)  # `a OR NOT b`: Whoosh's own meaning, its own way
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
            return self.matcher_scores(q)
        ranges = [c for c in positive if self.columns.bounds(c) is not None]
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
            # candidates left. Whoosh's skip_to walks a block id by id, so probing a common
            # word at a thousand candidates costs more than reading it whole.
            if _of_terms(child):
                # Looked up at the candidates when cached and large beside them, or when kept
                # as arrays (brought back to a dictionary, a term is made again whole, and
                # pushes others out of the hot tier: a source in a quarter of the library met
                # with a common word); read where the candidates are (whole blocks) only when
                # they are sparse enough to leave most blocks unread; else read whole, and
                # cached.
                if cost > READ_AT_RATIO * len(out) or (self._cached(child) and (
                        cost > CACHED_AT_RATIO * len(out) or self._compacted(child))):
                    found = self._terms_at(child, out)
                else:
                    found = self._eval(child)
            elif (cost <= PROBE_MIN and _from_term_reads(child)) or cost <= PROBE_RATIO * len(out):
                found = self._eval(child)
            else:
                found = self._probe(child, out)
            out = {d: s + found[d] for d, s in out.items() if d in found}
        for child in ranges:  # a date range: one look at a column per candidate
            bounds = self.columns.bounds(child)
            assert bounds is not None
            found = self.columns.in_range(child, bounds, out)
            out = {d: s + found[d] for d, s in out.items() if d in found}
        for child in negative:
            if not out:
                return {}
            excluded = self._probe(child, out, scored=False)
            out = {d: s + NOT_SCORE for d, s in out.items() if d not in excluded}
        return _boosted(out, q.boost)

    def _terms_at(self, q: Q.Query, candidates: Scores) -> Scores:
        """A term, or a plain Or of terms, scored for `candidates` only (TermPostings.read_at)."""
        if isinstance(q, Q.Term):
            key = _term_key(q)
            cached = self.cache.get(key)
            if cached is None:
                return self.postings.read_at(q, candidates)
            self.cache.touch(key)
            if isinstance(cached, Compact):
                return cached.at(candidates)
            return {d: cached[d] for d in candidates if d in cached}
        assert isinstance(q, Q.Or)
        out: Scores = {}
        # Summed in the order _or sums whole terms (the largest first), so that a document's
        # score is the same to the last bit whichever way its terms were met.
        for child in sorted(q.subqueries, key=self._size, reverse=True):
            for d, sc in self._terms_at(child, candidates).items():
                out[d] = out.get(d, 0.0) + sc
        return _boosted(out, q.boost)

    def _size(self, q: Q.Query) -> float:
        """How many documents `q` matches, as _or orders its parts: exact for a cached term
        (live documents), else its cost."""
        if isinstance(q, Q.Term) and (cached := self.cache.get(_term_key(q))) is not None:
            return len(cached)
        return self.cost(q)

    def _cached(self, q: Q.Query) -> bool:
        """Whether every term of `q` (a term or an Or of terms) is in the term cache."""
        if isinstance(q, Q.Term):
            return _term_key(q) in self.cache
        return all(self._cached(c) for c in q.subqueries)

    def _compacted(self, q: Q.Query) -> bool:
        """Whether a term of `q` (a term or an Or of terms) is kept as arrays (Compact)."""
        if isinstance(q, Q.Term):
            return isinstance(self.cache.get(_term_key(q)), Compact)
        return any(self._compacted(c) for c in q.subqueries)

    def _term(self, q: Q.Term, values: dict[int, bytes] | None = None) -> Scores:
        """The term's scores, from the cache or read. `values`: when the term is read, its
        postings' values (positions) by document number go there too."""
        return self._remembered(_term_key(q), lambda: self.postings.read(q, values))

    def _remembered(self, key: tuple, compute: Callable[[], Scores]) -> Scores:
        """`compute()`, kept in the cache under `key` (least recently used out first)."""
        return self.cache.remember(key, compute)

    def _phrase(self, q: Q.Phrase) -> Scores:
        """An adjacent phrase from its words' (cached) term reads (phrases); any other
        phrase (with slop) by Whoosh's matcher."""
        found = phrase_scores(q, self.postings, self._term,
                              lambda t: _term_key(t) in self.cache)
        return self.matcher_scores(q) if found is None else found

    def matcher_scores(self, q: Q.Query) -> Scores:
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


def _term_key(q: Q.Term) -> tuple:
    """Where the term cache keeps a term's scores."""
    return (q.fieldname, q.text, q.boost)


def _from_term_reads(q: Q.Query) -> bool:
    """A term, an adjacent-word phrase, or an Or (plain sum) of these: what `_eval` builds
    from (cached) term reads."""
    if isinstance(q, Q.Term) or adjacent(q):
        return True
    return (isinstance(q, Q.Or) and not q.scale and not q.minmatch
            and all(_from_term_reads(c) for c in q.subqueries))


def _of_terms(q: Q.Query) -> bool:
    """A term, or an Or (plain sum) of terms."""
    if isinstance(q, Q.Term):
        return True
    return (isinstance(q, Q.Or) and not q.scale and not q.minmatch
            and all(_of_terms(c) for c in q.subqueries))


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost != 1.0:
        return {d: s * boost for d, s in scores.items()}
    return scores
