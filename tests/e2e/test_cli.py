"""The `newsreader` command line: `add`, usage errors and exit codes, `search`, `list`, `show`,
`stats` and `reindex`, and the JSON contract of each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import (
    HIT_KEYS,
    LIST_KEYS,
    SHOW_KEYS,
    STATS_KEYS,
    summary,
)


# -- add ------------------------------------------------------------------------------------
def test_add_reports_a_summary(nr, tmp_path: Path, small_articles, article_files) -> None:
    files = article_files(tmp_path / "in", small_articles)
    first = nr("add", *files)
    assert first.code == 0
    assert summary(first.out) == (len(small_articles), 0, 0, 0)
    assert first.err.count("Traceback") == 0

    again = nr("add", *files)
    assert again.code == 0
    assert summary(again.out) == (0, 0, len(small_articles), 0)

    folder = nr("add", tmp_path / "in")  # a directory is walked
    assert (folder.code, summary(folder.out)) == (0, (0, 0, len(small_articles), 0))


def test_add_with_a_broken_file_keeps_the_good_ones(nr, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Okapi sighted in Congo\n\nRangers filmed a rare okapi.\n", "utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"title": "never closed', "utf-8")
    missing = tmp_path / "missing.txt"
    other = tmp_path / "other.md"
    other.write_text("# Quokka parade\n\nA quokka parade was held in Perth.\n", "utf-8")

    result = nr("add", good, broken, missing, other)
    assert result.code == 1
    assert summary(result.out) == (2, 0, 0, 2)
    failures = [line for line in result.err.splitlines() if line.startswith(str(tmp_path))]
    assert {line.split(": ", 1)[0] for line in failures} == {str(broken), str(missing)}
    assert all(line.split(": ", 1)[1].strip() for line in failures)
    assert "Traceback" not in result.err

    for word, title in (("okapi", "Okapi sighted in Congo"), ("quokka", "Quokka parade")):
        hits = nr("search", "--json", word).json()
        assert [h["title"] for h in hits] == [title]


def test_add_from_stdin(nr) -> None:
    result = nr("add", "-", stdin="Piped story\n\nA narwhal swam past the pier.\n")
    assert (result.code, summary(result.out)) == (0, (1, 0, 0, 0))
    assert [h["title"] for h in nr("search", "--json", "narwhal").json()] == ["Piped story"]


# -- usage errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["--bogus", "stats"],
        ["stats", "--bogus"],
        ["search"],
        ["search", "--json"],
        ["search", "palmyra", "--limit", "0"],
        ["search", "palmyra", "--limit", "many"],
        ["search", "palmyra", "--sort", "colour"],
        ["list", "--sort", "colour"],
        ["show"],
        ["show", "twelve"],
        ["add"],
        ["add", "-", "-"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(nr, lib: Path, args: list[str]) -> None:
    result = nr(*args)
    assert result.code == 2
    assert result.err.strip() and "Traceback" not in result.err
    if args != ["add", "-", "-"]:  # refused before anything is opened
        assert not lib.exists()


# -- search ---------------------------------------------------------------------------------
def test_search_json(nr, small) -> None:
    result = nr("search", "--json", "zeppelin")
    assert result.code == 0
    [hit] = result.json()
    assert set(hit) >= HIT_KEYS
    assert hit["title"] == "Syrian troops retake Palmyra"
    assert hit["passage"] == 3 and "zeppelin" in hit["snippet"]
    assert isinstance(hit["id"], int) and isinstance(hit["score"], int | float)

    hits = nr("search", "--json", "said", "--sort", "date", "--limit", "3").json()
    assert len(hits) == 3
    assert [h["date"][:10] for h in hits[:2]] == ["2017-05-31", "2017-05-01"]
    assert all(set(h) >= HIT_KEYS for h in hits)
    assert nr("search", "--json", "nothingmatchesthis").json() == []


def test_search_text_output(nr, small) -> None:
    result = nr("search", "palmyra")
    assert result.code == 0
    assert "Syrian troops retake Palmyra" in result.out
    assert "\x1b" not in result.out  # no styling when stdout is not a terminal
    typo = nr("search", "palmira")
    assert "Palmyra" in typo.out and "palmyra" in typo.err  # says what it searched instead


def test_search_stdin_json(nr, small) -> None:
    queries = ["palmyra", "", "palmira", '"unbalanced (((', "date:2017 source:reuters"]
    result = nr("search", "--stdin", "--json", stdin="\n".join(queries) + "\n")
    assert result.code == 0
    lines = result.out.splitlines()
    asked = [q for q in queries if q]
    assert len(lines) == len(asked)
    answers = [json.loads(line) for line in lines]
    assert [a["query"] for a in answers] == asked
    for a in answers:
        assert {"query", "hits", "corrected"} <= set(a)
        assert all(set(h) >= HIT_KEYS for h in a["hits"])
    by_query = {a["query"]: a for a in answers}
    assert by_query["palmyra"]["corrected"] is None
    assert by_query["palmira"]["corrected"] == "palmyra"
    assert {h["id"] for h in by_query["palmira"]["hits"]} == {
        h["id"] for h in by_query["palmyra"]["hits"]
    }
    assert {h["title"] for h in by_query["date:2017 source:reuters"]["hits"]} == {
        "Russian warships fire cruise missiles at Syria",
        "Vienna opera ball is cancelled",
    }


# -- list, show, stats, reindex -------------------------------------------------------------
def test_list_json(nr, small) -> None:
    items = nr("list", "--json").json()
    assert len(items) == len(small)
    assert all(set(a) >= LIST_KEYS for a in items)
    dates = [a["date"] for a in items]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[len(dated) :] == [None, None]

    by_title = nr("list", "--json", "--sort", "title").json()
    assert [a["title"] for a in by_title] == sorted((a["title"] for a in small), key=str.lower)
    by_source = [a["source"] for a in nr("list", "--json", "--sort", "source").json()]
    named = [s for s in by_source if s]
    assert named == sorted(named, key=str.lower) and by_source[len(named) :] == [None, None]

    three = nr("list", "--json", "--limit", "3").json()
    assert three == items[:3]
    text = nr("list")
    assert text.code == 0 and len(text.out.splitlines()) == len(small)


def test_show_json(nr, small) -> None:
    [item] = [a for a in nr("list", "--json").json() if a["title"].startswith("Syrian")]
    result = nr("show", "--json", str(item["id"]))
    assert result.code == 0
    data = result.json()
    assert set(data) >= SHOW_KEYS
    assert {k: data[k] for k in LIST_KEYS} == {k: item[k] for k in LIST_KEYS}
    expected = next(a for a in small if a["title"] == item["title"])["paragraphs"]
    assert data["passages"] == [{"n": n, "text": t} for n, t in enumerate(expected)]

    text = nr("show", str(item["id"]))
    assert text.code == 0 and all(p in text.out for p in expected)
    missing = nr("show", "99999")
    assert missing.code == 1 and "99999" in missing.err


def test_stats_json(nr, small, lib: Path) -> None:
    result = nr("stats", "--json")
    assert result.code == 0
    stats = result.json()
    assert set(stats) >= STATS_KEYS
    assert stats["articles"] == len(small)
    assert stats["passages"] == sum(len(a["paragraphs"]) for a in small)
    assert Path(stats["library_path"]) == lib
    assert Path(stats["index_path"]).is_relative_to(lib)
    assert stats["index_bytes"] > 0
    assert nr("stats").code == 0


def test_reindex(nr, small) -> None:
    queries = "palmyra\nsaid\nNOT palmyra\ndate:2017\n"
    before = nr("search", "--stdin", "--json", stdin=queries).out
    result = nr("reindex")
    assert result.code == 0
    assert str(len(small)) in result.out
    assert nr("search", "--stdin", "--json", stdin=queries).out == before
