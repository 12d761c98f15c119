"""Typo correction over the whole query. Each word gets a few spellings the library knows
(itself when known, and the known words one or two edits away); of every combination, the one
the library supports best wins: the fewest edits among those whose words stand together in some
article (co-occurrence), then the most such articles. So "Damscus missles" becomes "Damascus
missiles" even though the library knows "missles" from another article: "damascus missles"
occurs nowhere together, "damascus missiles" does."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from index.search import text_analysis
from index.search.fuzzy import Vocabulary

# Combinations of spellings tried at most (the fewest edits first): a bound on the set
# intersections a correction costs.
MAX_COMBINATIONS = 64
# A word the library knows is only respelt as a word used in more articles than it: a typo
# the library happens to hold is rare beside the word meant.


@dataclass(frozen=True)
class Spelling:
    typed: str  # the word as typed
    word: str  # as it will be shown (the typed word, or the known word replacing it)
    stem: str
    edits: int


def options(typed: str, vocab: Vocabulary, candidates: int) -> list[Spelling]:
    """The spellings worth trying for one typed word, the word itself first when known."""
    word = typed.lower()
    stem = text_analysis.stem(word)
    if not stem:
        return []
    own = vocab.frequency(word)
    keep = [Spelling(typed, typed, stem, 0)]
    if not word.isalpha() or len(word) < 3:
        return keep
    out = keep if own else []
    seen = {stem} if own else set()
    for other in vocab.similar(word, candidates):
        if own and vocab.frequency(other) <= own:
            continue
        t = text_analysis.stem(other)
        if t and t not in seen:
            seen.add(t)
            shown = other.capitalize() if typed[:1].isupper() else other
            out.append(Spelling(typed, shown, t, int(OSA.distance(word, other))))
    return out or keep


def best(
    choices: list[list[Spelling]], docs_of: Callable[[str], dict[int, float]]
) -> tuple[list[Spelling], int] | None:
    """The combination of spellings (one per word) the library supports best, and the number
    of articles holding all of its words; None when no combination with an edit has any.
    `docs_of(stem)`: the articles holding the word (cached term reads)."""
    choices = _bounded(choices)
    if not choices or all(len(c) == 1 and not c[0].edits for c in choices):
        return None
    combos = sorted(itertools.product(*choices), key=lambda c: sum(s.edits for s in c))
    found: list[tuple[int, bool, int, int, list[Spelling]]] = []
    for i, combo in enumerate(combos[:MAX_COMBINATIONS]):
        edits = sum(s.edits for s in combo)
        if not edits:
            continue
        if found and edits > found[0][0]:
            break  # a combination with fewer edits is already supported
        sets = sorted((docs_of(s.stem) for s in combo), key=len)
        together = sum(1 for d in sets[0] if all(d in other for other in sets[1:]))
        if together:
            # Fewest edits, then each respelt word keeping its first letter, then support.
            same_start = all(s.word[:1].lower() == s.typed[:1].lower() for s in combo)
            found.append((edits, not same_start, -together, i, list(combo)))
            found.sort(key=lambda f: f[:4])
    if not found:
        return None
    return found[0][4], -found[0][2]


def _bounded(choices: list[list[Spelling]]) -> list[list[Spelling]]:
    """At most MAX_COMBINATIONS combinations: a long question keeps its known words as typed,
    then each unknown word takes only its closest spelling."""

    def size(cs: list[list[Spelling]]) -> int:
        return math.prod(len(c) for c in cs)

    if size(choices) > MAX_COMBINATIONS:
        choices = [c[:1] if not c[0].edits else c for c in choices]
    if size(choices) > MAX_COMBINATIONS:
        choices = [c[:1] for c in choices]
    return choices
