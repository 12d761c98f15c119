"""Near-duplicates among results: the same story syndicated twice is one result, listing
its copies, and copies of the source itself are no result at all."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from index.related.results import Candidate

# rapidfuzz ratio (0-100) on normalised text from which two texts are the same story; with
# the same title, a lower ratio does (the same story, lightly edited).
DUPLICATE_RATIO = 90
SAME_TITLE_RATIO = 50

_NORMALISE = re.compile(r"\W+")


def _normalise(text: str) -> str:
    return _NORMALISE.sub(" ", text.casefold()).strip()


def group_duplicates(
    source_title: str,
    source_text: str,
    found: list[Candidate],
    texts: dict[int, str],
    titles: dict[int, str],
) -> list[tuple[Candidate, list[int]]]:
    """Keep the best of each group of near-identical texts (the same story syndicated twice),
    listing the others as its copies; drop copies of the source text itself."""
    source = (_normalise(source_text), _normalise(source_title))
    groups: list[tuple[Candidate, list[int], tuple[str, str]]] = []
    for c in found:
        this = (_normalise(texts[c.article]), _normalise(titles[c.article]))
        if _same_story(this, source):
            continue
        for _, copies, other in groups:
            if _same_story(this, other):
                copies.append(c.article)
                break
        else:
            groups.append((c, [], this))
    return [(c, copies) for c, copies, _ in groups]


def _same_story(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (text, title), (other_text, other_title) = a, b
    cutoff = SAME_TITLE_RATIO if title and title == other_title else DUPLICATE_RATIO
    return fuzz.ratio(text, other_text, score_cutoff=cutoff) > 0
