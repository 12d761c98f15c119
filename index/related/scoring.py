"""BM25 for the related finder, over a weighted OR of terms, term at a time."""

from __future__ import annotations

import math
from itertools import repeat

from index.related.statistics import IndexStatistics

K1, B = 1.2, 0.75
# What opening a term in one more segment costs, in postings: set by measuring quality
# (bench/eval_related.py) and p95 on a library of many segments, where a larger cost lost
# precision and a smaller one lost speed.
SEGMENT_COST = 15


class Scorer:
    """BM25 over a weighted OR of terms, term at a time. Whoosh's own OR matcher (block-max
    skipping through Python matcher trees) took seconds per query for a dozen terms over two
    fields; reading each term's postings once into a dict takes milliseconds. Not the search
    ranker's BM25F: presence-only scores with a deferred length factor, over passages.
    A match is scored as if the term occurred once (passages are short), which makes BM25's
    length normalisation a per-document factor, applied only to the documents ranked."""

    def __init__(self, reader, stats: IndexStatistics, budget: int) -> None:
        self.reader = reader
        self.stats = stats
        self.budget = budget
        self._average: dict[str, float] = {}
        # Per field, the sum of all the terms scored: a document having each once, at the
        # average length, scores that (the yardstick of relative scores).
        self.ideal: dict[str, float] = {}

    def sums(
        self, weights: dict[str, float], fields: tuple[str, ...], budget: int | None = None
    ) -> dict[str, dict[int, float]]:
        """Per field, the documents matching, each with its sum of term weights × idf."""
        reader, stats = self.reader, self.stats
        budget = self.budget if budget is None else budget
        out: dict[str, dict[int, float]] = {f: {} for f in fields}
        self.ideal = dict.fromkeys(fields, 0.0)
        spent = 0
        for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
            present = [(f, df) for f in fields if (df := stats.df(reader, f, t))]
            # Postings to read, plus the fixed cost of opening the term in each segment.
            cost = sum(df + SEGMENT_COST * stats.segments(f, t) for f, df in present)
            if spent and spent + cost > budget:
                continue
            spent += cost
            for f, df in present:
                n = stats.doc_count(reader, f)
                gain = w * math.log(1 + (n - df + 0.5) / (df + 0.5))
                self.ideal[f] += gain
                sums = out[f]
                docs = stats.postings(f, t)
                # sums[d] += gain for each document, looped in C (map, zip, update): the
                # Python loop was a tenth of a related-passages call.
                added = map(gain.__add__, map(sums.get, docs, repeat(0.0)))
                sums.update(zip(docs, added, strict=True))
        return out

    def bm25(self, fieldname: str, total: float, docnum: int) -> float:
        """A document's sum, normalised for its length in the field (0 for a deleted one)."""
        if not total or self.reader.is_deleted(docnum):
            return 0.0
        average = self._average.get(fieldname)
        if average is None:
            average = self._average[fieldname] = (
                self.reader.field_length(fieldname) / self.stats.doc_count(self.reader, fieldname)
            ) or 1.0
        length = self.reader.doc_field_length(docnum, fieldname, 1) / average
        return total * (K1 + 1) / (1 + K1 * (1 - B + B * length))

