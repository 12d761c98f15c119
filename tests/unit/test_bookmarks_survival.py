"""Bookmarks survive: re-anchoring after a re-ingest, a reindex, a deleted index, a removed
article and an interrupted re-anchor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookmark_helpers import ids, missiles, reingest

from index.bookmarks import Bookmarks
from index.config import Settings
from index.core import Newsreader


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
