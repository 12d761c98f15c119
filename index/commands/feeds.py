"""`newsreader feeds add|list|remove|export` and `newsreader refresh`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from index.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from index.storage.feeds import FeedError

if TYPE_CHECKING:  # the core loads only when the command runs
    from index.core import Newsreader
    from index.feeds import FeedOutcome



def register(sub: argparse._SubParsersAction) -> None:
    feeds = sub.add_parser("feeds", help="subscriptions: add, list, remove, export")
    actions = feeds.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help="subscribe to feed URLs, a site's feed, or every feed of an OPML file"
    )
    add.add_argument("inputs", nargs="+", metavar="URL|OPML")
    add.add_argument("--group", default="", help="the group (folder) of feeds given by URL")
    add.add_argument(
        "--full-text",
        action="store_true",
        help="fetch each entry's page for its full text (for feeds that carry summaries)",
    )
    add.add_argument(
        "--no-fetch", action="store_true", help="subscribe without fetching the feeds now"
    )
    add.set_defaults(handler=cmd_add)

    lst = actions.add_parser("list", help="list subscriptions with their counts and state")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=cmd_list)

    rm = actions.add_parser("remove", help="unsubscribe (the articles stay)")
    rm.add_argument("ids", nargs="+", type=int, metavar="ID", help="feed id (see `feeds list`)")
    rm.add_argument(
        "--delete-articles",
        action="store_true",
        help="also delete the articles that came only from this feed (not bookmarked ones)",
    )
    rm.set_defaults(handler=cmd_remove)

    export = actions.add_parser("export", help="write the subscriptions as OPML")
    export.add_argument("-o", "--output", metavar="FILE", help="the .opml file (default: stdout)")
    export.set_defaults(handler=cmd_export)

    refresh = sub.add_parser("refresh", help="fetch the subscribed feeds for new articles")
    refresh.add_argument("ids", nargs="*", type=int, metavar="FEED", help="feed ids (default: all)")
    refresh.add_argument(
        "--due", action="store_true", help="only feeds due (feeds.refresh_minutes; for cron)"
    )
    refresh.set_defaults(handler=cmd_refresh)


def cmd_add(core: Newsreader, args: argparse.Namespace) -> int:
    report = core.feeds.subscribe(
        args.inputs, group=args.group, full_text=args.full_text, fetch=not args.no_fetch
    )
    for feed in report.already:
        print(f"{feed.url}: already subscribed (feed {feed.id})", file=sys.stderr)
    for failure in report.failures:
        print(f"{failure.path}: {failure.reason}", file=sys.stderr)
    print(report.summary())
    failed = bool(report.failures)
    if report.added and not args.no_fetch:
        ids = [f.id for f in report.added]
        refreshed = core.feeds.refresh(ids, progress=_progress(), prefetched=report.fetched)
        failed |= _report(refreshed)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_list(core: Newsreader, args: argparse.Namespace) -> int:
    feeds = core.feeds.list()
    if args.json:
        sys.stdout.write(json.dumps([f.to_json() for f in feeds], ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
        return EXIT_OK
    if not feeds:
        print("no subscriptions; add one with `newsreader feeds add URL`", file=sys.stderr)
        return EXIT_OK
    for f in feeds:
        when = (f.last_fetched or "never")[:16].replace("T", " ")
        group = f"[{f.group}] " if f.group else ""
        print(f"{f.id:>4}  {group}{f.name}  ({f.articles} articles, {f.unread} unread)")
        state = f"      {f.url} · fetched {when}"
        if f.last_error:
            state += f" · failing ({f.failures}x): {f.last_error}"
        print(state)
    return EXIT_OK


def cmd_remove(core: Newsreader, args: argparse.Namespace) -> int:
    code = EXIT_OK
    for feed_id in args.ids:
        feed = core.feeds.get(feed_id)
        try:
            deleted, kept = core.feeds.remove(feed_id, args.delete_articles)
        except FeedError as exc:
            print(f"newsreader: {exc}", file=sys.stderr)
            code = EXIT_USAGE
            continue
        line = f"unsubscribed from {feed.name if feed else feed_id}"
        if args.delete_articles:
            line += f"; deleted {deleted} articles"
            if kept:
                line += f", kept {kept} that have bookmarks"
        print(line)
    return code


def cmd_export(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        text = core.feeds.export_opml(args.output)
    except OSError as exc:  # the output's problem, not the library's
        print(f"newsreader: {args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.output:
        print(f"wrote {len(core.feeds.list())} feeds to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_refresh(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        report = core.feeds.refresh(args.ids or None, due=args.due, progress=_progress())
    except FeedError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_FAILED if _report(report) else EXIT_OK


def _progress():  # -> a progress callback, on a terminal only
    if not sys.stderr.isatty():
        return None

    def show(outcome: FeedOutcome, done: int, total: int) -> None:
        sys.stderr.write(f"[{done}/{total}] {outcome.line()}\n")
        sys.stderr.flush()

    return show


def _report(report) -> bool:  # RefreshReport -> whether anything failed
    """Failures on stderr (each feed's URL and reason, each unreadable entry), the summary on
    stdout; True when something failed."""
    for outcome in report.outcomes:
        if outcome.failed:
            print(f"{outcome.feed.url}: {outcome.error}", file=sys.stderr)
        for problem in outcome.problems:
            print(problem, file=sys.stderr)
    print(report.summary())
    return bool(report.failed or report.problems)
