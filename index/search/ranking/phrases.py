"""Phrases of adjacent words ("oil prices"), scored as Whoosh's phrase matcher scores them: the
sum of the words' term scores in the field (times the phrase's boost), for the documents where
the words stand next to each other in order. The candidates come from the words' term reads,
which the ranker's cache keeps as a phrase is typed; only their positions are decoded. Whoosh's
own matcher walked every shared document of every segment (`"oil prices"`: 109 ms at 127.6k
articles)."""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as Q

from index.engine.whoosh_internals import positions_decoder
from index.search.ranking.term_postings import TermPostings

Scores = dict[int, float]
# A term's scores, read (its values, positions, kept in the dict given) or from a cache.
TermScores = Callable[[Q.Term, "dict[int, bytes] | None"], Scores]


def adjacent(q: Q.Query) -> bool:
    """A phrase of adjacent words: what `phrase_scores` ranks (others go to Whoosh)."""
    return isinstance(q, Q.Phrase) and q.slop == 1 and bool(q.words)


def phrase_scores(q: Q.Phrase, postings: TermPostings, term: TermScores,
                  cached: Callable[[Q.Term], bool]) -> Scores | None:
    """The phrase's matches and scores; None when it is no adjacent phrase over a field
    with positions (Whoosh's matcher scores it then). `term` reads a word's scores,
    `cached` says whether that read costs nothing."""
    schema = postings.schema
    field = schema[q.fieldname] if q.fieldname in schema else None  # noqa: SIM401 - a Schema has no get()
    if not adjacent(q) or field is None or not field.format or not field.format.supports(
            "positions"):
        return None
    # A word read now (not cached) keeps its values: its blocks are decoded once.
    read: dict[str, dict[int, bytes]] = {}
    found: list[Scores] = []
    for w in q.words:
        t = Q.Term(q.fieldname, w)
        if w not in read and not cached(t):
            read[w] = {}
        found.append(term(t, read.get(w)))
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
        where[word] = postings.positions(q.fieldname, word, candidates)
    first, rest = where[q.words[0]], [(i, where[w]) for i, w in enumerate(q.words) if i]
    out: Scores = {}
    for d in candidates:
        later = [(i, set(positions[d])) for i, positions in rest]
        if any(all(p + i in at for i, at in later) for p in first[d]):
            out[d] = sum(scores[d] for scores in found) * q.boost
    return out
