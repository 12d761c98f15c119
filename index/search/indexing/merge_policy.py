"""The index's merge policy: segments of about one size are merged in groups, so that a
library grown by many adds keeps a few segments per size and every search reads each term
from a few segments only."""

from __future__ import annotations

# Whoosh's own merge policy (MERGE_SMALL) merges only the tiniest segments, so every add but
# the smallest left one segment more (two with the index helper), and every search reads each
# term once per segment. Here, besides: whenever MERGE_FACTOR segments are of about one size
# (the same power of MERGE_FACTOR documents), they are merged into one: a library grown by
# many adds keeps about MERGE_FACTOR segments per power of MERGE_FACTOR (each document is
# rewritten once per power). A commit rewrites at most MERGE_MAX_DOCS documents of older
# segments: Whoosh merges by rewriting every posting in Python, and a feed refresh must not
# turn into minutes of that; the segments too large for it are made large by the add
# itself (its commits grow geometrically, index.core.commit_after).
MERGE_FACTOR = 4
MERGE_MAX_DOCS = 250_000


def merge_level(docs: int) -> int:
    """The size class of a segment of `docs` documents: the power of MERGE_FACTOR it is at."""
    level = 0
    while docs >= MERGE_FACTOR:
        docs //= MERGE_FACTOR
        level += 1
    return level


def segments_to_merge(sizes: list[int]) -> list[int]:
    """Which of the segments of these sizes (documents, deleted ones included) a commit merges:
    groups of MERGE_FACTOR of one level, the smallest levels first, while the documents they
    hold fit in MERGE_MAX_DOCS. Returns their positions in `sizes`."""
    by_level: dict[int, list[int]] = {}
    for i in sorted(range(len(sizes)), key=sizes.__getitem__):
        by_level.setdefault(merge_level(sizes[i]), []).append(i)
    chosen: list[int] = []
    budget = MERGE_MAX_DOCS
    for level in sorted(by_level):
        group = by_level[level]
        while len(group) >= MERGE_FACTOR:
            take, group = group[:MERGE_FACTOR], group[MERGE_FACTOR:]
            cost = sum(sizes[i] for i in take)
            if cost > budget:
                return chosen
            budget -= cost
            chosen += take
    return chosen


def tiered_merge(writer, segments: list) -> list:
    """A Whoosh merge policy (writer.commit(mergetype=...)): MERGE_SMALL, then the groups of
    segments_to_merge merged into the writer's new segment. Returns the segments kept."""
    from whoosh.reading import SegmentReader
    from whoosh.writing import MERGE_SMALL

    kept = MERGE_SMALL(writer, segments)
    merged = set(segments_to_merge([seg.doc_count_all() for seg in kept]))
    for i in sorted(merged):
        reader = SegmentReader(writer.storage, writer.schema, kept[i])
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [seg for i, seg in enumerate(kept) if i not in merged]
