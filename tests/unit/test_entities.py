"""Entities: the built-in extractor on the seed article, one entity under many names, mentions
stored with passage offsets, re-extraction, the person:/org:/place:/entity: filters, the
`entities` command, and the optional spaCy backend.

Over 400 lines: the extractor, the store and the filters are checked on the same seed article
and libraries; the rules' own cases are in test_entity_rules.py, test_entity_context.py and
test_entity_recall.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reliability_helpers import many_articles

from index.config import Settings
from index.core import Newsreader, demo_files
from index.entities import BuiltinExtractor, make_extractor
from index.entities.base import MISC, ORG, PERSON, PLACE, Span
from index.entities.canon import display, group
from index.entities.names import name_key
from index.entities.store import META_KEY, TITLE, stale

SEED = next(p for p in demo_files() if p.name.startswith("000_"))


@pytest.fixture(scope="module")
def extractor() -> BuiltinExtractor:
    return BuiltinExtractor()


@pytest.fixture
def library(tmp_path: Path, no_seed_settings: Settings):
    """An empty library; `add(name, title, *paragraphs)` ingests one .txt article, returns id."""
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    folder = tmp_path / "in"
    folder.mkdir()

    def add(name: str, title: str, *paragraphs: str) -> int:
        path = folder / f"{name}.txt"
        path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        report = core.add([str(path)])
        assert not report.failures, report.failures
        return core.library.query("SELECT id FROM articles WHERE origin LIKE ?", (f"%{name}.txt",))[
            0
        ][0]

    core.add_text = add  # type: ignore[attr-defined]
    yield core
    core.close()


@pytest.fixture
def seeded(library: Newsreader) -> tuple[Newsreader, int]:
    report = library.add([str(SEED)])
    assert report.added == 1
    return library, library.library.query("SELECT id FROM articles")[0][0]


def spans_of(extractor, text: str) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in extractor.extract(text)}


# -- the extractor -------------------------------------------------------------------------------
def test_seed_article_names(extractor):
    found = spans_of(extractor, SEED.read_text("utf-8"))
    for expected in [
        ("Bashar Assad", PERSON),
        ("Palmyra", PLACE),
        ("Moscow", PLACE),
        ("Damascus", PLACE),
        ("Syria", PLACE),
        ("ISIS", ORG),
    ]:
        assert expected in found
    # The all-caps dateline, a possessive and nationalities.
    assert ("MOSCOW", PLACE) in found
    assert ("Syrian", MISC) in found
    assert not any(text.endswith("'s") for text, _ in found)
    # Sentence-initial ordinary words are not names.
    assert not any(text in ("Fighting", "Earlier", "There", "The") for text, _ in found)


def test_spans_are_exact_slices(extractor):
    text = SEED.read_text("utf-8")
    for s in extractor.extract(text):
        assert text[s.start : s.end] == s.text
        assert s.label in (PERSON, ORG, PLACE, MISC)


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("The deal was signed by Prime Minister Theresa May on Monday.", "Theresa May", PERSON),
        ("He studied at the University of Helsinki for two years.", "University of Helsinki", ORG),
        ("Police in Evanston, Illinois said the road was closed.", "Evanston", PLACE),
        ("Officials at Microsoft Corp. declined to comment.", "Microsoft Corp.", ORG),
        ("A ship sank in the Gulf of Mexico overnight.", "Gulf of Mexico", PLACE),
        ("The talks were led by Secretary of State Mike Pompeo.", "Mike Pompeo", PERSON),
        ("The film starred Jean-Claude Van Damme and others.", "Jean-Claude Van Damme", PERSON),
        ("BEIRUT, Lebanon (AP) — Fighting resumed overnight.", "BEIRUT", PLACE),
        ("Supporters of al-Qaeda claimed the attack.", "al-Qaeda", ORG),
    ],
)
def test_news_conventions(extractor, text, name, label):
    assert (name, label) in spans_of(extractor, text)


def test_common_words_and_shouting_are_not_names(extractor):
    assert spans_of(extractor, "However, officials said. Meanwhile nothing happened.") == set()
    assert spans_of(extractor, "") == set()


def test_unusual_text_never_breaks_it(extractor):
    for text in [
        "((((",
        "A" * 5000,
        "Dr.",
        "al-",
        "U.S.A.B.C.D.",
        "\n\n\n",
        "Ünal Öz said",
        "[/bold] [link=x]",
        "The The The",
        "O'",
        "x " * 2000,
    ]:
        for s in extractor.extract(text):
            assert text[s.start : s.end] == s.text


# -- one entity, many names -----------------------------------------------------------------------
def test_surname_after_full_name_is_that_person(extractor):
    text = "Syrian President Bashar Assad met envoys. Later, Assad said the war was over."
    groups = group(text, extractor.extract(text))
    person = [g for g in groups if g.label == PERSON]
    assert len(person) == 1
    assert person[0].canonical == "Bashar Assad"
    assert len(person[0].members) == 2


def test_case_variants_and_aliases_in_one_article():
    text = "MOSCOW -- Moscow said. The U.S. and the United States and the US agreed."
    spans = []
    for name in ("MOSCOW", "Moscow", "U.S.", "United States", " US"):
        start = text.index(name) + (1 if name.startswith(" ") else 0)
        spans.append(Span(start, start + len(name.strip()), name.strip(), PLACE))
    groups = {g.canonical: len(g.members) for g in group(text, spans)}
    assert groups == {"Moscow": 2, "United States": 3}


def test_acronym_defined_in_text(extractor):
    text = (
        "The Syrian Observatory for Human Rights (SOHR) counted the dead. "
        "SOHR said the toll was rising."
    )
    groups = [g for g in group(text, extractor.extract(text)) if g.label == ORG]
    assert len(groups) == 1
    assert groups[0].canonical == "Syrian Observatory for Human Rights"
    assert len(groups[0].members) == 3
    assert {"sohr", "syrian observatory for human rights"} <= groups[0].keys


def test_name_keys():
    assert (
        name_key("U.S.")
        == name_key("US")
        == name_key("the United States")
        == name_key("USA")
        == "united states"
    )
    assert name_key("MOSCOW") == name_key("Moscow's") == "moscow"
    assert name_key("U.K.") == name_key("Britain") == "united kingdom"
    assert display("MOSCOW") == "Moscow"
    assert display("the Kremlin's") == "Kremlin"
    assert display("NATO") == "NATO"


def test_one_entity_across_the_library(library):
    a = library.add_text(
        "a",
        "Dateline",
        "MOSCOW -- The Kremlin said talks with the U.S. "
        "would resume. The Syrian Observatory for Human Rights (SOHR) agreed.",
    )
    b = library.add_text(
        "b", "Later", "Officials in Moscow and the United States disagreed, SOHR said on Tuesday."
    )

    def entity(article: int, canonical: str) -> int:
        ids = {m.entity_id for m in library.entities_for(article) if m.canonical == canonical}
        assert len(ids) == 1, (canonical, library.entities_for(article))
        return ids.pop()

    assert entity(a, "Moscow") == entity(b, "Moscow")
    assert entity(a, "United States") == entity(b, "United States")
    # "SOHR" alone in b links to the organisation a spelled out.
    sohr = [m for m in library.entities_for(b) if m.text == "SOHR"]
    assert sohr and sohr[0].canonical == "Syrian Observatory for Human Rights"
    assert sohr[0].entity_id == entity(a, "Syrian Observatory for Human Rights")


# -- storage ---------------------------------------------------------------------------------------
def test_mentions_have_passage_offsets(seeded):
    core, article_id = seeded
    article = core.get(article_id)
    mentions = core.entities_for(article_id)
    assert len(mentions) > 20
    assert {m.passage for m in mentions} > {0, 1}
    for m in mentions:
        where = article.title if m.passage == TITLE else article.paragraphs[m.passage]
        assert where[m.start : m.end] == m.text
    assert ("Bashar Assad", PERSON) in {(m.canonical, m.label) for m in mentions}
    assert [m for m in mentions if m.text == "Assad"][0].canonical == "Bashar Assad"


def test_names_in_the_title_are_the_articles_too(library):
    a = library.add_text(
        "t", "Angela Merkel meets Emmanuel Macron in Lyon", "The two leaders spoke for an hour."
    )
    mentions = library.entities_for(a)
    assert {(m.text, m.label, m.part) for m in mentions} == {
        ("Angela Merkel", PERSON, "title"),
        ("Emmanuel Macron", PERSON, "title"),
        ("Lyon", PLACE, "title"),
    }
    title = library.get(a).title
    assert all(title[m.start : m.end] == m.text and m.passage == TITLE for m in mentions)
    assert library.search('person:"Angela Merkel"', fuzzy=False).total == 1


def test_title_and_body_are_read_together(library):
    # "Bos" alone is nobody; after "Nick Bos" in the title it is that person, and the other
    # way round.
    a = library.add_text("t", "Biologist Nick Bos tells of ants", "Bos studies ants in Helsinki.")
    b = library.add_text("t2", "Interview with Bos", "Nick Bos studies ants in Helsinki.")
    for article_id in (a, b):
        named = {(m.part, m.text): m.canonical for m in library.entities_for(article_id)}
        assert "Nick Bos" in named.values()
        assert {k: v for k, v in named.items() if k[1] == "Bos"} != {}
        assert all(v == "Nick Bos" for k, v in named.items() if k[1] in ("Bos", "Nick Bos"))


def test_a_title_case_headline_is_read_by_its_names_not_its_capitals(library):
    a = library.add_text(
        "tc", "Fire Crews Rescue Workers Near Lyon After Storm", "The storm hit Lyon at night."
    )
    title_names = {m.text for m in library.entities_for(a) if m.part == "title"}
    assert title_names == {"Lyon"}


def test_entity_counts(seeded):
    core, article_id = seeded
    counts = {(c.canonical, c.label): c.count for c in core.entity_counts(article_id)}
    mentions = core.entities_for(article_id)
    assert counts[("Palmyra", PLACE)] == sum(m.canonical == "Palmyra" for m in mentions)
    assert counts[("Bashar Assad", PERSON)] == 3  # "Bashar Assad's" and "Assad" twice
    assert counts[("Moscow", PLACE)] == 3  # the MOSCOW dateline and Moscow twice


def test_updated_article_replaces_its_mentions(library, tmp_path):
    first = library.add_text("u", "Story", "Angela Merkel visited Paris.")
    assert {m.canonical for m in library.entities_for(first)} == {"Angela Merkel", "Paris"}
    again = library.add_text("u", "Story", "Emmanuel Macron visited Berlin.")
    assert again == first
    assert {m.canonical for m in library.entities_for(first)} == {"Emmanuel Macron", "Berlin"}


def test_backend_none_stores_nothing(tmp_path, no_seed_settings):
    no_seed_settings.entities.backend = "none"
    core = Newsreader.open(tmp_path / "lib", no_seed_settings)
    try:
        core.add([str(SEED)])
        assert core.library.query("SELECT COUNT(*) FROM mentions")[0][0] == 0
    finally:
        core.close()


def test_reindex_entities_extracts_again(seeded, run_cli, tmp_path, no_seed_config):
    core, article_id = seeded
    before = [(m.passage, m.start, m.text) for m in core.entities_for(article_id)]
    lib = core.library
    # As if an older extractor had made them: one mention left, another version recorded.
    with lib.transaction() as db:
        db.execute("DELETE FROM mentions WHERE rowid NOT IN (SELECT MIN(rowid) FROM mentions)")
        db.execute("UPDATE meta SET value = 'builtin 0+old' WHERE key = ?", (META_KEY,))
    assert stale(lib, core.extractor())
    where = lib.directory
    core.close()
    result = run_cli("--library", where, "--config", no_seed_config, "reindex", "--entities")
    assert result.code == 0, result.err
    assert "found the entities of 1 articles again" in result.out
    reopened = Newsreader.open(where, Settings())
    try:
        after = [(m.passage, m.start, m.text) for m in reopened.entities_for(article_id)]
        assert after == before
        assert not stale(reopened.library, reopened.extractor())
        assert reopened.search('person:"Bashar Assad"').total == 1
    finally:
        reopened.close()


# -- search filters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        'person:"Bashar Assad"',
        "person:Assad",
        "place:Moscow",
        "place:MOSCOW",
        "org:ISIS",
        'org:"Islamic State"',
        "place:US",
        "place:U.S.",
        'place:"United States"',
        "entity:Palmyra",
        "entity:palmyra missiles",
    ],
)
def test_entity_filters_find_the_seed_article(seeded, query):
    core, article_id = seeded
    result = core.search(query, fuzzy=False)
    assert [h.id for h in result.hits] == [article_id]


@pytest.mark.parametrize(
    "query",
    [
        "person:Moscow",
        "place:ISIS",
        'person:"Vladimir Putin"',
        "org:Palmyra",
    ],
)
def test_entity_filters_respect_the_type(seeded, query):
    core, _ = seeded
    assert core.search(query, fuzzy=False).total == 0


def test_entity_filter_combines_with_words(library):
    a = library.add_text("a", "One", "Vladimir Putin spoke in Moscow about grain.")
    library.add_text("b", "Two", "Officials in Moscow spoke about oil.")
    assert [h.id for h in library.search("place:Moscow grain", fuzzy=False).hits] == [a]
    assert library.search("place:Moscow", fuzzy=False).total == 2
    assert [h.id for h in library.search('person:"Vladimir Putin"', fuzzy=False).hits] == [a]


# -- the command line ------------------------------------------------------------------------------
def test_entities_command_json(seeded, run_cli, no_seed_config):
    core, article_id = seeded
    where = core.library.directory
    result = run_cli(
        "--library", where, "--config", no_seed_config, "entities", str(article_id), "--json"
    )
    assert result.code == 0, result.err
    data = result.json()
    article = core.get(article_id)
    assert data and all(
        set(d) == {"text", "label", "start", "end", "part", "passage", "canonical"} for d in data
    )
    for d in data:
        if d["part"] == "title":
            assert d["passage"] is None
            assert article.title[d["start"] : d["end"]] == d["text"]
        else:
            assert d["part"] == "body"
            assert article.paragraphs[d["passage"]][d["start"] : d["end"]] == d["text"]
    assert {d["part"] for d in data} == {"title", "body"}
    assert {"text": "ISIS", "label": "ORG"}.items() <= next(
        d for d in data if d["text"] == "ISIS"
    ).items()


def test_entities_command_human(seeded, run_cli, no_seed_config):
    core, article_id = seeded
    result = run_cli(
        "--library", core.library.directory, "--config", no_seed_config, "entities", str(article_id)
    )
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("People (")
    assert "Places (" in result.out and "Organisations (" in result.out
    assert any(line.split() == ["3", "Bashar", "Assad"] for line in lines)


def test_entities_command_unknown_article(seeded, run_cli, no_seed_config):
    core, _ = seeded
    result = run_cli(
        "--library", core.library.directory, "--config", no_seed_config, "entities", "999"
    )
    assert result.code == 1
    assert "no article with id 999" in result.err


# -- backends --------------------------------------------------------------------------------------
def test_missing_spacy_model_falls_back_with_a_message():
    messages: list[str] = []
    chosen = make_extractor("spacy", "no_such_pipeline_xyz", messages.append)
    assert isinstance(chosen, BuiltinExtractor)
    assert len(messages) == 1
    assert "using the built-in extractor" in messages[0]
    assert "spaCy" in messages[0]


def test_unknown_backend_falls_back_with_a_message():
    messages: list[str] = []
    assert isinstance(make_extractor("nltk", "x", messages.append), BuiltinExtractor)
    assert "unknown backend 'nltk'" in messages[0]


def _spacy_model() -> str:
    spacy = pytest.importorskip("spacy")
    for name in (os.environ.get("NEWSREADER_TEST_SPACY_MODEL"), "en_core_web_sm"):
        if name and spacy.util.is_package(name):
            return name
    pytest.skip("no spaCy English pipeline installed (set NEWSREADER_TEST_SPACY_MODEL)")


def test_spacy_backend(tmp_path, no_seed_settings):
    model = _spacy_model()
    no_seed_settings.entities.backend = "spacy"
    no_seed_settings.entities.spacy_model = model
    messages: list[str] = []
    core = Newsreader.open(tmp_path / "lib", no_seed_settings, notify=messages.append)
    try:
        assert core.extractor().name == "spacy"
        core.add([str(SEED)])
        assert not [m for m in messages if "entities:" in m]
        article_id = core.library.query("SELECT id FROM articles")[0][0]
        paragraphs = core.get(article_id).paragraphs
        mentions = core.entities_for(article_id)
        assert {m.label for m in mentions} <= {PERSON, ORG, PLACE, MISC}
        for m in mentions:
            assert paragraphs[m.passage][m.start : m.end] == m.text
        canonical = {(m.canonical, m.label) for m in mentions}
        assert ("Moscow", PLACE) in canonical and ("Syria", PLACE) in canonical
        assert core.library.meta(META_KEY).startswith("spacy ")
    finally:
        core.close()


def test_broken_gazetteer_keeps_ingest_working(tmp_path, no_seed_settings, monkeypatch):
    from index.entities import gazetteer

    broken = tmp_path / "gazetteer.tsv.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr(gazetteer, "DATA", broken)
    gazetteer.forget()
    messages: list[str] = []
    core = Newsreader.open(tmp_path / "lib", no_seed_settings, notify=messages.append)
    try:
        report = core.add([str(SEED)])
        assert report.added == 1
        assert core.search("Palmyra").total == 1
        assert core.library.query("SELECT COUNT(*) FROM mentions")[0][0] == 0
        assert any("cannot read the entity gazetteer" in m for m in messages)
    finally:
        core.close()
        gazetteer.forget()


# -- a large add: names found in a worker process --------------------------------------------
def _mention_rows(core: Newsreader) -> list[tuple]:
    return [
        tuple(r)
        for r in core.library.query(
            "SELECT a.url, m.passage, m.start, m.end, m.text, e.canonical, e.label"
            " FROM mentions m JOIN articles a ON a.id = m.article_id"
            " JOIN entities e ON e.id = m.entity_id ORDER BY 1, 2, 3, 4"
        )
    ]


def test_background_extraction_finds_what_in_process_extraction_finds(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader, monkeypatch
) -> None:
    import json

    from index.entities import background

    rows = many_articles(demo_library, 2300)  # three batches: the worker takes part
    feed = tmp_path / "many.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    started = []
    real = background.BackgroundExtraction

    def counting(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(background, "BackgroundExtraction", counting)
    found = {}
    for in_background in (True, False):
        no_seed_settings.ingest.extract_in_background = in_background
        core = Newsreader.open(tmp_path / f"lib-{in_background}", no_seed_settings)
        try:
            report = core.add([str(feed)])
            assert report.added == len(rows) and not report.failures
            found[in_background] = _mention_rows(core)
            assert core.search('person:"Bashar Assad"').total > 0
        finally:
            core.close()
    assert started == [1], "the worker ran for the first add only"
    assert found[True] and found[True] == found[False]


@pytest.mark.parametrize("python", ["/nonexistent/python", "/bin/false"])
def test_a_dead_worker_costs_nothing_but_time(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader, monkeypatch, python
) -> None:
    """The worker cannot start, or exits at once: every article still gets its entities."""
    import json
    import sys

    from index.entities import background

    rows = many_articles(demo_library, 1500)
    feed = tmp_path / "many.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    found = {}
    for label in ("in-process", "dead worker"):
        no_seed_settings.ingest.extract_in_background = label == "dead worker"
        if label == "dead worker":
            monkeypatch.setattr(sys, "executable", python)
        core = Newsreader.open(tmp_path / label, no_seed_settings)
        try:
            report = core.add([str(feed)])
            assert report.added == len(rows) and not report.failures
            found[label] = _mention_rows(core)
        finally:
            core.close()
    assert found["in-process"] and found["dead worker"] == found["in-process"]
    assert background  # imported: the module under test


def test_a_headline_in_capitals_names_what_the_body_names(library):
    a = library.add_text(
        "caps", "BAHIA COCOA REVIEW: PCT UP IN SALVADOR", "Rain fell in Bahia. Salvador is dry."
    )
    title = {(m.text, m.label) for m in library.entities_for(a) if m.part == "title"}
    assert title == {("BAHIA", PLACE), ("SALVADOR", PLACE)}


def test_a_surname_never_joins_two_full_names_across_the_library(library):
    """A lone surname joins a full name only inside its article: "Johnson" in a story about
    Brad Johnson must not make him the Randy Johnson of another story."""
    a = library.add_text("a", "Pitching", "Randy Johnson pitched seven innings. Johnson said so.")
    b = library.add_text("b", "Passing", "Brad Johnson threw for 300 yards. Johnson was pleased.")
    c = library.add_text("c", "Notes", "On Tuesday, Johnson said he was fine.")

    def people(article: int) -> dict[str, int]:
        return {m.text: m.entity_id for m in library.entities_for(article) if m.label == PERSON}

    pa, pb, pc = people(a), people(b), people(c)
    assert pa["Randy Johnson"] == pa["Johnson"]
    assert pb["Brad Johnson"] == pb["Johnson"]
    assert pa["Randy Johnson"] != pb["Brad Johnson"]
    # a surname alone may still link to one person named elsewhere
    assert pc["Johnson"] in (pa["Randy Johnson"], pb["Brad Johnson"])
