"""A large index write gives half its articles to a helper process
(index.search.indexing.helper_process): the index it leaves holds what one process writes, term
for term and score for score, in one segment more, and a helper that cannot start or dies
costs time, never documents."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from reliability_helpers import many_articles

from index.config import Settings
from index.core import Newsreader
from index.search.indexing import helper_process
from index.search.indexing.search_index import SearchIndex

QUERIES = ["syria", "russia government", '"prime minister"', "police NOT protest", "title:dispatch"]


def _feed(tmp_path: Path, demo: Newsreader, count: int) -> Path:
    feed = tmp_path / "many.jsonl"
    rows = many_articles(demo, count)
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return feed


def _index_contents(core: Newsreader) -> dict:
    """What the index holds, independent of the order of its documents."""
    with core.index.searcher() as s:
        r = s.reader()
        terms = {(f, t): (r.doc_frequency(f, t), r.frequency(f, t)) for f, t in r.all_terms()}
        lengths = {f: r.field_length(f) for f in s.schema.scorable_names()}
        stored = sorted(
            (int(d["article"]), d.get("n", -1)) for d in s.all_stored_fields()
        )
    results = {}
    for q in QUERIES:
        found = core.search(q, limit=50)
        # Equal scores may come in another order: documents are numbered per segment.
        hits = sorted((-round(h.score, 9), h.id, h.passage) for h in found.hits)
        results[q] = (found.total, hits)
    return {"terms": terms, "lengths": lengths, "stored": stored, "results": results}


def _segments(core: Newsreader) -> int:
    with core.index.searcher() as s:
        return len(s.reader().leaf_readers())


def _add(tmp_path: Path, label: str, settings: Settings, feed: Path) -> dict:
    core = Newsreader.open(tmp_path / label, settings)
    try:
        report = core.add([str(feed)])
        assert not report.failures and report.added > 0
        contents = _index_contents(core)
        segments = _segments(core)
        # A rebuild (reindex) takes the same path.
        core.index.rebuild()
        assert _index_contents(core) == contents
        assert _segments(core) == segments
        return {**contents, "segments": segments}
    finally:
        core.close()


@pytest.fixture
def small_helper_threshold(monkeypatch) -> list:
    """Writes of 100 articles or more use the helper, in batches of 100; the list counts
    helpers started."""
    monkeypatch.setattr(SearchIndex, "HELPER_MIN", 100)
    monkeypatch.setattr(SearchIndex, "BATCH", 100)
    started: list = []
    real = helper_process.IndexHelper

    def counting(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("index.search.indexing.search_index.IndexHelper", counting)
    return started


def test_the_helper_writes_the_index_one_process_writes(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader, small_helper_threshold
) -> None:
    feed = _feed(tmp_path, demo_library, 300)  # three batches of 100: one to the helper
    no_seed_settings.entities.backend = "none"
    contents = {}
    for helped in (False, True):
        no_seed_settings.ingest.index_in_background = helped
        contents[helped] = _add(tmp_path, f"helped-{helped}", no_seed_settings, feed)
    assert small_helper_threshold == [1, 1], "the helper ran for the add and the rebuild"
    assert (contents[False].pop("segments"), contents[True].pop("segments")) == (1, 2)
    assert contents[True]["results"]["syria"][0] > 0
    assert contents[True] == contents[False]


@pytest.mark.parametrize("python", ["/nonexistent/python", "/bin/false"])
def test_a_dead_helper_costs_nothing_but_time(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader,
    small_helper_threshold, monkeypatch, python,
) -> None:
    feed = _feed(tmp_path, demo_library, 300)
    no_seed_settings.entities.backend = "none"
    no_seed_settings.ingest.index_in_background = False
    alone = _add(tmp_path, "alone", no_seed_settings, feed)
    no_seed_settings.ingest.index_in_background = True
    monkeypatch.setattr(sys, "executable", python)
    dead = _add(tmp_path, "dead helper", no_seed_settings, feed)
    if python == "/bin/false":
        assert small_helper_threshold, "a helper was started, and died"
        # Its articles were written here, as a segment of their own.
        assert (alone.pop("segments"), dead.pop("segments")) == (1, 2)
    assert dead == alone


def test_a_hung_helper_is_given_up_and_its_articles_written_here(
    tmp_path: Path, no_seed_settings: Settings, demo_library: Newsreader,
    small_helper_threshold, monkeypatch,
) -> None:
    """A helper that stops reading (hung, not dead) is killed once it has taken no batch off
    its full queue for FINISH_TIMEOUT; this process writes the articles it had."""
    # Twelve batches of 100: six for the helper, more than its queue holds.
    feed = _feed(tmp_path, demo_library, 1200)
    no_seed_settings.entities.backend = "none"
    no_seed_settings.ingest.index_in_background = False
    alone = _add(tmp_path, "alone", no_seed_settings, feed)

    hang = tmp_path / "hang"
    hang.write_text("#!/bin/sh\nexec sleep 600\n", encoding="utf-8")
    hang.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(hang))
    monkeypatch.setattr(helper_process, "FINISH_TIMEOUT", 1.0)
    given_up: list[int] = []
    real_hung = helper_process.IndexHelper._hung

    def hung(self) -> None:
        given_up.append(self._proc.pid)
        real_hung(self)

    monkeypatch.setattr(helper_process.IndexHelper, "_hung", hung)
    no_seed_settings.ingest.index_in_background = True
    result: dict = {}
    # In a thread, so that a write waiting forever on the helper fails the test.
    writing = threading.Thread(
        target=lambda: result.update(_add(tmp_path, "hung helper", no_seed_settings, feed)),
        daemon=True,
    )
    writing.start()
    writing.join(timeout=300)
    assert not writing.is_alive(), "the write waited on a helper that does not read"
    assert len(given_up) == 2, "the add's helper and the rebuild's were given up"
    assert (alone.pop("segments"), result.pop("segments")) == (1, 2)
    assert result == alone
