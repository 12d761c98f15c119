"""The go-to finder on a large library: candidates come from a word-prefix index, never a scan,
and are the titles the plain definition gives (every typed word's first letters, newest first),
and the title typed is found among them."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import utils

from index.search import fuzzy
from index.search.fuzzy import MAX_CANDIDATES, TitleFinder

WORDS = [
    "oil", "prices", "prize", "press", "pray", "rise", "fall", "bush", "kerry", "vote", "iraq",
    "army", "talks", "stocks", "bank", "band", "bath", "ball", "shares", "yankees", "red",
    "sox", "win", "game", "season", "search", "seal", "google", "deal", "microsoft", "apple",
    "music", "court", "trial", "space", "nasa", "probe", "at", "an", "by", "it", "us", "eu",
    "uk", "a", "i",
]


def titles(count: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    return [(n + 1, " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 7))).title())
            for n in range(count)]


def plain_candidates(finder: TitleFinder, needle: str) -> tuple[list[int], bool]:
    """The definition, by scanning every title: those with a word starting like each typed
    word's first three letters, a word matching no title alongside the others left out
    (and whether one was)."""
    words = [set(t.split()) for t in finder.processed]
    hits: set[int] = set()
    left_out = False
    for typed in needle.split()[:3]:
        key = typed[:3]
        found = {i for i, ws in enumerate(words) if any(w.startswith(key) for w in ws)}
        left_out = left_out or not (hits & found if hits else found)
        hits = found if not hits else (hits & found or hits)
    return sorted(hits, reverse=True)[:MAX_CANDIDATES], left_out


@pytest.fixture
def finder(monkeypatch: pytest.MonkeyPatch) -> TitleFinder:
    monkeypatch.setattr(fuzzy, "LARGE", 100)
    monkeypatch.setattr(fuzzy, "MAX_CANDIDATES", 300)
    return TitleFinder(titles(2000, seed=7))


@pytest.mark.parametrize(
    "typed",
    ["o", "oi", "oil", "oil pr", "oil prices", "pri", "pre", "b", "ba", "ban", "bat",
     "sea", "seas", "bush ker", "a", "at", "i", "yan red so", "zzz", "oil zzz", "zzz oil",
     "us eu uk", "microsoft apple music court", "kerry bush yankees nasa"],
)
def test_prefix_candidates_are_the_plain_definition(finder: TitleFinder, typed: str) -> None:
    needle = utils.default_process(typed)
    expected, left_out = plain_candidates(finder, needle)
    expected = expected[:fuzzy.MAX_CANDIDATES]
    got = finder.candidates(needle)
    if len(expected) >= 50 or not left_out:
        # Every typed word matched: those titles, however few.
        assert got == expected
    else:  # a word matched nothing: topped up with the best titles by QRatio, in title order
        assert set(expected) <= set(got) and got == sorted(got) and len(got) > len(expected)


def test_the_title_typed_is_found_first(finder: TitleFinder) -> None:
    rng = random.Random(3)
    for article, title in rng.sample(list(zip(finder.ids, finder.titles, strict=True)), 40):
        found = finder.find(title, limit=20)
        best = found[0][2]
        # Titles made of the same words may tie with it; it is among the best.
        assert (article, title) in [(i, t) for i, t, score in found if score == best]
