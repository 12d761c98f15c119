"""Proximity: articles holding the query's words side by side rank before those holding the
same words as often, far apart; it never lifts a partial match over a complete one."""

from __future__ import annotations

from pathlib import Path

from library_helpers import write_articles

from index.config import Settings
from index.core import Newsreader
from index.search import proximity

FILLER = " ".join(f"filler{n}" for n in range(40))


def _library(tmp_path: Path, settings: Settings, articles: list[tuple[str, str]]) -> Newsreader:
    rows = [
        {"file": "a.jsonl", "title": title, "url": f"https://example.org/{n}", "paragraphs": [body]}
        for n, (title, body) in enumerate(articles)
    ]
    core = Newsreader.open(tmp_path / "library", settings)
    report = core.add([str(f) for f in write_articles(tmp_path / "in", rows)])
    assert not report.failures and report.added == len(articles)
    return core


def test_words_side_by_side_rank_first(tmp_path: Path, no_seed_settings: Settings) -> None:
    # Same words, same counts, same length: only where they stand differs. The close one is
    # added last, so that without proximity the tie would put it second (article order).
    core = _library(tmp_path, no_seed_settings, [
        ("Apart", f"interest {FILLER} rates"),
        ("Together", f"interest rates {FILLER}"),
    ])
    try:
        hits = core.search("interest rates", fuzzy=False).hits
        assert [h.title for h in hits] == ["Together", "Apart"]
        assert hits[0].score == hits[1].score  # BM25F alone ties them
    finally:
        core.close()


def test_proximity_does_not_lift_a_partial_match_over_a_complete_one(
    tmp_path: Path, no_seed_settings: Settings
) -> None:
    core = _library(tmp_path, no_seed_settings, [
        ("Complete", f"oil {FILLER} exports {FILLER} embargo"),
        ("Partial", "oil exports oil exports oil exports"),
    ])
    try:
        hits = core.search("oil exports embargo", fuzzy=False).hits
        assert [h.title for h in hits] == ["Complete", "Partial"]
        assert hits[1].missing == ["embargo"]
    finally:
        core.close()


def test_closeness_sums_neighbouring_different_words() -> None:
    # Word 0 at 1 and 10, word 1 at 2: neighbours (1,2) at distance 1, (2,10) at 8.
    sums = proximity.closeness([{7: [1, 10]}, {7: [2]}], [1.0, 0.5], [7])
    assert sums[7] == 1.0 * 0.5 / 1 + 0.5 * 1.0 / 64
    # The same word twice in a row is no pair; a document holding one word has none.
    assert proximity.closeness([{7: [1, 2]}, {8: [5]}], [1.0, 1.0], [7, 8]) == {7: 0.0, 8: 0.0}
    assert proximity.factor(0.0) == 1.0
    assert 1.0 < proximity.factor(1.0) < proximity.factor(100.0) <= 1.0 + proximity.WEIGHT
