"""One analysis of an article's body gives exactly the index items Whoosh makes when it analyses
the body and each of its passages on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_helpers import SMALL_ARTICLES, write_articles
from whoosh.fields import TEXT

from index.config import Settings
from index.core import Newsreader
from index.search.indexing.preanalysed import Analysed, AnalysedText, body_and_passages
from index.search.indexing.search_index import SCHEMA
from index.search.text_analysis import analyzer
from index.storage.articles import passage_spans

PLAIN_BODY = TEXT(analyzer=analyzer(), phrase=True)
PLAIN_PASSAGE = TEXT(analyzer=analyzer(), phrase=False)


def _check(paragraphs: list[str]) -> None:
    body = "\n\n".join(paragraphs)
    spans = passage_spans(paragraphs)
    got_body, got_passages = body_and_passages(body, spans, SCHEMA["body"], SCHEMA["ptext"])
    assert sorted(got_body.items) == sorted(PLAIN_BODY.index(body))
    assert len(got_passages) == len(paragraphs)
    for (s, e), got in zip(spans, got_passages, strict=True):
        assert sorted(got.items) == sorted(PLAIN_PASSAGE.index(body[s:e]))
    # The schema's fields index such a value as it is.
    assert list(SCHEMA["body"].index(got_body)) == got_body.items


def test_one_analysis_gives_whooshs_items_for_every_demo_article(
    demo_library: Newsreader,
) -> None:
    checked = 0
    for row in demo_library.library.query("SELECT id FROM articles ORDER BY id"):
        article = demo_library.library.get(row["id"])
        if len(article.paragraphs) > 1:
            _check(article.paragraphs)
            checked += 1
    assert checked > 100


def test_edges_of_paragraphs_numbers_and_stop_words() -> None:
    _check([
        "The end.",
        "a",  # nothing but a stop word
        "3.5 per cent of U.S. oil, said Mr. O'Brien — again and again",
        "Zürich's naïve café; x y z",
        "again",
    ])


def test_an_analysed_value_is_not_analysed_again() -> None:
    items = [(b"palmyra", 2, 2.0, b"x")]
    assert list(SCHEMA["ptext"].index(Analysed(items))) == items
    # Plain text still goes through the analyzer.
    assert [t for t, *_ in SCHEMA["ptext"].index("Palmyra")] == [b"palmyra"]


def test_highlight_spans_are_the_analyzers_own(demo_library: Newsreader) -> None:
    """term_spans tokenizes with a faster form of the analyzer's pattern and memoizes each
    token's term: it must mark exactly the words whose term the analyzer gives."""
    from index.search import text_analysis

    def analyzer_spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
        return [(t.startchar, t.endchar)
                for t in analyzer()(text, chars=True, positions=False) if t.text in wanted]

    tricky = ("İstanbul and the U.S. economy's a*b growth; I x RUNS run-up 3.5.6. e.g. "
              "naïve café ..a..b.. x*.y Straße ΣΊΣΥΦΟΣ")
    texts = [tricky] + [r["body"] for r in demo_library.library.query(
        "SELECT body FROM articles ORDER BY id LIMIT 60")]
    for text in texts:
        words = sorted(set(text_analysis.terms(text)))
        for wanted in (set(words), set(words[::3]), {"run", "u.s", "a*b", "istanbul"}):
            assert text_analysis.term_spans(text, wanted) == analyzer_spans(text, wanted)
    assert text_analysis.term_spans(tricky, {"run"}) == analyzer_spans(tricky, {"run"}) != []



def test_an_index_naming_the_schemas_old_module_opens_as_it_is(
    tmp_path: Path, no_seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexes written before the search package pickled AnalysedText as index.analysed:
    they open, with the same answers, and are not rebuilt."""
    # Written as then: pickle names a class by its __module__.
    monkeypatch.setattr(AnalysedText, "__module__", "index.analysed")
    core = Newsreader.open(tmp_path / "library", no_seed_settings)
    core.add([str(f) for f in write_articles(tmp_path / "articles", SMALL_ARTICLES)])
    expected = [h.id for h in core.search("palmyra").hits]
    core.close()
    monkeypatch.undo()
    index_dir = tmp_path / "library" / "index"
    [toc] = index_dir.glob("*.toc")
    assert b"cindex.analysed\nAnalysedText\n" in toc.read_bytes()
    files = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()}
    messages: list[str] = []
    core = Newsreader.open(tmp_path / "library", no_seed_settings, notify=messages.append)
    try:
        assert expected and [h.id for h in core.search("palmyra").hits] == expected
    finally:
        core.close()
    assert messages == []
    assert {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()} == files
