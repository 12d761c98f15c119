"""Subscriptions: feeds the library follows, refreshed on demand, from cron or by the reader.

`Feeds` is what the core offers (`Newsreader.feeds`): subscribe (URLs, pages that announce a
feed, OPML lists), list, remove, export as OPML, refresh."""

from __future__ import annotations

import builtins
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import IngestError
from index.feeds.refresh import FeedOutcome, FeedsCore, Refresher, RefreshReport, discover
from index.fileio import write_atomic
from index.ingest.common import human_size
from index.ingest.feeds import Subscription, opml_subscriptions
from index.ingest.fetch import FetchedDoc, check_scheme, fetch_url
from index.ingest.sniff import kind_for_content_type, refine, sniff
from index.ingest.sources import document_text
from index.model import Feed, IngestFailure
from index.sanitize import clean_line
from index.storage.feeds import FeedError, FeedStore

__all__ = ["Feed", "FeedError", "FeedOutcome", "Feeds", "RefreshReport", "SubscribeReport"]


@dataclass
class SubscribeReport:
    added: list[Feed] = field(default_factory=list)
    already: list[Feed] = field(default_factory=list)
    failures: list[IngestFailure] = field(default_factory=list)
    # Documents fetched while subscribing, so the first refresh need not fetch them again.
    fetched: dict[int, FetchedDoc] = field(default_factory=dict)

    def summary(self) -> str:
        line = f"subscribed to {len(self.added)} feeds"
        if self.already:
            line += f", {len(self.already)} already subscribed"
        if self.failures:
            line += f", {len(self.failures)} failed"
        return line


Resolved = tuple[Subscription, FetchedDoc | None]  # a feed to subscribe, and its document


class Feeds:
    def __init__(self, core: FeedsCore, fetcher: Callable[..., FetchedDoc] | None = None) -> None:
        self.core = core
        self.store = FeedStore(core.library)
        self.limits = core.ingest_limits()
        self.fetch = fetcher or (lambda url, **kw: fetch_url(url, self.limits, **kw))

    # -- reading ------------------------------------------------------------------------
    def list(self) -> builtins.list[Feed]:
        return self.store.all()

    def get(self, feed_id: int) -> Feed | None:
        return self.store.get(feed_id)

    def article_ids(self, feed_ids: builtins.list[int]) -> builtins.list[int]:
        """The articles that came from these feeds."""
        return self.store.article_ids(feed_ids) if feed_ids else []

    def in_group(self, group: str) -> builtins.list[Feed]:
        """The feeds of a group and of the groups inside it."""
        return [f for f in self.list() if f.group == group or f.group.startswith(group + "/")]

    # -- subscribing --------------------------------------------------------------------
    def subscribe(
        self, inputs: Iterable[str], group: str = "", full_text: bool = False, fetch: bool = True
    ) -> SubscribeReport:
        """Subscribe to feed URLs, to the feed a page announces, or to every feed of an OPML
        file or URL (keeping its folders as groups). With `fetch`, each URL is fetched once to
        check that it is a feed (that document then serves the first refresh)."""
        report = SubscribeReport()
        for item in inputs:
            try:
                for sub, doc in self._resolve(item, fetch):
                    self._add(report, sub, group, full_text, doc)
            except IngestError as exc:
                report.failures.append(IngestFailure(item, exc.reason))
        return report

    def _add(
        self,
        report: SubscribeReport,
        sub: Subscription,
        group: str,
        full_text: bool,
        doc: FetchedDoc | None,
    ) -> None:
        try:
            check_scheme(sub.url)
        except IngestError as exc:
            report.failures.append(IngestFailure(sub.url, exc.reason))
            return
        feed, added = self.store.subscribe(
            sub.url, sub.title, sub.group or group, sub.site_url, full_text
        )
        (report.added if added else report.already).append(feed)
        if added and doc is not None:
            report.fetched[feed.id] = doc

    def _resolve(self, item: str, fetch: bool) -> builtins.list[Resolved]:
        if os.path.lexists(item):
            return [(s, None) for s in opml_subscriptions(self._read_file(item))]
        check_scheme(item)
        if not fetch:
            return [(Subscription(item), None)]
        doc = self.fetch(item)
        text = document_text(doc.data, doc.charset, "empty response")
        kind = kind_for_content_type(doc.content_type or "")
        kind = sniff(text) if kind is None else refine(kind, text)
        if kind == "opml":
            return [(s, None) for s in opml_subscriptions(text)]
        if kind == "feed":
            return [(Subscription(item), doc)]
        if kind == "html":
            found = discover(text, doc.url or item)
            if found:
                return [(Subscription(found), None)]
            raise IngestError("a web page that announces no feed; not subscribed")
        raise IngestError(f"not an RSS or Atom feed ({kind} text); not subscribed")

    def _read_file(self, path: str) -> str:
        limit = self.limits.max_file_bytes
        try:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
        except IsADirectoryError:
            raise IngestError("is a directory, not an OPML file") from None
        except OSError as exc:
            raise IngestError(exc.strerror or str(exc)) from None
        if len(data) > limit:
            raise IngestError(f"file too large (limit {human_size(limit)})")
        text = document_text(data, None, "empty file")
        if sniff(text) != "opml":
            raise IngestError(
                "not an OPML file (subscribe to a feed by its http(s) URL; `newsreader add`"
                " reads a feed file once)"
            )
        return text

    def records(self) -> builtins.list[dict]:
        """The subscriptions as the JSON export carries them (no fetch state)."""
        keep = ("url", "title", "group", "site_url", "full_text", "added")
        return [{k: getattr(f, k) for k in keep} for f in self.list()]

    def restore(self, records: Iterable[dict]) -> int:
        """Subscribe to the http(s) feeds of exported records; returns how many were new."""
        added = 0
        for r in records:
            try:
                check_scheme(r["url"])
            except IngestError:
                continue
            title = clean_line(r["title"]) or None if isinstance(r.get("title"), str) else None
            group = clean_line(r["group"]) if isinstance(r.get("group"), str) else ""
            site = r.get("site_url") if isinstance(r.get("site_url"), str) else None
            _, new = self.store.subscribe(
                r["url"], title, group, site, bool(r.get("full_text"))
            )
            added += new
        return added

    def remove(self, feed_id: int, delete_articles: bool = False) -> tuple[int, int]:
        deleted, kept = self.store.remove(feed_id, delete_articles)
        if deleted:
            self.core.catch_up()  # the index drops what the library no longer has
        return deleted, kept

    def export_opml(self, path: str | os.PathLike | None = None) -> str:
        """The subscriptions as OPML; written atomically to `path` when given (OSError if it
        cannot be)."""
        from index.feeds.opml import render_opml

        text = render_opml(self.list())
        if path is not None:
            write_atomic(Path(path), text)
        return text

    # -- refreshing ---------------------------------------------------------------------
    def refresh(
        self,
        feed_ids: Iterable[int] | None = None,
        due: bool = False,
        progress: Callable[[FeedOutcome, int, int], None] | None = None,
        prefetched: dict[int, FetchedDoc] | None = None,
    ) -> RefreshReport:
        """Refresh the feeds named (every feed without names; with `due`, only those due)."""
        if feed_ids is not None:
            wanted = list(feed_ids)
            feeds = []
            for feed_id in wanted:
                feed = self.store.get(feed_id)
                if feed is None:
                    raise FeedError(f"no feed with id {feed_id} (see `newsreader feeds list`)")
                feeds.append(feed)
        else:
            feeds = self.store.all(with_counts=False)
        if due:
            ready = {f.id for f in self.store.due()}
            feeds = [f for f in feeds if f.id in ready]
        refresher = Refresher(self.core, self.core.settings.feeds, self.limits, self.fetch)
        return refresher.refresh(feeds, progress, prefetched)
