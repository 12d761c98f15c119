"""Where the `newsreader` command finds its library and its config (flags, environment, config,
platform folders), and the demo library a first run builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


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
