"""A term's postings across every segment of one searcher, scored as Whoosh's BM25F scores
them (same idf, field lengths and boosts): read whole, read only at some documents, or its
positions. Document numbers are the searcher's (segment offset added); deleted documents,
which a segment's postings still list until a merge, are left out."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from whoosh import query as Q
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from index.engine.whoosh_internals import (
    deleted_docs,
    length_bytes,
    positions_decoder,
    positions_of,
    postings,
    postings_at,
)

B = 0.75  # Whoosh's BM25F defaults, which the index has always been ranked with
K1 = 1.2

Scores = dict[int, float]


class TermPostings:
    """Reads terms on one searcher. It caches the searcher's per-document field lengths (a
    byte per document and field): make a new one when the searcher changes."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.leaves = list(self.reader.leaf_readers())
        self.doc_count = searcher.doc_count_all()
        self._deleted = [deleted_docs(leaf) for leaf, _ in self.leaves]
        self._deleted_all: frozenset[int] | None = None
        self._lengths: dict[tuple[int, str], bytes | None] = {}
        self._norms: dict[str, list[float]] = {}

    def read(self, q: Q.Term, values: dict[int, bytes] | None = None) -> Scores:
        """Every live document holding the term, with its score. `values`: the postings'
        values (positions) by document number go there too (decoded with the blocks anyway)."""
        text = self._bytes(q)
        out: Scores = {}
        if text is None:
            return out
        for i, (leaf, offset) in enumerate(self.leaves):
            try:
                matcher = leaf.postings(q.fieldname, text)
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

    def read_at(self, q: Q.Term, candidates: Iterable[int]) -> Scores:
        """The term's scores for those of `candidates` (live documents) that hold it, reading
        only the postings blocks that hold a candidate. For a term far larger than the
        candidates left (a filter such as source:World in a large library)."""
        text = self._bytes(q)
        if text is None:
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

    def positions(self, fieldname: str, word: str, candidates: set[int]) -> dict[int, list[int]]:
        """The word's positions in the field for each of `candidates` that holds it,
        decoding only the postings blocks that hold a candidate."""
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

    def common_terms(self, fieldname: str, min_docs: int) -> list[tuple[int, str]]:
        """(documents, text) for each of the field's terms held by at least `min_docs`
        documents (deleted ones included); a walk over the field's whole lexicon."""
        if fieldname not in self.schema:
            return []
        field = self.schema[fieldname]
        return [(n, field.from_bytes(text)) for text, info in self.reader.iter_field(fieldname)
                if (n := info.doc_frequency()) >= min_docs]

    def doc_frequency(self, q: Q.Term) -> int:
        """How many documents hold the term (deleted ones included, as BM25F counts)."""
        try:
            text = self.schema[q.fieldname].to_bytes(q.text)
            return self.reader.doc_frequency(q.fieldname, text)
        except (KeyError, ValueError):
            return 0

    def deleted(self) -> frozenset[int]:
        """The deleted documents of every segment, as the searcher numbers them."""
        if self._deleted_all is None:
            self._deleted_all = frozenset(
                d + offset for (_, offset), dead in zip(self.leaves, self._deleted, strict=True)
                for d in dead
            )
        return self._deleted_all

    def _bytes(self, q: Q.Term) -> bytes | None:
        """The term as the index stores it; None when no document holds it."""
        if q.fieldname not in self.schema:
            return None
        try:
            text = self.schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return None
        if not self.doc_count or not self.reader.doc_frequency(q.fieldname, text):
            return None
        return text

    def _bm25(self, q: Q.Term, text: bytes, leaf: int, ids: list[int],
              weights: list[float]) -> list[float]:
        """BM25F of each posting of the term in one segment:
        idf·tf·(K1+1) / (tf + norm[length byte]), norm as in Whoosh's BM25F."""
        if not self.schema[q.fieldname].scorable:
            return [w * q.boost for w in weights]
        lengths = self._leaf_lengths(leaf, q.fieldname)
        norm = self._norm(q.fieldname)
        c = self.searcher.idf(q.fieldname, text) * (K1 + 1) * q.boost
        if lengths is None:
            lengths = bytes(max(ids, default=0) + 1)
        return [c * w / (w + norm[lengths[d]]) for d, w in zip(ids, weights, strict=True)]

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
