"""Bookmarks: validation, editing with undo, sorting and tags, re-anchoring after a re-ingest,
and survival of reindex, a deleted index, a removed article and an interrupted re-anchor; plus
the `bookmark` CLI.

Over 400 lines: the bookmark store, its re-anchoring and its CLI share the libraries built at
the top; the export formats are in test_export.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.bookmarks import Bookmark, BookmarkError, Bookmarks, locate, normalize_tags
from index.config import Settings
from index.core import Newsreader


def ids(core: Newsreader) -> dict[str, int]:
    return {a.title: a.id for a in core.list()}


@pytest.fixture
def marks(small_library: Newsreader) -> Bookmarks:
    return Bookmarks(small_library.library)


def missiles(small_articles: list[dict]) -> dict:
    return next(a for a in small_articles if a["url"] == "https://example.com/news/missiles")


def reingest(core: Newsreader, folder: Path, article: dict, article_files) -> None:
    """Add `article` again from a new file: same URL (or same .txt path), new paragraphs."""
    files = article_files(folder, [article])
    report = core.add([str(f) for f in files])
    assert (report.updated, report.failed) == (1, 0), report.summary()


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


# -- survival -------------------------------------------------------------------------------
def test_bookmarks_survive_reindex_and_a_deleted_index(
    small_library: Newsreader, no_seed_settings: Settings
) -> None:
    aid = ids(small_library)["Syrian troops retake Palmyra"]
    marks = Bookmarks(small_library.library)
    before = [marks.add(aid, passage=3, note="zeppelin!", tags=["odd"]), marks.add(aid)]
    small_library.reindex()
    assert marks.list(sort="title") == sorted(before, key=lambda b: b.passage is not None)
    directory = small_library.library.directory
    small_library.close()
    shutil.rmtree(directory / "index")
    core = Newsreader.open(directory, no_seed_settings)
    try:
        assert core.search("zeppelin").hits[0].id == aid  # the index was rebuilt...
        after = Bookmarks(core.library).list(sort="title")
        assert sorted(after, key=lambda b: b.id) == sorted(before, key=lambda b: b.id)
    finally:
        core.close()


def test_reingest_with_moved_paragraphs_reanchors(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict], article_files
) -> None:
    article = missiles(small_articles)
    aid = ids(small_library)[article["title"]]
    marks = Bookmarks(small_library.library)
    passage = marks.add(aid, passage=1, note="sub")  # "The submarine Krasnodar took part..."
    span = marks.add(aid, passage=2, start=18, end=45)  # "also a message to Washington"
    whole = marks.add(aid, note="article")
    assert span.quote == article["paragraphs"][2][18:45] == "launch was also a message t"
    article["paragraphs"] = [
        "A new opening paragraph was added by the editors.",
        article["paragraphs"][2],
        article["paragraphs"][0],
        "Officials said more strikes would follow. " + article["paragraphs"][1],
    ]
    reingest(small_library, tmp_path / "v2", article, article_files)
    assert ids(small_library)[article["title"]] == aid  # same URL, same id
    paragraphs = small_library.get(aid).paragraphs
    # list() reads what is stored (for_article() would also repair): the ingest moved them.
    now = {b.id: b for b in marks.list()}
    assert now[passage.id].passage == 3
    assert now[passage.id].quote in paragraphs[3]
    assert now[span.id].passage == 1
    assert paragraphs[1][now[span.id].start : now[span.id].end] == span.quote
    assert (now[whole.id].passage, now[whole.id].note) == (None, "article")
    assert {b.note for b in now.values()} == {"sub", "", "article"}


def test_reingest_with_edited_text_reanchors_fuzzily(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict], article_files
) -> None:
    article = missiles(small_articles)
    aid = ids(small_library)[article["title"]]
    marks = Bookmarks(small_library.library)
    b = marks.add(aid, passage=0)
    edited = article["paragraphs"][0].replace("four cruise missiles", "four Kalibr cruise missiles")
    article["paragraphs"] = ["Breaking news.", article["paragraphs"][2], edited]
    reingest(small_library, tmp_path / "v2", article, article_files)
    [moved] = marks.list()
    assert (moved.id, moved.passage, moved.quote) == (b.id, 2, edited)


def test_quote_gone_detaches_and_comes_back(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict], article_files
) -> None:
    article = missiles(small_articles)
    original = list(article["paragraphs"])
    aid = ids(small_library)[article["title"]]
    marks = Bookmarks(small_library.library)
    b = marks.add(aid, passage=1, note="keep me")
    article["paragraphs"] = ["Entirely different text now.", "Nothing about submarines."]
    reingest(small_library, tmp_path / "v2", article, article_files)
    [kept] = marks.list()
    assert (kept.id, kept.passage, kept.detached, kept.quote, kept.note) == (
        b.id,
        None,
        True,
        b.quote,
        "keep me",
    )
    article["paragraphs"] = ["A preface."] + original
    reingest(small_library, tmp_path / "v3", article, article_files)
    [back] = marks.list()
    assert (back.passage, back.detached) == (2, False)


def test_txt_file_reingested_in_place_reanchors(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict]
) -> None:
    # A .txt article has no URL: the same file path re-added updates it in place.
    aid = ids(small_library)["Syrian troops retake Palmyra"]
    marks = Bookmarks(small_library.library)
    b = marks.add(aid, passage=3)
    path = tmp_path / "articles" / "palmyra.txt"
    palmyra = small_articles[0]
    body = "\n\n".join([palmyra["paragraphs"][3], *palmyra["paragraphs"][:3]])
    path.write_text(f"{palmyra['title']}\n\n{body}\n", encoding="utf-8")
    assert small_library.add([str(path)]).updated == 1
    assert marks.get(b.id).passage == 0


def test_interrupted_reanchor_heals_on_read(
    small_library: Newsreader,
    tmp_path: Path,
    small_articles: list[dict],
    article_files,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash after the article was re-stored but before its bookmarks moved: the next read
    of the article's bookmarks finds the quote again."""
    import index.bookmarks

    article = missiles(small_articles)
    aid = ids(small_library)[article["title"]]
    marks = Bookmarks(small_library.library)
    b = marks.add(aid, passage=2)
    article["paragraphs"] = [article["paragraphs"][2], article["paragraphs"][0]]

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index.bookmarks, "reanchor", crash)
    with pytest.raises(KeyboardInterrupt):
        small_library.add([str(f) for f in article_files(tmp_path / "v2", [article])])
    monkeypatch.undo()
    assert small_library.get(aid).paragraphs[0] == b.quote  # the article did change
    assert marks.get(b.id).passage == 2  # stale until read through for_article
    assert [x.passage for x in marks.for_article(aid)] == [0]


def test_removed_article_keeps_its_bookmark_until_it_returns(
    small_library: Newsreader, tmp_path: Path, small_articles: list[dict], article_files
) -> None:
    article = missiles(small_articles)
    aid = ids(small_library)[article["title"]]
    marks = Bookmarks(small_library.library)
    b = marks.add(aid, passage=1, note="n")
    assert small_library.library.remove_article(aid)
    [orphan] = marks.list()
    assert (orphan.article_id, orphan.title, orphan.article_url, orphan.note) == (
        None,
        article["title"],
        article["url"],
        "n",
    )
    files = article_files(tmp_path / "again", [article])
    assert small_library.add([str(f) for f in files]).added == 1
    new_id = ids(small_library)[article["title"]]
    [back] = marks.list()
    assert back.article_id == new_id
    assert (back.id, back.passage, back.quote) == (b.id, 1, b.quote)


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
