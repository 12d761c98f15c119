"""How close together an article's text holds the different words of a query, as a factor on
its score. Two words a query puts side by side ("interest rates", "oil exports") mean most when
the article puts them side by side too; BM25F counts each word alone, wherever it stands.

The measure is BM25TP's (Büttcher, Clarke and Lushman, 2006): walking the article's
occurrences of query words in order, each pair of neighbours that are different words adds
the product of their weights divided by the square of their distance. The sum, saturated as
BM25 saturates a term's frequency, raises the score by up to a fixed share. Only the best
candidates are re-ranked: positions are read from the postings of the few documents
concerned, and a hit outside the top stays where it is (the factor only ever raises a score,
so it never overtakes them)."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from itertools import pairwise

# The most a score is raised by (a share of it), how fast the closeness sum saturates, and
# how many of the best candidates are re-ranked: tuned on CISI (bench/eval_search.py).
WEIGHT = 1.0
SATURATION = 1.0
DEPTH = 30


def closeness(
    positions: Iterable[dict[int, list[int]]], weights: list[float], docs: Iterable[int]
) -> dict[int, float]:
    """For each of `docs`, the BM25TP closeness sum of the words whose positions (per
    document) and weights are given, in the same order."""
    where = list(positions)
    out: dict[int, float] = {}
    for d in docs:
        events = sorted(
            (p, i) for i, at in enumerate(where) if (held := at.get(d)) for p in held
        )
        total = 0.0
        for (p1, w1), (p2, w2) in pairwise(events):
            if w1 != w2 and p2 > p1:
                total += weights[w1] * weights[w2] / ((p2 - p1) ** 2)
        out[d] = total
    return out


def factor(total: float) -> float:
    """What a score is multiplied by for a closeness sum."""
    return 1.0 + WEIGHT * total / (total + SATURATION)


def rerank(
    keys: dict[int, float],
    words: list[tuple[str | None, float]],
    positions_of: Callable[[str, list[int]], dict[int, list[int]]],
    tier: Callable[[int], float] = lambda d: 0.0,
) -> dict[int, float]:
    """`keys` with the best DEPTH raised by their closeness factor. `words`: each word's stem
    and weight (a word weighs nothing here: no stem, e.g. a wildcard); `positions_of(stem,
    docs)`: the stem's positions in the body of those of `docs` holding it; `tier(d)`: the
    part of a key that is no score (ranking those holding every word first)."""
    scored = [(stem, w) for stem, w in words if stem is not None and w > 0]
    if len(scored) < 2 or not keys:
        return keys
    top = heapq.nlargest(DEPTH, keys, key=keys.__getitem__)
    weights = [w for _, w in scored]
    sums = closeness((positions_of(stem, top) for stem, _ in scored), weights, top)
    out = dict(keys)
    for d in top:
        base = tier(d)
        out[d] = base + (keys[d] - base) * factor(sums[d])
    return out
