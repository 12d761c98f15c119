"""The library of record (SQLite): dedupe, updates in place, passages, reading state,
transactions and the word vocabulary."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from index.core import Newsreader
from index.errors import LibraryError
from index.model import Article
from index.storage.library import Library
from index.storage.schema import SCHEMA_VERSION


def article(title: str = "Floods in Jakarta", *paragraphs: str, **kw) -> Article:
    return Article(title, list(paragraphs) or ["Heavy rain flooded Jakarta.", "Dozens left."], **kw)


@pytest.fixture
def library(tmp_path: Path):
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


def ids_by_title(core: Newsreader) -> dict[str, int]:
    return {a.title: a.id for a in core.list()}


# -- dedupe ---------------------------------------------------------------------------------
def test_same_url_same_text_is_a_duplicate(library: Library) -> None:
    url = "https://example.com/a"
    [(status, first)] = library.add_articles([article(url=url)])
    assert status == "added"
    [(status, again)] = library.add_articles([article(url=url)])
    assert (status, again) == ("duplicate", first)
    assert library.count() == 1


def test_copies_without_url_are_deduped_by_content(library: Library) -> None:
    a = article("Floods in Jakarta", "Heavy rain flooded Jakarta.", origin="/x/a.txt")
    # Another file, other spacing and case: the same text for a reader.
    b = article("FLOODS  in jakarta", "Heavy  rain\nflooded Jakarta.", origin="/y/b.txt")
    c = article("Floods in Jakarta", "Heavy rain flooded Jakarta and Bogor.", origin="/z/c.txt")
    results = library.add_articles([a, b, c])
    assert [s for s, _ in results] == ["added", "duplicate", "added"]
    assert results[1][1] == results[0][1]
    assert library.count() == 2


def test_same_url_new_text_updates_and_keeps_the_id(library: Library) -> None:
    url = "https://example.com/story"
    [(_, first)] = library.add_articles([article("Draft", "Old first.", "Old second.", url=url)])
    other = library.add_articles([article("Unrelated", "Something else.")])[0][1]
    [(status, second)] = library.add_articles(
        [article("Final", "New first.", "New second.", "New third.", url=url, date="2020-02-02")]
    )
    assert (status, second) == ("updated", first)
    stored = library.get(first)
    assert stored is not None
    assert (stored.title, stored.date) == ("Final", "2020-02-02")
    assert stored.paragraphs == ["New first.", "New second.", "New third."]
    assert library.count() == 2
    assert library.get(other).paragraphs == ["Something else."]
    assert library.passage_count() == 4


def test_updated_article_keeps_its_reading_state(library: Library) -> None:
    url = "https://example.com/kept"
    [(_, aid)] = library.add_articles([article("One", "First text.", url=url)])
    library.set_read(aid)
    library.set_position(aid, 1)
    library.add_articles([article("One", "Second text.", "More.", url=url)])
    stored = library.get(aid)
    assert stored is not None and stored.read and stored.position == 1


def test_re_added_edited_file_updates_in_place(small_library: Newsreader, tmp_path: Path) -> None:
    path = tmp_path / "articles" / "palmyra.txt"
    before = ids_by_title(small_library)["Syrian troops retake Palmyra"]
    text = path.read_text("utf-8").replace("slow zeppelin", "silver dirigible")
    path.write_text(text, "utf-8")

    report = small_library.add([str(path)])
    assert (report.added, report.updated, report.duplicates, report.failed) == (0, 1, 0, 0)
    assert ids_by_title(small_library)["Syrian troops retake Palmyra"] == before
    assert "silver dirigible" in small_library.get(before).paragraphs[3]
    # The index follows the library: the new word is found, the old one is gone.
    assert [h.id for h in small_library.search("dirigible").hits] == [before]
    assert small_library.search("zeppelin", fuzzy=False).hits == []


def test_re_adding_the_same_files_changes_nothing(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict]
) -> None:
    before = small_library.list(sort="title")
    files = sorted(str(p) for p in (tmp_path / "articles").iterdir())
    report = small_library.add(files)
    assert (report.added, report.updated, report.failed) == (0, 0, 0)
    assert report.duplicates == len(small_articles)
    assert small_library.list(sort="title") == before


def test_jsonl_row_with_known_url_updates(small_library: Newsreader, tmp_path: Path) -> None:
    aid = ids_by_title(small_library)["Heatwave grips southern Europe"]
    newer = tmp_path / "newer.jsonl"
    row = {
        "title": "Heatwave grips southern Europe",
        "date": "2017-07-01",
        "url": "https://example.com/news/heatwave",
        "body": "Temperatures reached forty-five degrees in Cordoba.",
    }
    newer.write_text(json.dumps(row) + "\n", "utf-8")
    report = small_library.add([str(newer)])
    assert (report.added, report.updated) == (0, 1)
    assert small_library.get(aid).paragraphs == [row["body"]]
    assert small_library.get(aid).date.startswith("2017-07-01")
    assert [h.id for h in small_library.search("Cordoba").hits] == [aid]


# -- passages -------------------------------------------------------------------------------
def test_passage_offsets_round_trip(library: Library) -> None:
    paragraphs = [
        "Plain ASCII first.",
        "Unicode: café, naïve, Zürich — 北京 and 서울, emoji 👩‍👩‍👧‍👦 🚀.",
        "Combining marks e\u0301 and a tab\tinside.",
        "x",
        'Last one, with "quotes" and [brackets].',
    ]
    [(_, aid)] = library.add_articles([Article("Offsets", paragraphs)])
    assert library.paragraphs(aid) == paragraphs
    assert library.get(aid).paragraphs == paragraphs
    offsets = library.passage_offsets([aid])[aid]
    body = library.query("SELECT body FROM articles WHERE id=?", (aid,))[0][0]
    assert [body[s:e] for s, e in offsets] == paragraphs
    assert library.passage_count() == len(paragraphs)


def test_show_passages_match_the_input(
    small_library: Newsreader, small_articles: list[dict]
) -> None:
    ids = ids_by_title(small_library)
    for a in small_articles:
        stored = small_library.get(ids[a["title"]])
        assert stored.paragraphs == a["paragraphs"]
        assert (stored.source, stored.url) == (a["source"], a["url"])
        if a["date"]:
            assert stored.date.startswith(a["date"])


def test_library_persists_across_reopening(tmp_path: Path) -> None:
    lib = Library(tmp_path)
    assert lib.created
    [(_, aid)] = lib.add_articles([article()])
    lib.close()
    again = Library(tmp_path)
    try:
        assert not again.created
        assert again.get(aid).title == "Floods in Jakarta"
    finally:
        again.close()


# -- reading state --------------------------------------------------------------------------
def test_reading_state(small_library: Newsreader) -> None:
    ids = sorted(ids_by_title(small_library).values())
    total = len(ids)
    assert small_library.library.unread_count() == total
    assert not small_library.get(ids[0]).read

    small_library.mark_read(ids[0])
    small_library.save_position(ids[0], 2)
    small_library.save_position(ids[1], 1)  # opened but not finished
    stored = small_library.get(ids[0])
    assert stored.read and stored.position == 2
    assert not small_library.get(ids[1]).read and small_library.get(ids[1]).position == 1
    assert small_library.library.unread_count() == total - 1
    read = {a.id for a in small_library.list() if a.read}
    assert read == {ids[0]}

    small_library.mark_read(ids[0], read=False)
    assert not small_library.get(ids[0]).read
    assert small_library.get(ids[0]).position == 2  # unmarking keeps the place
    assert small_library.stats()["unread"] == total


# -- transactions ---------------------------------------------------------------------------
def test_failure_inside_add_articles_leaves_nothing(library: Library) -> None:
    rev = library.rev

    def articles():
        yield article("First good one", "Text one about Jakarta.")
        yield article("Second good one", "Text two about Bogor.")
        raise RuntimeError("the disk caught fire")

    with pytest.raises(RuntimeError):
        library.add_articles(articles())
    assert library.count() == 0
    assert library.passage_count() == 0
    assert library.words() == []
    assert library.rev == rev
    # The library is still usable afterwards.
    assert library.add_articles([article()])[0][0] == "added"


def test_bad_row_rolls_back_its_whole_batch(library: Library) -> None:
    library.add_articles([article("Kept", "Already there.")])
    # A value SQLite cannot store fails in the middle of the batch.
    bad = Article("Bad", ["Text."], date=["not", "a", "date"])  # type: ignore[arg-type]
    with pytest.raises(LibraryError):
        library.add_articles([article("Lost", "Same batch as the bad one."), bad])
    assert [t for _, t in library.titles()] == ["Kept"]


# -- vocabulary -----------------------------------------------------------------------------
def test_words_vocabulary(small_library: Newsreader) -> None:
    words = dict(small_library.library.words())
    assert words["palmyra"] == 2  # in two articles, counted once per article
    assert words["zeppelin"] == 1
    assert words["vienna"] == 2
    assert all(w == w.lower() and w.isalpha() and len(w) >= 3 for w in words)
    assert "lord" in words and "s" not in words  # "Lord's": letters only


def test_duplicates_do_not_count_words_twice(library: Library) -> None:
    library.add_articles([article("Quokka news", "A quokka smiled.", url="https://q/1")])
    library.add_articles([article("Quokka news", "A quokka smiled.", url="https://q/1")])
    assert dict(library.words())["quokka"] == 1


# -- damage ---------------------------------------------------------------------------------
def test_damaged_library_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / Library.FILE).write_bytes(b"this is not a database " * 100)
    with pytest.raises(LibraryError, match="damaged"):
        Library(tmp_path)


def test_library_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Library(tmp_path).close()
    with sqlite3.connect(tmp_path / Library.FILE) as db:
        db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    db.close()
    with pytest.raises(LibraryError, match="newer newsreader"):
        Library(tmp_path)


def test_a_batch_of_articles_gets_a_large_page_cache_for_its_transaction_only(
    library: Library,
) -> None:
    """A bulk transaction (a batch of articles) runs with BULK_CACHE_KIB of page cache, and
    the connection's usual cache is back after it, whether it committed or failed."""
    from index.storage import database

    def cache_size() -> int:
        return library.query("PRAGMA cache_size")[0][0]

    usual = cache_size()
    assert usual != -database.BULK_CACHE_KIB
    with library.transaction(bulk=True) as db:
        assert db.execute("PRAGMA cache_size").fetchone()[0] == -database.BULK_CACHE_KIB
    assert cache_size() == usual
    with pytest.raises(RuntimeError), library.transaction(bulk=True):
        raise RuntimeError("a bug mid-batch")
    assert cache_size() == usual
    with library.transaction() as db:  # any other write keeps the usual cache
        assert db.execute("PRAGMA cache_size").fetchone()[0] == usual
    # Articles are stored in a bulk transaction, and leave the usual cache behind.
    statements: list[str] = []
    with library.transaction() as db:  # this thread's connection, which add_articles uses
        db.set_trace_callback(statements.append)
    library.add_articles([article("Floods in Jakarta", "Rain again.")])
    assert f"PRAGMA cache_size=-{database.BULK_CACHE_KIB}" in statements
    assert cache_size() == usual and library.count() == 1


def wal_frames(library: Library) -> tuple[int, int]:
    """(frames in the WAL, of them checkpointed into the file), checkpointing what it can."""
    _, log, done = library.query("PRAGMA wal_checkpoint(PASSIVE)")[0]
    return log, done


def test_bulk_writes_let_the_wal_grow_and_checkpoint_it_when_they_end(library: Library) -> None:
    """Inside bulk_writes, commits do not checkpoint the WAL at SQLite's 1,000 pages; when
    they end, what it holds is checkpointed and the usual threshold is back (after a
    failure too)."""
    from index.storage import database

    def threshold() -> int:
        return library.query("PRAGMA wal_autocheckpoint")[0][0]

    usual = threshold()
    page = library.query("PRAGMA page_size")[0][0]
    body = "word " * 1000  # about 5 KB: a thousand such articles hold well over 1,000 pages
    with library.bulk_writes():
        assert threshold() == database.BULK_WAL_BYTES // page > usual
        for n in range(10):
            library.add_articles(
                [article(f"Article {n}-{i}", f"{body} {n} {i}") for i in range(100)]
            )
        assert library.query("PRAGMA wal_autocheckpoint")[0][0] > usual
        statements: list[str] = []
        with library.transaction() as db:
            db.set_trace_callback(statements.append)
    db.set_trace_callback(None)
    assert threshold() == usual
    assert "PRAGMA wal_checkpoint(PASSIVE)" in statements
    log, done = wal_frames(library)
    assert log > usual and done == log  # grew past 1,000 pages; all in the file by now
    with pytest.raises(RuntimeError), library.bulk_writes():
        raise RuntimeError("a bug mid-add")
    assert threshold() == usual and library.count() == 1000


def test_an_add_stores_its_batches_under_bulk_writes(tmp_path: Path, no_seed_settings) -> None:
    entered: list[int] = []
    core = Newsreader.open(tmp_path / "lib", no_seed_settings)
    real = core.library.bulk_writes

    def spy():
        entered.append(core.library.count())
        return real()

    core.library.bulk_writes = spy  # type: ignore[method-assign]
    try:
        feed = tmp_path / "in.jsonl"
        rows = [json.dumps({"title": f"Story {i}", "body": f"Text {i}."}) for i in range(3)]
        feed.write_text("\n".join(rows) + "\n", "utf-8")
        report = core.add([str(feed)])
    finally:
        core.close()
    assert entered == [0] and report.added == 3
