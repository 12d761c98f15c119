"""Subscriptions and refresh in the core, over real HTTP from a server on 127.0.0.1.

Over 400 lines: every test runs against the same feed server on 127.0.0.1 and its scripted
responses (the fixtures at the top)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feed_server import FeedServer, atom, rdf, rss

from index.config import Settings
from index.core import Newsreader
from index.feeds import FeedError
from index.feeds.refresh import Refresher
from index.ingest.feeds import opml_subscriptions

LAST_MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"


@pytest.fixture
def settings(no_seed_settings: Settings) -> Settings:
    no_seed_settings.ingest.url_timeout = 1.0
    return no_seed_settings


@pytest.fixture
def core(tmp_path: Path, settings: Settings) -> Iterator[Newsreader]:
    core = Newsreader.open(tmp_path / "library", settings)
    yield core
    core.close()


def items(prefix: str, n: int, start: int = 0) -> list[dict]:
    return [
        {
            "title": f"{prefix} story {i}",
            "link": f"http://news.test/{prefix}/{i}",
            "guid": f"{prefix}-{i}",
            "description": f"<p>Paragraph one of {prefix} {i} about zanzibar{i}.</p>"
            f"<p>Paragraph two of {prefix} {i}.</p>",
            "date": "Mon, 01 May 2017 10:00:00 GMT",
        }
        for i in range(start, start + n)
    ]


def titles(core: Newsreader) -> list[str]:
    return sorted(a.title for a in core.list())


def subscribe(core: Newsreader, *urls: str, **kw):
    report = core.feeds.subscribe(list(urls), **kw)
    assert not report.failures, report.failures
    return report


# -- shapes -----------------------------------------------------------------------------------
def test_rss_atom_and_rdf_feeds_arrive_with_dates_links_and_paragraphs(
    core: Newsreader, feed_server: FeedServer
) -> None:
    a = feed_server.serve("/rss.xml", rss(items("r", 2), title="Rss Wire"))
    b = feed_server.serve(
        "/atom.xml",
        atom(
            [
                {"id": "urn:a1", "title": "Atom one", "link": "stories/1.html",
                 "html": "<p>First <b>bold</b> paragraph.</p><p>Second paragraph.</p>"},
            ],
        ),
        content_type="application/atom+xml",
    )
    c = feed_server.serve(
        "/rdf.xml",
        rdf([{"title": "Rdf one", "link": "http://rdf.test/1", "text": "An RDF item.",
              "date": "2019-04-02T08:00:00Z"}]),
        content_type="application/rdf+xml",
    )
    report = subscribe(core, a, b, c)
    result = core.feeds.refresh(prefetched=report.fetched)
    assert result.failed == 0 and result.added == 4
    assert titles(core) == ["Atom one", "Rdf one", "r story 0", "r story 1"]
    by_title = {s.title: s for s in core.list()}
    atom_article = core.get(by_title["Atom one"].id)
    assert atom_article is not None
    # A relative link is resolved against the feed's own URL.
    assert atom_article.url == feed_server.url("/stories/1.html")
    assert atom_article.paragraphs == ["First bold paragraph.", "Second paragraph."]
    assert core.get(by_title["Rdf one"].id).date.startswith("2019-04-02")
    rss_article = core.get(by_title["r story 0"].id)
    assert rss_article.source == "Rss Wire" and rss_article.date.startswith("2017-05-01")
    # Searchable at once: the index caught up at the end of the refresh.
    assert [h.title for h in core.search("zanzibar1").hits] == ["r story 1"]
    feeds = {f.url: f for f in core.feeds.list()}
    assert feeds[a].title == "Rss Wire" and feeds[a].articles == 2 and feeds[a].unread == 2
    assert feeds[b].title == "Atom Wire"


def test_odd_encodings_missing_dates_and_guids(core: Newsreader, feed_server: FeedServer) -> None:
    latin = rss(
        [{"title": "Caf\u00e9 cr\u00e8me in Z\u00fcrich", "description": "D\u00e9j\u00e0 vu."}],
        encoding="iso-8859-1",
    ).encode("iso-8859-1")
    url = feed_server.serve("/latin.xml", latin, content_type="application/rss+xml")
    cp = rss([{"title": "Smart \u201cquotes\u201d", "link": "/q"}], encoding="windows-1252")
    url2 = feed_server.serve("/cp.xml", cp.encode("cp1252"), content_type="text/xml")
    subscribe(core, url, url2)
    result = core.feeds.refresh()
    assert result.failed == 0 and result.added == 2
    assert titles(core) == ["Caf\u00e9 cr\u00e8me in Z\u00fcrich", "Smart \u201cquotes\u201d"]
    undated = core.list()[0]
    assert undated.date is None
    # No guid and no link: known again by content, so a second refresh adds nothing.
    feed_server.serve("/latin.xml", latin + b"\n")  # changed bytes, same entries
    again = core.feeds.refresh()
    assert again.added == 0 and again.updated == 0 and core.library.count() == 2


# -- conditional GET ----------------------------------------------------------------------
def test_unchanged_feed_costs_a_304(core: Newsreader, feed_server: FeedServer) -> None:
    url = feed_server.serve("/f.xml", rss(items("e", 3)), etag='"v1"', last_modified=LAST_MODIFIED)
    subscribe(core, url, fetch=False)
    first = core.feeds.refresh()
    assert first.added == 3
    second = core.feeds.refresh()
    assert [o.status for o in second.outcomes] == ["not_modified"]
    assert second.added == 0 and second.updated == 0
    sent = feed_server.hits("/f.xml")[-1].headers
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in feed_server.hits("/f.xml")[0].headers
    # A new version is fetched in full and stored.
    feed_server.serve("/f.xml", rss(items("e", 4)), etag='"v2"')
    third = core.feeds.refresh()
    assert third.added == 1 and third.outcomes[0].unchanged == 3


def test_last_modified_alone_is_used(core: Newsreader, feed_server: FeedServer) -> None:
    url = feed_server.serve("/lm.xml", rss(items("m", 1)), last_modified=LAST_MODIFIED)
    subscribe(core, url, fetch=False)
    core.feeds.refresh()
    assert core.feeds.refresh().outcomes[0].status == "not_modified"
    assert feed_server.hits("/lm.xml")[-1].headers["if-modified-since"] == LAST_MODIFIED


# -- dedupe and updates -------------------------------------------------------------------
def test_changed_entry_updates_its_article_and_bookmark_follows(
    core: Newsreader, feed_server: FeedServer
) -> None:
    entry = {
        "title": "Talks resume", "guid": "t-1", "link": "http://news.test/talks",
        "description": "<p>Delegates met in Geneva.</p><p>The envoy spoke of progress.</p>",
    }
    url = feed_server.serve("/t.xml", rss([entry]))
    subscribe(core, url, fetch=False)
    core.feeds.refresh()
    [article] = core.list()
    bookmark = core.bookmarks.add(article.id, passage=1, note="progress?")
    # The publisher inserts a paragraph and moves the story to a new URL: same guid.
    entry.update(
        link="http://news.test/talks-v2",
        description="<p>Breaking.</p><p>Delegates met in Geneva.</p>"
        "<p>The envoy spoke of progress.</p>",
    )
    feed_server.serve("/t.xml", rss([entry]))
    result = core.feeds.refresh()
    assert result.updated == 1 and result.added == 0
    [again] = core.list()
    assert again.id == article.id and again.url == "http://news.test/talks-v2"
    moved = core.bookmarks.get(bookmark.id)
    assert moved.passage == 2 and moved.quote == "The envoy spoke of progress."


def test_entries_without_guid_are_matched_by_url_and_order_does_not_matter(
    core: Newsreader, feed_server: FeedServer
) -> None:
    entries = [dict(e) for e in items("u", 3)]
    for e in entries:
        del e["guid"]
    url = feed_server.serve("/u.xml", rss(entries))
    subscribe(core, url, fetch=False)
    core.feeds.refresh()
    ids = {a.url: a.id for a in core.list()}
    # A new entry on top, the oldest dropped, one edited: nothing is duplicated or lost.
    newer = [{"title": "u story new", "link": "http://news.test/u/new", "description": "N."}]
    entries[1]["description"] = "<p>Rewritten.</p>"
    feed_server.serve("/u.xml", rss(newer + entries[1:]))
    result = core.feeds.refresh()
    assert (result.added, result.updated) == (1, 1)
    after = {a.url: a.id for a in core.list()}
    assert len(after) == 4 and all(after[u] == i for u, i in ids.items())


def test_a_story_in_two_feeds_is_stored_once_and_counted_in_both(
    core: Newsreader, feed_server: FeedServer
) -> None:
    shared = items("s", 1)
    a = feed_server.serve("/a.xml", rss(shared + items("a", 1), title="A"))
    b = feed_server.serve("/b.xml", rss([dict(shared[0], guid="other-guid")], title="B"))
    subscribe(core, a, b, fetch=False)
    result = core.feeds.refresh()
    assert result.added == 2 and core.library.count() == 2
    counts = {f.title: f.articles for f in core.feeds.list()}
    assert counts == {"A": 2, "B": 1}


# -- failures -----------------------------------------------------------------------------
def test_broken_feeds_are_named_with_reasons_and_the_good_ones_arrive(
    core: Newsreader, feed_server: FeedServer, settings: Settings
) -> None:
    good = feed_server.serve("/good.xml", rss(items("g", 2)))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<rss><channel><title>&b;</title></channel></rss>"
    )
    broken = {
        "/missing.xml": None,
        "/error.xml": feed_server.serve("/error.xml", "oops", status=500),
        "/page.html": feed_server.serve("/page.html", "<html><body>hi</body></html>",
                                        content_type="text/html"),
        "/bomb.xml": feed_server.serve("/bomb.xml", bomb),
        "/slow.xml": feed_server.serve("/slow.xml", rss(items("x", 1))),
        "/cut.xml": feed_server.serve("/cut.xml", "<rss><channel><title>T</title><item><ti"),
        "/big.xml": feed_server.serve("/big.xml", rss(items("big", 1)) + " " * 3000),
        "/to-file": feed_server.serve("/to-file", "", status=302, location="file:///etc/passwd"),
        "/loop": feed_server.serve("/loop", "", status=302, location="/loop"),
    }
    moved = feed_server.serve("/moved.xml", "", status=301, location="/new/home.xml")
    feed_server.serve("/new/home.xml", rss(items("m", 1)))
    settings.ingest.url_max_bytes = 2048
    # The slow feed never answers; the others have time to, however busy the machine.
    feed_server.hold("/slow.xml")
    settings.ingest.url_timeout = 5.0
    urls = [feed_server.url(p) for p in broken]
    subscribe(core, good, moved, *urls, fetch=False)
    result = core.feeds.refresh()
    errors = {o.feed.url: o.error for o in result.outcomes if o.failed}
    reasons = {p: errors.get(feed_server.url(p)) for p in broken}
    assert reasons["/missing.xml"] == "HTTP 404 Not Found"
    assert reasons["/error.xml"] == "HTTP 500 Internal Server Error"
    assert reasons["/page.html"] == "not an RSS or Atom feed (a web page)"
    assert reasons["/bomb.xml"].startswith("refused: XML entity declarations")
    assert reasons["/slow.xml"] == "timed out after 5 s"
    assert reasons["/cut.xml"].startswith("not a valid feed")
    assert reasons["/big.xml"].startswith("response too large")
    assert reasons["/to-file"] == "redirect to unsupported URL scheme: file"
    assert reasons["/loop"].startswith("too many redirects")
    assert result.failed == len(broken) and result.added == 3
    assert titles(core) == ["g story 0", "g story 1", "m story 0"]  # a redirect is followed
    listed = {f.url: f for f in core.feeds.list()}
    assert listed[feed_server.url("/error.xml")].last_error == "HTTP 500 Internal Server Error"
    assert listed[good].last_error is None


def test_a_failing_feed_backs_off_under_due_and_recovers(
    core: Newsreader, feed_server: FeedServer, settings: Settings
) -> None:
    settings.feeds.refresh_minutes = 30
    settings.feeds.backoff_max_minutes = 100
    url = feed_server.serve("/flaky.xml", "down", status=503)
    subscribe(core, url, fetch=False)
    [feed] = core.feeds.list()
    waits = []
    for _ in range(4):
        # Explicitly named, a feed is fetched whatever its backoff.
        outcome = core.feeds.refresh([feed.id]).outcomes[0]
        assert outcome.failed and outcome.error == "HTTP 503 Service Unavailable"
        state = core.feeds.get(feed.id)
        waits.append(minutes_between(state.last_fetched, state.next_due))
    assert waits == [30, 60, 100, 100]  # doubling, capped
    assert core.feeds.get(feed.id).failures == 4
    # Under --due it is not fetched before its time.
    before = len(feed_server.hits("/flaky.xml"))
    assert core.feeds.refresh(due=True).outcomes == []
    assert len(feed_server.hits("/flaky.xml")) == before
    feed_server.serve("/flaky.xml", rss(items("f", 1)))
    assert core.feeds.refresh([feed.id]).added == 1
    state = core.feeds.get(feed.id)
    assert state.failures == 0 and state.last_error is None
    assert minutes_between(state.last_fetched, state.next_due) == 30


def minutes_between(a: str, b: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 60


def test_due_picks_new_and_due_feeds_only(core: Newsreader, feed_server: FeedServer) -> None:
    a = feed_server.serve("/a.xml", rss(items("a", 1)))
    subscribe(core, a, fetch=False)
    assert len(core.feeds.refresh(due=True).outcomes) == 1  # never fetched: due
    assert core.feeds.refresh(due=True).outcomes == []  # fetched a moment ago
    b = feed_server.serve("/b.xml", rss(items("b", 1)))
    subscribe(core, b, fetch=False)
    assert [o.feed.url for o in core.feeds.refresh(due=True).outcomes] == [b]


# -- subscribing ---------------------------------------------------------------------------
OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News" title="News">
    <outline text="World">
      <outline type="rss" text="World Wire" xmlUrl="{w}" htmlUrl="http://world.test/"/>
    </outline>
    <outline type="rss" text="Local" xmlUrl="{l}"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="{x}"/>
  <outline type="rss" text="Local again" xmlUrl="{l}"/>
  <outline type="rss" text="Secrets" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_opml_subscribes_with_folders_as_groups_and_exports_back(
    core: Newsreader, feed_server: FeedServer, tmp_path: Path
) -> None:
    w = feed_server.serve("/w.xml", rss(items("w", 1)))
    loc = feed_server.serve("/l.xml", rss(items("l", 1)))
    x = feed_server.serve("/x.xml", rss(items("x", 1)))
    path = tmp_path / "subs.opml"
    path.write_text(OPML.format(w=w, l=loc, x=x), encoding="utf-8")
    report = core.feeds.subscribe([str(path)])
    assert [f.url for f in report.added] == [w, loc, x]
    assert [(f.path, f.reason) for f in report.failures] == [
        ("file:///etc/passwd", "unsupported URL scheme: file")
    ]
    groups = {f.url: (f.group, f.title) for f in core.feeds.list()}
    assert groups == {
        w: ("News/World", "World Wire"),
        loc: ("News", "Local"),
        x: ("", "Loose"),
    }
    assert {f.title for f in core.feeds.in_group("News")} == {"World Wire", "Local"}
    again = core.feeds.subscribe([str(path)])
    assert not again.added and len(again.already) == 3
    out = tmp_path / "export.opml"
    core.feeds.export_opml(out)
    back = opml_subscriptions(out.read_text(encoding="utf-8"))
    assert [(s.url, s.group, s.title) for s in back] == [
        (x, "", "Loose"),
        (loc, "News", "Local"),
        (w, "News/World", "World Wire"),
    ]
    assert 'type="rss"' in out.read_text() and 'htmlUrl="http://world.test/"' in out.read_text()


def test_an_opml_url_and_a_page_announcing_its_feed_subscribe(
    core: Newsreader, feed_server: FeedServer
) -> None:
    feed = feed_server.serve("/site/feed.xml", rss(items("p", 1)))
    page = feed_server.serve(
        "/site/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="feed.xml">'
        "</head><body>Welcome</body></html>",
        content_type="text/html",
    )
    lst = feed_server.serve("/list.opml", OPML.format(w=feed, l=feed, x=feed),
                            content_type="text/x-opml")
    report = core.feeds.subscribe([page])
    assert [f.url for f in report.added] == [feed]
    report = core.feeds.subscribe([lst])
    assert report.already and not report.added
    nothing = feed_server.serve("/plain/", "<html><body>no feed</body></html>",
                                content_type="text/html")
    failed = core.feeds.subscribe([nothing, "ftp://x.test/feed", "/no/such/file.opml"])
    assert [(f.path, f.reason) for f in failed.failures] == [
        (nothing, "a web page that announces no feed; not subscribed"),
        ("ftp://x.test/feed", "unsupported URL scheme: ftp"),
        ("/no/such/file.opml", "not a URL"),
    ]


def test_subscribing_fetches_once_for_the_first_refresh(
    core: Newsreader, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/once.xml", rss(items("o", 2)), etag='"1"')
    report = subscribe(core, url)
    assert core.feeds.refresh([f.id for f in report.added], prefetched=report.fetched).added == 2
    assert len(feed_server.hits("/once.xml")) == 1


def test_full_text_feeds_fetch_each_new_entrys_page(
    core: Newsreader, feed_server: FeedServer
) -> None:
    body = "".join(f"<p>Full paragraph {i} of the long story about Palmyra.</p>" for i in range(6))
    feed_server.serve(
        "/story/1",
        f"<html><head><title>Story one</title></head><body><article><h1>Story one</h1>{body}"
        "</article></body></html>",
        content_type="text/html",
    )
    entries = [
        {"title": "Story one", "guid": "1", "link": feed_server.url("/story/1"),
         "description": "A teaser."},
        {"title": "Story two", "guid": "2", "link": feed_server.url("/story/gone"),
         "description": "Another teaser."},
    ]
    url = feed_server.serve("/summaries.xml", rss(entries))
    subscribe(core, url, full_text=True, fetch=False)
    result = core.feeds.refresh()
    assert result.added == 2
    assert result.outcomes[0].problems == [
        f"{feed_server.url('/story/gone')}: full text: HTTP 404 Not Found; kept the summary"
    ]
    by_title = {a.title: core.get(a.id) for a in core.list()}
    assert len(by_title["Story one"].paragraphs) == 6
    assert by_title["Story two"].paragraphs == ["Another teaser."]
    # Unchanged entries are not fetched again.
    core.feeds.refresh()
    assert len(feed_server.hits("/story/1")) == 1


def test_remove_keeps_articles_unless_asked_and_never_bookmarked_ones(
    core: Newsreader, feed_server: FeedServer
) -> None:
    a = feed_server.serve("/a.xml", rss(items("a", 3)))
    b = feed_server.serve("/b.xml", rss(items("b", 1)))
    subscribe(core, a, b, fetch=False)
    core.feeds.refresh()
    feeds = {f.url: f for f in core.feeds.list()}
    assert core.feeds.remove(feeds[b].id) == (0, 0)
    assert core.library.count() == 4 and [f.url for f in core.feeds.list()] == [a]
    keep = next(s for s in core.list() if s.title == "a story 0")
    core.bookmarks.add(keep.id, note="keep me")
    assert core.feeds.remove(feeds[a].id, delete_articles=True) == (2, 1)
    assert titles(core) == ["a story 0", "b story 0"]
    assert [h.title for h in core.search("zanzibar1").hits] == []  # the index dropped them
    with pytest.raises(FeedError, match="no feed with id"):
        core.feeds.remove(feeds[a].id)


def test_a_feed_removed_during_a_refresh_stores_nothing(
    core: Newsreader, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/r.xml", rss(items("r", 2)))
    subscribe(core, url, fetch=False)
    [feed] = core.feeds.list()
    doc = core.feeds.fetch(url)
    core.feeds.remove(feed.id)
    # The feed as the refresh read it, before it was removed.
    refresher = Refresher(core, core.settings.feeds, core.feeds.limits, core.feeds.fetch)
    report = refresher.refresh([feed], prefetched={feed.id: doc})
    assert [o.status for o in report.outcomes] == ["removed"]
    assert core.library.count() == 0


def _open_library_files(library: Path) -> int:
    """This process's open file descriptors on the library's SQLite file (Linux /proc)."""
    target = str(library / "library.sqlite3")
    fds = Path("/proc/self/fd")
    return sum(1 for fd in fds.iterdir() if _link(fd) == target)


def _link(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_refresh_threads_leave_no_connection_open(
    core: Newsreader, feed_server: FeedServer
) -> None:
    urls = [feed_server.serve(f"/c{n}.xml", rss(items(f"c{n}", 1))) for n in range(6)]
    subscribe(core, *urls, fetch=False)
    core.feeds.refresh()
    before = _open_library_files(core.library.directory)
    for _ in range(10):  # as the reader's timer does, every minute
        core.feeds.refresh()
    # A leak keeps six more open each refresh (one per pool thread): 60 after ten. SQLite
    # itself may keep a closed connection's descriptor for reuse while another connection
    # holds a lock on the file, at most one per thread closing at the same moment.
    assert _open_library_files(core.library.directory) <= before + len(urls)
