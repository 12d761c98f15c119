"""Search that degrades gracefully: every word first, then the articles holding most of them,
each hit saying which words it lacks; strict syntax that stays strict; whole-query typo
correction by co-occurrence; explicit wildcards with a bounded expansion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.core import Newsreader
from index.search import query, spelling, text_analysis
from index.search.fuzzy import Vocabulary
from index.search.matching import matched, plan

PALMYRA = "Syrian troops retake Palmyra"
MISSILES = "Russian warships fire cruise missiles at Syria"
ELECTION = "Austria votes in a snap election"
OPERA = "Vienna opera ball is cancelled"
SEED = "Russia fires cruise missiles at ISIS targets in Syria"


def test_partial_matches_follow_the_complete_ones(small_library: Newsreader) -> None:
    r = small_library.search("vienna parliament", fuzzy=False)
    assert r.hits[0].title == ELECTION  # the only article with both words
    assert (r.hits[0].matched, r.hits[0].missing) == ("all", [])
    rest = {h.title: h for h in r.hits[1:]}
    assert rest[OPERA].missing == ["parliament"] and rest[OPERA].matched == "any"
    assert r.complete == 1 and r.total == len(r.hits) and r.matched == "any"


def test_a_pasted_sentence_ranks_its_article_first(small_library: Newsreader) -> None:
    # Words from the missiles article, with words no article has: no article has them all.
    sentence = "warships in the Mediterranean fired cruise missiles towards Palmyra yesterday"
    r = small_library.search(sentence, fuzzy=False)
    assert r.complete == 0
    assert r.hits[0].title == MISSILES
    assert "yesterday" in r.hits[0].missing and "warships" not in r.hits[0].missing
    assert r.hits[0].matched == "most"
    # The Palmyra article holds one of the words: it follows, as "any".
    palmyra = next(h for h in r.hits if h.title == PALMYRA)
    assert palmyra.matched == "any" and "warships" in palmyra.missing


def test_more_words_rank_first(small_library: Newsreader) -> None:
    # "russian" and "palmyra" are both in two articles; "airstrikes" only in the Palmyra one.
    r = small_library.search("russian palmyra airstrikes cricket", fuzzy=False)
    assert [h.title for h in r.hits[:2]] == [PALMYRA, MISSILES]
    assert r.hits[0].missing == ["cricket"] and r.hits[1].missing == ["airstrikes", "cricket"]
    assert [h.matched for h in r.hits[:2]] == ["most", "any"]


def test_enough_complete_matches_list_no_partial_ones(small_library: Newsreader) -> None:
    small_library.searching.settings.partial_below = 1
    r = small_library.search("vienna parliament", fuzzy=False)
    assert [h.title for h in r.hits] == [ELECTION] and r.matched == "all"
    small_library.searching.settings.partial_below = 0
    assert small_library.search("vienna cricket", fuzzy=False).hits == []


@pytest.mark.parametrize(
    "strict", ["vienna AND parliament", '"vienna parliament"', "title:vienna parliament"]
)
def test_explicit_syntax_stays_strict(small_library: Newsreader, strict: str) -> None:
    r = small_library.search(strict, fuzzy=False)
    assert all(h.matched == "all" and not h.missing for h in r.hits)
    assert {h.title for h in r.hits} <= {ELECTION}


def test_a_plus_word_is_always_required(small_library: Newsreader) -> None:
    r = small_library.search("+vienna parliament ball", fuzzy=False)
    # Two of the three words each, and every hit holds the required one.
    assert {h.title for h in r.hits} == {ELECTION, OPERA}
    assert {h.title: h.missing for h in r.hits} == {ELECTION: ["ball"], OPERA: ["parliament"]}
    r = small_library.search("+zeppelin parliament ball", fuzzy=False)
    assert r.hits == []  # the Palmyra article has "zeppelin" but none of the other words


def test_or_lists_every_article_holding_any_word(small_library: Newsreader) -> None:
    r = small_library.search("palmyra OR krasnodar OR cricket", fuzzy=False)
    assert {h.title for h in r.hits} >= {PALMYRA, MISSILES}
    assert all(h.matched == "all" and not h.missing for h in r.hits)  # OR asked for any
    assert r.complete == 0  # no article holds all three words


def test_question_mark_ends_a_question(small_library: Newsreader) -> None:
    q = query.parse("where is palmyra?").query
    assert "Wildcard" not in repr(q)
    assert small_library.search("where is palmyra?", fuzzy=False).hits[0].title == PALMYRA


def test_split_words_are_words_that_may_be_missing() -> None:
    p = plan(query.parse("state-of-the-art zeppelin"))
    assert p is not None and not p.strict and len(p.words) == 2


def test_matched_labels() -> None:
    assert [matched(h, 4) for h in (4, 3, 2, 1)] == ["all", "most", "any", "any"]
    assert [matched(h, 3) for h in (3, 2, 1)] == ["all", "most", "any"]


# -- typo correction over the whole query ---------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Damscus missles", "Damascus missiles"),
        ("Krasnodr submarin", "Krasnodar submarine"),
        ("Assads ofensive", "Assad offensive"),
    ],
)
def test_misspelt_queries_find_the_seed_article(
    demo_library: Newsreader, typed: str, meant: str
) -> None:
    r = demo_library.search(typed)
    assert r.corrected == meant
    # First: "Assad's offensive" stands in it word for word (proximity), where another
    # article has both words apart.
    assert r.hits[0].title == SEED and r.hits[0].matched == "all"


def test_a_known_typo_is_respelt_when_its_neighbours_say_so(demo_library: Newsreader) -> None:
    vocab = demo_library.searching.vocabulary()
    assert vocab.frequency("missles") > 0  # the library knows the typo from another article
    assert demo_library.search("missles").corrected is None  # alone, it finds that article


def test_spelling_prefers_the_combination_found_together() -> None:
    vocab = Vocabulary([("damascus", 3), ("missles", 1), ("missiles", 5), ("miles", 40)])
    docs = {
        text_analysis.stem(w): d
        for w, d in [
            ("damascus", {1: 1.0, 2: 1.0}),
            ("missles", {9: 1.0}),
            ("missiles", {2: 1.0, 7: 1.0}),
            ("miles", {5: 1.0}),
        ]
    }
    choices = [spelling.options(w, vocab, 3) for w in ("damscus", "missles")]
    found = spelling.best(choices, lambda stem: docs.get(stem, {}))
    assert found is not None
    combo, together = found
    assert [s.word for s in combo] == ["damascus", "missiles"] and together == 1


def test_long_questions_bound_the_combinations() -> None:
    words = [f"w{i}ord" for i in range(30)]
    vocab = Vocabulary([(w, 1) for w in words] + [(w + "s", 9) for w in words])
    choices = [spelling.options(w + "x", vocab, 3) for w in words]
    assert spelling.best(choices, lambda stem: {}) is None  # nothing together: no guess


# -- wildcards ------------------------------------------------------------------------------
def test_wildcards_expand_to_the_most_used_words(demo_library: Newsreader) -> None:
    r = demo_library.search("palm*")
    assert SEED in [h.title for h in r.hits]
    assert "palmyra" in r.terms
    settings = demo_library.searching.settings
    before = settings.prefix_expansions
    try:
        settings.prefix_expansions = 1
        top = demo_library.searching.vocabulary().completions("minist", 1)[0]
        assert demo_library.search("minist*").terms == {text_analysis.stem(top)}
    finally:
        settings.prefix_expansions = before


def test_vocabulary_matches_wildcard_patterns() -> None:
    vocab = Vocabulary([("man", 5), ("men", 9), ("mean", 2), ("moon", 1), ("minute", 3)])
    assert vocab.matching("m?n", 10) == ["men", "man"]
    assert vocab.matching("m*n", 10) == ["men", "man", "mean", "moon"]
    assert vocab.matching("m*n", 2) == ["men", "man"]
    # 9 articles, then "man" (5) and "mean" (2) no longer fit in 10; "moon" (1) does.
    assert vocab.matching("m*", 10, budget=10) == ["men", "moon"]


# -- what the CLI says ----------------------------------------------------------------------
def test_json_says_what_each_hit_lacks(small_library: Newsreader, run_cli, tmp_path: Path) -> None:
    home = small_library.library.directory
    small_library.close()
    out = run_cli("--library", home, "search", "vienna parliament", "--json", "--no-fuzzy")
    hits = json.loads(out.out)
    assert hits[0]["title"] == ELECTION and hits[0]["matched"] == "all"
    assert hits[0]["missing"] == []
    assert any(h["matched"] == "any" and h["missing"] for h in hits[1:])
    lines = run_cli(
        "--library",
        home,
        "search",
        "--stdin",
        "--json",
        "--no-fuzzy",
        stdin="vienna parliament\nvienna AND parliament\n",
    ).out.splitlines()
    first, strict = (json.loads(line) for line in lines)
    assert first["matched"] == "any" and strict["matched"] == "all"
    assert [h["title"] for h in strict["hits"]] == [ELECTION]
