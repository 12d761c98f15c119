"""Bookmarks: validation, editing with undo, sorting and tags, locating a quote in a paragraph,
and the `bookmark` CLI. What survives a re-ingest, a reindex or a removed article is in
test_bookmarks_survival.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bookmark_helpers import ids, missiles

from index.bookmarks import Bookmark, BookmarkError, Bookmarks, locate, normalize_tags
from index.core import Newsreader


# -- adding and validation ------------------------------------------------------------------
def test_add_stores_quote_title_and_url(
    small_library: Newsreader, marks: Bookmarks, small_articles: list[dict]
) -> None:
    aid = ids(small_library)["Russian warships fire cruise missiles at Syria"]
    whole = marks.add(aid, note="read later", tags=["Syria"])
    passage = marks.add(aid, passage=1, note="the submarine", tags=["#Navy", "navy", "Ships"])
    span = marks.add(aid, passage=2, start=0, end=8)
    assert (whole.passage, whole.quote, whole.note, whole.tags) == (
        None,
        None,
        "read later",
        ("syria",),
    )
    assert passage.quote == missiles(small_articles)["paragraphs"][1]
    assert passage.tags == ("navy", "ships")
    assert span.quote == "Analysts"
    for b in (whole, passage, span):
        assert b.article_title == "Russian warships fire cruise missiles at Syria"
        assert b.article_url == "https://example.com/news/missiles"
        assert b.article_date == "2017-05-31"
    # Stored, not just returned: a fresh service on the same library reads the same.
    assert Bookmarks(small_library.library).get(passage.id) == passage


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Foo"], ("foo",)),
        (["#News", "news", "NEWS"], ("news",)),
        (["two words", "a,b"], ("two", "words", "a", "b")),
        (["##", "", "  "], ()),
        ("#single", ("single",)),
    ],
)
def test_tags_are_normalised(raw, expected) -> None:
    assert normalize_tags(raw) == expected


def test_unknown_article_is_a_clear_error(marks: Bookmarks) -> None:
    with pytest.raises(BookmarkError, match="no article with id 999"):
        marks.add(999)
    assert marks.list() == []


@pytest.mark.parametrize("passage", [-1, 3, 100])
def test_passage_out_of_range_is_an_error(
    small_library: Newsreader, marks: Bookmarks, passage: int
) -> None:
    aid = ids(small_library)["Russian warships fire cruise missiles at Syria"]  # passages 0-2
    with pytest.raises(BookmarkError, match=f"no passage {passage}.*0-2"):
        marks.add(aid, passage=passage)
    assert marks.list() == []


@pytest.mark.parametrize(("start", "end"), [(5, 5), (8, 2), (0, 10_000), (None, 4), (3, None)])
def test_bad_span_is_an_error(small_library: Newsreader, marks: Bookmarks, start, end) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    with pytest.raises(BookmarkError):
        marks.add(aid, passage=0, start=start, end=end)
    with pytest.raises(BookmarkError, match="needs a passage"):
        marks.add(aid, start=0, end=3)
    assert marks.list() == []


def test_the_same_passage_twice_is_refused(small_library: Newsreader, marks: Bookmarks) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    first = marks.add(aid, passage=1)
    with pytest.raises(BookmarkError, match=f"already bookmarked \\(bookmark {first.id}\\)"):
        marks.add(aid, passage=1, note="again")
    assert [b.id for b in marks.list()] == [first.id]


def test_toggle(small_library: Newsreader, marks: Bookmarks) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    assert marks.toggle(aid, 1) is True
    assert [(b.passage, b.quote) for b in marks.for_article(aid)] == [
        (1, "Firefighters battled wildfires in the hills outside Lisbon.")
    ]
    assert marks.toggle(aid) is True  # the whole article is a separate bookmark
    assert marks.toggle(aid, 1) is False
    assert [b.passage for b in marks.for_article(aid)] == [None]


# -- editing, removing, undo ----------------------------------------------------------------
def test_update_note_and_tags(small_library: Newsreader, marks: Bookmarks) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    b = marks.add(aid, passage=0, note="old", tags=["a"])
    changed = marks.update(b.id, note="new\x1b[31m note")
    assert (changed.note, changed.tags) == ("new note", ("a",))  # terminal escapes dropped
    changed = marks.update(b.id, tags=["#B", "c"])
    assert (changed.note, changed.tags) == ("new note", ("b", "c"))
    assert marks.update(b.id, tags=[]).tags == ()
    with pytest.raises(BookmarkError, match="no bookmark with id 77"):
        marks.update(77, note="x")


def test_remove_and_undo_keep_the_id(small_library: Newsreader, marks: Bookmarks) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    keep = marks.add(aid, passage=0)
    gone = marks.add(aid, passage=1, note="mine", tags=["x"])
    removed = marks.remove(gone.id)
    assert removed == gone
    assert [b.id for b in marks.list()] == [keep.id]
    restored = marks.restore(removed)
    assert restored == gone
    with pytest.raises(BookmarkError, match="no bookmark with id 999"):
        marks.remove(999)


def test_undo_after_the_id_was_reused_gets_a_new_id(
    small_library: Newsreader, marks: Bookmarks
) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    removed = marks.remove(marks.add(aid, passage=0).id)
    reuser = marks.add(aid, passage=1)  # SQLite hands out the freed highest id again
    assert reuser.id == removed.id
    restored = marks.restore(removed)
    assert restored.id != removed.id
    assert (restored.passage, restored.quote) == (removed.passage, removed.quote)
    assert len(marks.list()) == 2


# -- listing --------------------------------------------------------------------------------
def test_list_sorts_and_filters_by_tag(small_library: Newsreader, marks: Bookmarks) -> None:
    by_title = ids(small_library)
    opera = marks.add(by_title["Vienna opera ball is cancelled"], tags=["vienna"])  # 2017-05-01
    galaxy = marks.add(by_title["Telescope photographs a distant galaxy"])  # 2018-01-20
    palmyra = marks.add(by_title["Syrian troops retake Palmyra"], tags=["syria", "war"])  # none
    cricket = marks.add(by_title["England win the cricket world cup"], tags=["War"])  # 2019
    assert [b.id for b in marks.list()] == [cricket.id, palmyra.id, galaxy.id, opera.id]
    assert [b.id for b in marks.list(sort="article_date")] == [
        cricket.id,
        galaxy.id,
        opera.id,
        palmyra.id,
    ]
    assert [b.id for b in marks.list(sort="title")] == [cricket.id, palmyra.id, galaxy.id, opera.id]
    assert [b.id for b in marks.list(tag="#WAR")] == [cricket.id, palmyra.id]
    assert marks.list(tag="wa") == []  # whole tags only
    with pytest.raises(BookmarkError, match="unknown sort"):
        marks.list(sort="colour")


# -- locate ---------------------------------------------------------------------------------
def test_locate_prefers_exact_then_nearest_then_fuzzy() -> None:
    paragraphs = ["alpha beta", "gamma delta", "alpha beta", "the quick brown fox jumps"]
    assert locate("alpha beta", paragraphs, hint=3).passage == 2
    assert locate("alpha beta", paragraphs, hint=0).passage == 0
    span = locate("brown fox", paragraphs, span=True)
    assert (span.passage, span.start, span.end) == (3, 10, 19)
    fuzzy = locate("the quick brown fax jumps", paragraphs)
    assert (fuzzy.passage, fuzzy.quote) == (3, paragraphs[3])
    assert locate("nothing like it at all", paragraphs) is None
    # A short paragraph inside a long quote is not a match for the whole quote.
    assert locate("gamma delta and a great deal more text that is gone", paragraphs) is None


# -- CLI ------------------------------------------------------------------------------------
@pytest.fixture
def cli(small_library: Newsreader, no_seed_config: Path, run_cli):
    where = small_library.library.directory

    def run(*args: str | int):
        return run_cli("--config", no_seed_config, "--library", where, *map(str, args))

    return run


def test_cli_add_list_edit_remove(small_library: Newsreader, cli) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    added = cli(
        "bookmark",
        "add",
        aid,
        "--passage",
        1,
        "--note",
        "fires",
        "--tag",
        "#Fire",
        "--tag",
        "europe",
    )
    assert added.code == 0, added.err
    bid = int(added.out.strip())
    assert cli("bookmark", "add", aid).code == 0
    listed = cli("bookmark", "list", "--json", "--tag", "fire")
    assert listed.code == 0
    [item] = json.loads(listed.out)
    assert (item["id"], item["article_id"], item["passage"], item["note"], item["tags"]) == (
        bid,
        aid,
        1,
        "fires",
        ["fire", "europe"],
    )
    assert item["quote"] == "Firefighters battled wildfires in the hills outside Lisbon."
    text = cli("bookmark", "list", "--sort", "title")
    assert f"article {aid}, passage 1" in text.out and "#fire #europe" in text.out
    edited = cli("bookmark", "edit", bid, "--note", "wildfires", "--tag", "Lisbon")
    assert edited.code == 0
    assert Bookmarks(small_library.library).get(bid).note == "wildfires"
    assert Bookmarks(small_library.library).get(bid).tags == ("lisbon",)
    assert cli("bookmark", "edit", bid, "--clear-tags").code == 0
    assert Bookmarks(small_library.library).get(bid).tags == ()
    removed = cli("bookmark", "remove", bid)
    assert removed.code == 0 and f"removed bookmark {bid}" in removed.out
    assert [b["id"] for b in cli("bookmark", "list", "--json").json()] != [bid]
    assert len(cli("bookmark", "list", "--json").json()) == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("bookmark", "add", "999"), 1, "no article with id 999"),
        (("bookmark", "add", "{aid}", "--passage", "7"), 1, "no passage 7"),
        (("bookmark", "remove", "4242"), 1, "no bookmark with id 4242"),
        (("bookmark", "edit", "4242", "--note", "x"), 1, "no bookmark with id 4242"),
        (("bookmark", "edit", "1"), 2, "nothing to change"),
        (("bookmark", "add", "abc"), 2, "invalid int value"),
        (("bookmark", "add", "{aid}", "--passage", "x"), 2, "invalid int value"),
        (("bookmark",), 2, "required"),
        (("bookmark", "list", "--sort", "size"), 2, "invalid choice"),
    ],
)
def test_cli_errors_and_exit_codes(small_library: Newsreader, cli, args, code, message) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    result = cli(*(a.format(aid=aid) for a in args))
    assert result.code == code
    assert message in result.err
    assert Bookmarks(small_library.library).list() == []


def test_bookmark_dataclass_json_round_trip_keys(
    small_library: Newsreader, marks: Bookmarks
) -> None:
    aid = ids(small_library)["Heatwave grips southern Europe"]
    b: Bookmark = marks.add(aid, passage=0, tags=["t"])
    data = b.to_json()
    assert {k: data[k] for k in ("id", "article_id", "passage", "quote", "tags", "url")} == {
        "id": b.id,
        "article_id": aid,
        "passage": 0,
        "quote": b.quote,
        "tags": ["t"],
        "url": "https://example.com/news/heatwave",
    }
