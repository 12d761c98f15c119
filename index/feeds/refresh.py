"""Refresh subscriptions: fetch feeds concurrently (conditional GET), store what is new or
changed one feed per transaction, then find entities and index once for the whole refresh.

Fetching and parsing run in a bounded thread pool; storing stays in the calling thread, so
SQLite sees one writer from here and a refresh killed at any moment leaves every feed either
stored with its validators or not at all (the next refresh fetches it again)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from index.errors import IngestError
from index.ingest.common import Context, IngestLimits
from index.ingest.feeds import FeedEntry, ParsedFeed, parse_feed
from index.ingest.fetch import FetchedDoc, fetch_url
from index.ingest.sniff import kind_for_content_type, refine, sniff
from index.ingest.sources import document_text
from index.model import Feed, IngestReport
from index.storage.database import now
from index.storage.feeds import EntryLink, FeedGone, FeedStore, FetchState, stamp_after

if TYPE_CHECKING:
    from index.config import FeedSettings, Settings
    from index.storage.articles import ArticleLink
    from index.storage.library import Library

Fetcher = Callable[..., FetchedDoc]


class FeedsCore(Protocol):
    """What feeds need of the core (the Newsreader facade): declared here, so that feeds never
    import index.core, which opens them."""

    @property
    def library(self) -> Library: ...

    @property
    def settings(self) -> Settings: ...

    def ingest_limits(self) -> IngestLimits: ...

    def catch_up(self, wait: bool = True) -> None: ...

    def store_articles(
        self,
        articles: list,
        report: IngestReport,
        link: ArticleLink | None = None,
        found: list | None = None,
    ) -> list[int]: ...


@dataclass
class FeedOutcome:
    """What refreshing one feed did."""

    feed: Feed
    status: str = "ok"  # ok | not_modified | failed | removed
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    # Entries that could not be read, and full-text pages that could not be fetched.
    problems: list[str] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)  # added or updated

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.feed.name}: failed: {self.error}"
        if self.status == "not_modified":
            return f"{self.feed.name}: not modified"
        if self.status == "removed":
            return f"{self.feed.name}: unsubscribed during the refresh; nothing stored"
        return f"{self.feed.name}: +{self.added} new, {self.updated} updated"


@dataclass
class RefreshReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(o.added for o in self.outcomes)

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(o.failed for o in self.outcomes)

    @property
    def problems(self) -> int:
        return sum(len(o.problems) for o in self.outcomes)

    def summary(self) -> str:
        return (
            f"refreshed {len(self.outcomes)} feeds: +{self.added} new, {self.updated} updated,"
            f" {self.failed} failed"
        )


@dataclass
class _Fetched:
    """A worker's result: the feed's parsed entries still to store, or why it failed."""

    feed: Feed
    state: FetchState | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    unchanged: int = 0
    not_modified: bool = False
    error: str | None = None
    problems: list[str] = field(default_factory=list)


_ALTERNATE = re.compile(r"<link\b[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def discover(html: str, base: str) -> str | None:
    """The feed a web page announces (<link rel="alternate" type="application/rss+xml">)."""
    from urllib.parse import urljoin

    for tag in _ALTERNATE.findall(html[:200_000]):
        attrs = {m[0].lower(): m[1] or m[2] or m[3] for m in _ATTR.findall(tag)}
        rel = attrs.get("rel", "").lower().split()
        kind = attrs.get("type", "").lower()
        if "alternate" in rel and kind in _FEED_TYPES and attrs.get("href"):
            return urljoin(base, attrs["href"].strip())
    return None


class Refresher:
    def __init__(
        self,
        core: FeedsCore,
        settings: FeedSettings,
        limits: IngestLimits,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.core = core
        self.store = FeedStore(core.library)
        self.settings = settings
        self.limits = limits
        self.fetch = fetcher or (lambda url, **kw: fetch_url(url, limits, **kw))

    def refresh(
        self,
        feeds: Iterable[Feed],
        progress: Callable[[FeedOutcome, int, int], None] | None = None,
        prefetched: dict[int, FetchedDoc] | None = None,
    ) -> RefreshReport:
        """Fetch `feeds` concurrently and store what changed. `progress(outcome, done, total)`
        is called in this thread after each feed is stored; the entities and the index catch
        up once at the end (a reader open on the library lists new articles before that)."""
        todo = list(feeds)
        report = RefreshReport()
        prefetched = prefetched or {}
        workers = max(1, min(self.settings.concurrency, len(todo) or 1))
        try:
            with ThreadPoolExecutor(workers, thread_name_prefix="feed") as pool:
                futures = [pool.submit(self._get, f, prefetched.get(f.id)) for f in todo]
                try:
                    for future in as_completed(futures):
                        outcome = self._store(future.result())
                        report.outcomes.append(outcome)
                        if progress:
                            progress(outcome, len(report.outcomes), len(todo))
                except BaseException:
                    # Stopped (ctrl+c, a reader quitting): feeds not started yet never are;
                    # leaving the pool then waits only for the fetches under way.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        finally:
            if any(o.article_ids for o in report.outcomes):
                self.core.catch_up()
        return report

    # -- in a worker thread ---------------------------------------------------------------
    def _get(self, feed: Feed, doc: FetchedDoc | None) -> _Fetched:
        try:
            return self._get_feed(feed, doc)
        except IngestError as exc:
            return _Fetched(feed, error=exc.reason)
        except Exception as exc:  # noqa: BLE001 — one broken feed must not stop the others
            return _Fetched(feed, error=f"could not read: {type(exc).__name__}: {exc}"[:300])
        finally:
            self.core.library.release_thread()

    def _get_feed(self, feed: Feed, doc: FetchedDoc | None) -> _Fetched:
        if doc is None:
            doc = self.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        at = now()
        state = FetchState(
            at=at,
            next_due=stamp_after(self.settings.refresh_minutes, at),
            etag=doc.etag,
            last_modified=doc.last_modified,
        )
        if doc.not_modified:
            return _Fetched(feed, state=state, not_modified=True)
        parsed, doc = self._parse(feed, doc)
        state.title, state.site_url = parsed.title, parsed.link
        known = self.store.fingerprints(feed.id, [e.key for e in parsed.entries])
        out = _Fetched(feed, state=state)
        for i, entry in enumerate(parsed.entries):
            if entry.article is None:
                out.problems.append(f"{feed.url}[{i}]: {entry.failure}")
            elif known.get(entry.key) == entry.fingerprint:
                out.unchanged += 1
            else:
                # Entries are matched by id/guid, URL and content, never by their position.
                entry.article.origin = None
                out.entries.append(entry)
        if feed.full_text:
            self._full_text(out)
        return out

    def _parse(self, feed: Feed, doc: FetchedDoc) -> tuple[ParsedFeed, FetchedDoc]:
        text = document_text(doc.data, doc.charset, "empty response")
        kind = kind_for_content_type(doc.content_type or "")
        kind = sniff(text) if kind is None else refine(kind, text)
        if kind == "html" and not feed.last_success:
            # A site's page given for its feed: follow the feed it announces, once.
            found = discover(text, doc.url or feed.url)
            if found and found != feed.url:
                self.store.set_url(feed.id, found)
                feed.url = found
                doc = self.fetch(found)
                text = document_text(doc.data, doc.charset, "empty response")
                kind = sniff(text)
        if kind != "feed":
            what = {"html": "a web page", "opml": "an OPML list"}.get(kind, f"{kind} text")
            raise IngestError(f"not an RSS or Atom feed ({what})")
        ctx = Context(label=feed.url, origin=None, limits=self.limits, base_url=doc.url)
        return parse_feed(text, ctx), doc

    def _full_text(self, out: _Fetched) -> None:
        """Replace each new entry's summary by its page's extracted text."""
        from index.ingest.html import load_html

        for entry in out.entries[: self.settings.full_text_max]:
            if not entry.link or entry.article is None:
                continue
            try:
                page = self.fetch(entry.link)
                text = document_text(page.data, page.charset, "empty response")
                ctx = Context(entry.link, None, self.limits, base_url=page.url)
                extracted = next(load_html(text, ctx)).article
            except IngestError as exc:
                out.problems.append(f"{entry.link}: full text: {exc.reason}; kept the summary")
                continue
            if extracted is not None and sum(map(len, extracted.paragraphs)) > sum(
                map(len, entry.article.paragraphs)
            ):
                entry.article = replace(entry.article, paragraphs=extracted.paragraphs)

    # -- in the calling thread ------------------------------------------------------------
    def _store(self, got: _Fetched) -> FeedOutcome:
        if got.state is not None and got.feed.title is None:
            got.feed.title = got.state.title  # as stored: a first fetch names the feed
        outcome = FeedOutcome(got.feed, unchanged=got.unchanged, problems=got.problems)
        s = self.settings
        try:
            if got.error is not None or got.state is None:
                outcome.status, outcome.error = "failed", got.error or "could not fetch"
                outcome.feed = self.store.failure(
                    got.feed, outcome.error, s.refresh_minutes, s.backoff_max_minutes
                )
                return outcome
            if got.not_modified:
                outcome.status = "not_modified"
            if not got.entries:
                self.store.success(got.feed, got.state)
            else:
                articles = [e.article for e in got.entries if e.article is not None]
                keys = [(e.key, e.fingerprint) for e in got.entries if e.article is not None]
                link = EntryLink(self.store, got.feed, keys, got.state)
                counts = IngestReport()
                outcome.article_ids = self.core.store_articles(articles, counts, link)
                outcome.added, outcome.updated = counts.added, counts.updated
        except FeedGone:
            outcome.status = "removed"
            return outcome
        outcome.feed = self.store.get(got.feed.id) or got.feed  # with the title it now has
        return outcome
