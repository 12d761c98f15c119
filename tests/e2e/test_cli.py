"""The `newsreader` command line: exit codes, messages, the JSON contract, library and config
location, the demo library, and a folder of hostile files.

Over 400 lines: the command line's contract in one place, each test a real `newsreader` process
on the same fixtures; the commands' own behaviour is tested in unit/."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import index
from index.config import Settings
from index.core import Newsreader

SHARED = Path(__file__).resolve().parents[3] / "shared"
MAKE_HOSTILE = SHARED / "tools" / "make_hostile.py"
# The folder holding the `index` under test, so subprocesses import that same copy.
HERE = Path(index.__file__).resolve().parents[1]

SUMMARY = re.compile(r"^added (\d+), updated (\d+), duplicates (\d+), failed (\d+)")
HIT_KEYS = {"id", "title", "date", "source", "url", "score", "snippet", "passage"}
LIST_KEYS = {"id", "title", "date", "source", "url"}
SHOW_KEYS = {"id", "title", "date", "source", "url", "passages"}
STATS_KEYS = {"articles", "passages", "library_path", "index_path", "index_bytes"}


def summary(out: str) -> tuple[int, int, int, int]:
    lines = [line for line in out.splitlines() if SUMMARY.match(line)]
    assert len(lines) == 1, out
    added, updated, dups, failed = SUMMARY.match(lines[0]).groups()
    return int(added), int(updated), int(dups), int(failed)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "lib"


@pytest.fixture
def nr(run_cli, lib: Path, no_seed_config: Path):
    """`newsreader --library LIB --config NO_SEED ARGS...`"""
    return lambda *args, **kw: run_cli("--library", lib, "--config", no_seed_config, *args, **kw)


@pytest.fixture
def small(nr, tmp_path: Path, small_articles: list[dict], article_files) -> list[dict]:
    """The small articles added to LIB through the CLI."""
    files = article_files(tmp_path / "in", small_articles)
    result = nr("add", *files)
    assert result.code == 0, result.err
    return small_articles


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


# -- where the library and the config are ---------------------------------------------------
def write_config(path: Path, library: Path | None = None, extra: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "library:\n  seed_demo: false\n"
    if library is not None:
        text += f"  path: {json.dumps(str(library))}\n"
    path.write_text(text + extra, "utf-8")
    return path


def library_path(run_cli, *args) -> Path:
    result = run_cli(*args, "stats", "--json")
    assert result.code == 0, result.err
    return Path(result.json()["library_path"])


def test_library_location_precedence(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "config.yaml", tmp_path / "from-config")
    monkeypatch.delenv("NEWSREADER_HOME")
    assert library_path(run_cli, "--config", config) == tmp_path / "from-config"
    monkeypatch.setenv("NEWSREADER_HOME", str(tmp_path / "from-env"))
    assert library_path(run_cli, "--config", config) == tmp_path / "from-env"
    assert (
        library_path(run_cli, "--config", config, "--library", tmp_path / "from-flag")
        == tmp_path / "from-flag"
    )


def test_library_defaults_to_the_platform_data_dir(
    run_cli, isolated_environment: Path, no_seed_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSREADER_HOME")
    where = library_path(run_cli, "--config", no_seed_config)
    assert where.is_relative_to(isolated_environment / "home")
    assert where.name == "newsreader"


def test_config_precedence(
    run_cli, tmp_path: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSREADER_HOME")
    user = isolated_environment / "home" / ".config" / "newsreader" / "config.yaml"
    write_config(user, tmp_path / "user")
    assert library_path(run_cli) == tmp_path / "user"
    env = write_config(tmp_path / "env.yaml", tmp_path / "env")
    monkeypatch.setenv("NEWSREADER_CONFIG", str(env))
    assert library_path(run_cli) == tmp_path / "env"
    flag = write_config(tmp_path / "flag.yaml", tmp_path / "flag")
    assert library_path(run_cli, "--config", flag) == tmp_path / "flag"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("library: [unclosed\n", "line"),
        ("search:\n  limit: 20\n    title_boost: 2\n", "line"),
        ("library:\n  colour: red\n", "library.colour"),
        ("colour: red\n", "colour"),
        ("search:\n  limit: many\n", "search.limit"),
        ("search:\n  limit: -3\n", "search.limit"),
        ("search:\n  fuzzy: perhaps\n", "search.fuzzy"),
        ("library:\n  seed_demo: 1\n", "library.seed_demo"),
        ("library: yes\n", "library"),
        ("keymap:\n  search: [1, 2]\n", "keymap"),
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(
    run_cli, tmp_path: Path, lib: Path, monkeypatch: pytest.MonkeyPatch, text: str, named: str
) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(text, "utf-8")
    for args in (["--config", config], []):
        if not args:
            monkeypatch.setenv("NEWSREADER_CONFIG", str(config))
        result = run_cli("--library", lib, *args, "stats")
        assert result.code == 2
        assert str(config) in result.err and named in result.err
        assert "Traceback" not in result.err
    assert not lib.exists()


def test_missing_config_file_exits_2(run_cli, tmp_path: Path, lib: Path) -> None:
    result = run_cli("--library", lib, "--config", tmp_path / "nope.yaml", "stats")
    assert result.code == 2 and "nope.yaml" in result.err


def test_a_valid_config_is_applied(
    run_cli, tmp_path: Path, lib: Path, small_articles, article_files
) -> None:
    config = write_config(tmp_path / "c.yaml", extra="search:\n  limit: 2\n  fuzzy: false\n")
    run_cli(
        "--library", lib, "--config", config, "add", *article_files(tmp_path / "in", small_articles)
    )
    hits = run_cli("--library", lib, "--config", config, "search", "--json", "said").json()
    assert len(hits) == 2
    assert run_cli("--library", lib, "--config", config, "search", "--json", "palmira").json() == []


# -- the demo library -----------------------------------------------------------------------
def test_demo_library_is_seeded_on_first_use(run_cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    first = run_cli("--library", demo, "stats", "--json")
    assert first.code == 0, first.err
    assert first.json()["articles"] == 294
    assert "demo" in first.err
    assert "Traceback" not in first.err

    again = run_cli("--library", demo, "stats", "--json")
    assert again.json()["articles"] == 294 and "demo" not in again.err

    # The real corpus through the CLI: typo tolerance, and reindex changes no result.
    queries = [
        "palmyra",
        "palmira",
        "syria russia",
        "election",
        '"prime minister"',
        "NOT election",
        "date:2019-06",
        "title:football",
        "footbal",
        "police arrested",
    ]
    stdin = "\n".join(queries) + "\n"
    before = run_cli("--library", demo, "search", "--stdin", "--json", stdin=stdin)
    answers = [json.loads(line) for line in before.out.splitlines()]
    assert [a["query"] for a in answers] == queries
    assert answers[1]["corrected"] == "palmyra"
    assert [h["id"] for h in answers[1]["hits"]] == [h["id"] for h in answers[0]["hits"]]
    assert answers[0]["hits"]
    assert sum(len(a["hits"]) for a in answers) > 50
    assert run_cli("--library", demo, "reindex").code == 0
    after = run_cli("--library", demo, "search", "--stdin", "--json", stdin=stdin)
    assert after.out == before.out


def test_no_demo_when_seeding_is_off(nr) -> None:
    result = nr("stats", "--json")
    assert result.code == 0 and result.json()["articles"] == 0


# -- real processes -------------------------------------------------------------------------
def newsreader(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader.main", *map(str, args)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def test_subprocess_add_and_search(tmp_path: Path, lib: Path, no_seed_config: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Subprocess story\n\nA pangolin crossed the road.\n", "utf-8")
    base = ["--library", lib, "--config", no_seed_config]
    added = newsreader(*base, "add", story)
    assert added.returncode == 0, added.stderr
    assert summary(added.stdout) == (1, 0, 0, 0)
    found = newsreader(*base, "search", "--json", "pangolin")
    assert found.returncode == 0
    assert [h["title"] for h in json.loads(found.stdout)] == ["Subprocess story"]
    usage = newsreader(*base, "search")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_search_stdin_answers_each_query_as_it_comes(
    small, lib: Path, no_seed_config: Path
) -> None:
    """One line in, one line out, before the next query is written (scripts rely on it)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reader.main",
            "--library",
            str(lib),
            "--config",
            str(no_seed_config),
            "search",
            "--stdin",
            "--json",
        ],
        cwd=HERE,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        for query in ("palmyra", "zeppelin", "cricket"):
            proc.stdin.write(query + "\n")
            proc.stdin.flush()
            # Generous guard against a hang, not a speed test.
            answer = json.loads(lines.get(timeout=120))
            assert answer["query"] == query and answer["hits"]
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


# -- hostile input --------------------------------------------------------------------------
@pytest.mark.skipif(not MAKE_HOSTILE.is_file(), reason="../shared/tools/make_hostile.py absent")
def test_hostile_folder(nr, tmp_path: Path, lib: Path, no_seed_settings: Settings) -> None:
    hostile = tmp_path / "hostile"
    subprocess.run(
        [sys.executable, str(MAKE_HOSTILE), str(hostile)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result = nr("add", hostile)
    assert result.code == 1
    assert "Traceback" not in result.err
    added, _, duplicates, failed = summary(result.out)
    failures = [line for line in result.err.splitlines() if line.startswith(str(hostile))]
    assert len(failures) == failed > 0
    failed_files = set()
    for line in failures:
        where, _, reason = line.partition(": ")
        assert reason.strip(), line
        path = re.sub(r"(:\d+|\[\d+\])$", "", where)  # a row is named as FILE:LINE
        assert Path(path).exists(), line
        failed_files.add(Path(path).name)
    assert {
        "binary-v0.txt",
        "empty-v0.txt",
        "blank-v0.md",
        "broken-v0.json",
        "rows-v0.jsonl",
    } <= failed_files

    core = Newsreader.open(lib, no_seed_settings)
    try:
        # Every good article arrived and can be found.
        good = ["ansi", "markup", "latin1", "utf16", "badutf8", "longtitle", "unicode", "duplicate"]
        noperm = hostile / "noperm-v0.txt"
        if os.access(noperm, os.R_OK):  # root reads it anyway
            good.append("noperm")
        else:
            assert "noperm-v0.txt" in failed_files
        for tag in good:
            assert core.search(f'"palmyra {tag} report"', fuzzy=False).hits, tag
        assert len(core.search('"jsonl good"', fuzzy=False).hits) == 3
        for title in ("Feed item about Palmyra", "HTML Palmyra story"):
            assert title in {h.title for h in core.search(f'"{title}"', fuzzy=False).hits}
        # Each file is accounted for: stored, named as failed, or a copy of another.
        origins = {
            re.sub(r"#.*$", "", row[0])
            for row in core.library.query("SELECT origin FROM articles WHERE origin NOT NULL")
        }
        files = {p for p in hostile.iterdir() if p.is_file()}
        unaccounted = {
            p.name for p in files if str(p) not in origins and p.name not in failed_files
        }
        assert unaccounted <= {"dup-a-v0.txt", "dup-b-v0.txt"} and len(unaccounted) <= duplicates
        assert core.stats()["articles"] == added
        # Nothing hostile got through: no control characters, no expanded entities.
        for a in core.list():
            article = core.get(a.id)
            text = article.title + "\n".join(article.paragraphs)
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), a.title
            assert "root:" not in text and "aaaaaaaaaaaaaaaaaaaa" not in text
            assert "alert(" not in text and "color:red" not in text
    finally:
        core.close()


def test_opening_the_reader_builds_no_command_parsers(monkeypatch) -> None:
    """`newsreader [--library L] [--config C]` goes to the reader without building every
    command's parser (which imports their modules before the first frame); anything else
    goes through the full parser."""
    import reader.launch
    import reader.main
    from index import cli

    launched: list = []
    monkeypatch.setattr(reader.launch, "launch", lambda args: launched.append(args) or 0)
    real_build = cli.build_parser
    built: list = []

    def build():
        built.append(1)
        return real_build()

    monkeypatch.setattr(cli, "build_parser", build)
    assert reader.main.main(["--library", "L", "--config", "C"]) == 0
    assert built == [] and (launched[0].library, launched[0].config) == ("L", "C")
    assert reader.main.main([]) == 0 and built == []
    with pytest.raises(SystemExit) as exit_:
        reader.main.main(["--library"])  # a mistake: the full parser explains it
    assert exit_.value.code == 2 and built == [1]
    with pytest.raises(SystemExit):
        reader.main.main(["--version"])
    assert built == [1, 1] and len(launched) == 2
