"""Related passages and articles (index/related/) and `newsreader related`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.core import Newsreader
from index.engine.whoosh_internals import postings
from index.related.finder import (
    RelatedFinder,
    finder,
    related_articles,
    related_passages,
    strong_passages,
)
from index.related.results import RelatedError
from index.search import text_analysis

SEED_TITLE = "Russia fires cruise missiles at ISIS targets in Syria"
MISSILES = "Russian warships fire cruise missiles at Syria"  # in the small library


def article_id(core: Newsreader, title: str) -> int:
    rows = core.library.query("SELECT id FROM articles WHERE title = ?", (title,))
    assert rows, f"no article titled {title!r}"
    return rows[0][0]


def stems(text: str) -> set[str]:
    return set(text_analysis.terms(text))


def add_rows(core: Newsreader, folder: Path, rows: list[dict]) -> None:
    """Add articles through the real ingest, as a JSON Lines file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "more.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = core.add([str(path)])
    assert not report.failures, report.failures
    assert report.added == len(rows)


# -- finding ------------------------------------------------------------------------------------
def test_related_passages_come_from_other_articles(small_library: Newsreader) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    found = related_passages(small_library, source, 0)
    assert found, "the missiles article also speaks of Palmyra, Russia and the ministry"
    assert all(r.id != source for r in found)
    assert found[0].id == article_id(
        small_library, "Russian warships fire cruise missiles at Syria"
    )
    for r in found:
        # Each result is a real passage of its article, quoted exactly.
        assert r.text == small_library.get(r.id).paragraphs[r.passage]
        assert r.title == small_library.get(r.id).title
        assert 0 < r.score <= 1


def test_why_terms_are_really_shared(small_library: Newsreader) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    article = small_library.get(source)
    passage = article.paragraphs[0]
    whole = stems(article.title + " " + " ".join(article.paragraphs))
    found = related_passages(small_library, source, 0)
    assert any(r.why["terms"] for r in found)
    for r in found:
        terms = [text_analysis.stem(t) for t in r.why["terms"]]
        assert all(terms), r.why["terms"]  # each is a word the index has, not a stop word
        for t in terms:
            assert t in stems(r.text), (t, r.text)  # in the related passage...
            assert t in whole, t  # ...and in the source (its passage, else its article)
        # The source passage's own terms come before those borrowed from its article.
        own = [t in stems(passage) for t in terms]
        assert own == sorted(own, reverse=True), r.why["terms"]
    top = found[0]
    assert {"palmyra", "ministry"} <= set(top.why["terms"])


def test_near_duplicates_are_listed_once(small_library: Newsreader, tmp_path: Path) -> None:
    story = (
        "The museum of Palmyra reopened on {day} after Syrian troops and Russian engineers "
        "cleared the ancient city of mines, the ministry in Moscow said."
    )
    add_rows(
        small_library,
        tmp_path / "dupes",
        [
            {
                "title": "Palmyra museum reopens",
                "url": "https://one.example/palmyra",
                "body": story.format(day="Tuesday") + "\n\nVisitors queued at the gate.",
            },
            {
                "title": "Palmyra museum reopens",
                "url": "https://two.example/palmyra-museum",
                "body": story.format(day="Tuesday,") + "\n\nVisitors queued at the gates.",
            },
        ],
    )
    copies = set(
        r[0]
        for r in small_library.library.query(
            "SELECT id FROM articles WHERE title = 'Palmyra museum reopens'"
        )
    )
    assert len(copies) == 2
    source = article_id(small_library, "Syrian troops retake Palmyra")
    found = related_passages(small_library, source, 0, limit=10)
    listed = [r for r in found if r.id in copies]
    assert len(listed) == 1, [(r.id, r.title) for r in found]
    assert set(listed[0].also_in) == copies - {listed[0].id}


def test_a_copy_of_the_source_is_not_related(small_library: Newsreader, tmp_path: Path) -> None:
    wire = small_library.get(
        article_id(small_library, "Russian warships fire cruise missiles at Syria")
    )
    add_rows(
        small_library,
        tmp_path / "copy",
        [
            {
                "title": wire.title + ".",
                "url": "https://mirror.example/missiles",
                "body": "\n\n".join(wire.paragraphs).replace("Wednesday", "Wednesday,"),
            }
        ],
    )
    copy = article_id(small_library, wire.title + ".")
    ids = {r.id for r in related_passages(small_library, wire.id, 0, limit=10)}
    assert copy not in ids
    assert article_id(small_library, "Syrian troops retake Palmyra") in ids


def test_function_words_relate_nothing(small_library: Newsreader, tmp_path: Path) -> None:
    # Two new articles that share only words saying nothing of a subject.
    add_rows(small_library, tmp_path / "more", [
        {"title": "Quilting fair", "url": "https://example.org/q",
         "body": "Quilters said there was whatever they would show, and they were there."},
        {"title": "Chess ladder", "url": "https://example.org/c",
         "body": "Grandmasters said there was whatever they would play, and they were there."},
    ])
    source = article_id(small_library, "Quilting fair")
    chess = article_id(small_library, "Chess ladder")
    assert all(r.id != chess for r in related_passages(small_library, source, 0))


def test_related_articles_for_a_whole_article(small_library: Newsreader) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    found = related_articles(small_library, source)
    assert found and all(r.id != source for r in found)
    top = found[0]
    assert top.id == article_id(small_library, "Russian warships fire cruise missiles at Syria")
    paragraphs = small_library.get(top.id).paragraphs
    assert 0 <= top.passage < len(paragraphs)
    assert top.text == paragraphs[top.passage]
    # Placed at its best passage: the one about Palmyra, not the one about the submarine.
    assert "Palmyra" in top.text
    assert small_library.related(source) == found  # the core API, passage=None
    assert small_library.related(source, 0) == related_passages(small_library, source, 0)


def test_every_result_says_why(small_library: Newsreader) -> None:
    for title in ("Telescope photographs a distant galaxy", "Vienna opera ball is cancelled"):
        for r in related_passages(small_library, article_id(small_library, title), 0):
            assert r.why["terms"] or r.why["entities"]


def test_bad_source_is_a_clear_error(small_library: Newsreader) -> None:
    source = article_id(small_library, "Austria votes in a snap election")
    with pytest.raises(RelatedError, match=r"has passages 0-1; there is no passage 5"):
        related_passages(small_library, source, 5)
    with pytest.raises(RelatedError, match="no article with id 999"):
        related_passages(small_library, 999, 0)
    with pytest.raises(RelatedError, match="no article with id 999"):
        related_articles(small_library, 999)


def test_limit(small_library: Newsreader) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    assert len(related_passages(small_library, source, 0, limit=1)) == 1
    assert related_passages(small_library, source, 0, limit=0) == []


def test_finds_articles_added_after_the_first_call(
    small_library: Newsreader, tmp_path: Path
) -> None:
    source = article_id(small_library, "Heatwave grips southern Europe")
    before = {r.id for r in related_passages(small_library, source, 1)}
    add_rows(
        small_library,
        tmp_path / "later",
        [
            {
                "title": "Wildfires near Lisbon",
                "url": "https://example.com/lisbon-fires",
                "body": "Firefighters fought wildfires in the hills outside Lisbon again.",
            }
        ],
    )
    new = article_id(small_library, "Wildfires near Lisbon")
    after = related_passages(small_library, source, 1)
    assert new not in before
    assert after[0].id == new  # the caches follow the index
    assert after[0].passage == 0  # a one-paragraph article is its own passage 0


# -- entities -----------------------------------------------------------------------------------
def test_shared_entities_boost_and_explain(small_library: Newsreader, tmp_path: Path) -> None:
    add_rows(
        small_library,
        tmp_path / "twins",
        [
            {
                "title": "Lava reaches a road",
                "url": "https://example.com/a",
                "body": "Lava from the Zorbu volcano reached the village road.\n\n"
                "Farmers moved their goats to higher pastures.",
            },
            {
                "title": "A road is reached by lava",
                "url": "https://example.com/b",
                "body": "The village road was reached by lava from the Zorbu volcano.\n\n"
                "Shepherds drove their cattle toward distant meadows.",
            },
            {
                "title": "Zorbu erupts",
                "url": "https://example.com/source",
                "body": "The Zorbu volcano erupted and lava flowed toward the village road.\n\n"
                "Scientists had warned of the eruption for weeks.",
            },
        ],
    )
    lib = small_library.library
    a, b = (
        article_id(small_library, "Lava reaches a road"),
        article_id(small_library, "A road is reached by lava"),
    )
    source = article_id(small_library, "Zorbu erupts")
    with lib.transaction() as db:  # terms only: no entities known
        db.execute("DELETE FROM mentions")

    def ranking() -> list[int]:
        # A new finder: nothing remembered about entities between the two rounds.
        found = RelatedFinder(lib, small_library.index).passages(source, 0, limit=5)
        return [r.id for r in found if r.id in (a, b)]

    plain = ranking()
    assert set(plain) == {a, b}
    assert all(not r.why["entities"] for r in related_passages(small_library, source, 0))
    second = plain[1]
    with lib.transaction() as db:  # the source and the second twin name the same entity
        entity = db.execute(
            "INSERT INTO entities (canonical, label) VALUES ('Zorbu Volcano Observatory', 'ORG')"
        ).lastrowid
        for article in (source, second):
            db.execute("INSERT INTO mentions VALUES (?, 0, 0, 5, 'Zorbu', ?)", (article, entity))
    assert ranking()[0] == second
    found = RelatedFinder(lib, small_library.index).passages(source, 0, limit=5)
    why = {r.id: r.why["entities"] for r in found}
    assert why[second] == ["Zorbu Volcano Observatory"]
    assert why[plain[0]] == []


def test_reasons_name_only_entities_both_passages_name(small_library: Newsreader) -> None:
    """With the extractor's own mentions: every entity given as a reason is named in the
    source passage and in the related passage (checked against the mentions table)."""
    lib = small_library.library
    source = article_id(small_library, "Syrian troops retake Palmyra")

    def named(article: int, passage: int) -> set[str]:
        return {
            r[0]
            for r in lib.query(
                "SELECT e.canonical FROM mentions m JOIN entities e ON e.id = m.entity_id"
                " WHERE m.article_id = ? AND m.passage = ?",
                (article, passage),
            )
        }

    found = related_passages(small_library, source, 0)
    assert any(r.why["entities"] for r in found)  # Palmyra is named in both Palmyra passages
    for r in found:
        assert set(r.why["entities"]) <= named(source, 0) & named(r.id, r.passage)


# -- marking strong passages --------------------------------------------------------------------
def test_strong_passages(small_library: Newsreader) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    strong = strong_passages(small_library, source)
    assert 0 in strong  # Palmyra, Russia, the ministry: the missiles article says it too
    assert 3 not in strong  # the zeppelin is nowhere else
    assert strong <= set(range(4))
    # What the reader asks the facade for (its article screen marks these paragraphs).
    assert small_library.strong_passages(source) == strong


# -- the demo library ---------------------------------------------------------------------------
def test_seed_palmyra_paragraph_finds_syria(demo_library: Newsreader) -> None:
    seed = demo_library.get(article_id(demo_library, SEED_TITLE))
    palmyra = next(n for n, p in enumerate(seed.paragraphs) if "Palmyra" in p)
    found = related_passages(demo_library, seed.id, palmyra)
    assert len(found) == 5

    def about_syria(r) -> bool:
        article = demo_library.get(r.id)
        return any("Syria" in t for t in (article.title, *article.paragraphs))

    assert about_syria(found[0]), found[0].title
    assert sum(map(about_syria, found)) >= 3, [r.title for r in found]
    assert any({"isis", "syria", "syrian"} & set(r.why["terms"]) for r in found)


# -- Whoosh internals used for speed -------------------------------------------------------------
def test_block_reading_matches_public_postings(small_library: Newsreader) -> None:
    with small_library.index.searcher() as s:
        for leaf, _ in s.reader().leaf_readers():
            for field, term in [("ptext", "palmyra"), ("body", "said"), ("kind", "p")]:
                if (field, term) in leaf:
                    assert postings(leaf.postings(field, term))[0] == list(
                        leaf.postings(field, term).all_ids()
                    )


def test_finder_is_shared_per_library(small_library: Newsreader) -> None:
    assert finder(small_library) is finder((small_library.library, small_library.index))


# -- the command line ---------------------------------------------------------------------------
def test_cli_json(small_library: Newsreader, run_cli) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    result = run_cli(
        "--library",
        small_library.library.directory,
        "related",
        source,
        "--passage",
        "0",
        "--limit",
        "3",
        "--json",
    )
    assert result.code == 0, result.err
    data = result.json()
    assert 1 <= len(data) <= 3
    for item in data:
        assert {"id", "title", "passage", "text", "score", "why"} <= set(item)
        assert set(item["why"]) == {"entities", "terms"}
        assert isinstance(item["id"], int) and isinstance(item["passage"], int)
        assert isinstance(item["score"], float)
        assert all(isinstance(t, str) for t in item["why"]["terms"] + item["why"]["entities"])
        assert item["id"] != source
        assert item["text"] == small_library.get(item["id"]).paragraphs[item["passage"]]
    whole = run_cli("--library", small_library.library.directory, "related", source, "--json")
    assert whole.code == 0
    assert [d["id"] for d in whole.json()] == [
        r.id for r in related_articles(small_library, source)
    ]


def test_cli_human_output(small_library: Newsreader, run_cli) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    result = run_cli(
        "--library", small_library.library.directory, "related", source, "--passage", "0"
    )
    assert result.code == 0, result.err
    assert "Russian warships fire cruise missiles at Syria" in result.out
    assert "why: " in result.out and "palmyra" in result.out


def test_cli_passage_out_of_range(small_library: Newsreader, run_cli) -> None:
    source = article_id(small_library, "Syrian troops retake Palmyra")
    result = run_cli(
        "--library", small_library.library.directory, "related", source, "--passage", "9", "--json"
    )
    assert result.code == 1
    assert result.out == ""
    assert "has passages 0-3; there is no passage 9" in result.err
    missing = run_cli("--library", small_library.library.directory, "related", "4242")
    assert missing.code == 1 and "no article with id 4242" in missing.err
    negative = run_cli(
        "--library", small_library.library.directory, "related", source, "--passage", "-1"
    )
    assert negative.code == 2  # a usage error, from argparse
