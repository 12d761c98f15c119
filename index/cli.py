"""The headless command line: `newsreader add|search|list|show|reindex|stats`. The reader's
entry point hands every subcommand here; without one it opens the TUI."""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from index.config import ConfigError, Settings, load_settings
from index.errors import LibraryError, SearchIndexError
from index.exitcodes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from index.paths import library_dir

if TYPE_CHECKING:  # the core (Whoosh, rapidfuzz) loads only when a command needs it
    from index.core import Newsreader
    from index.model import IngestReport, SearchResult


# Modules with a `register(subparsers)` function adding more subcommands.
FEATURES: list[str] = [
    "index.commands.bookmarks",
    "index.commands.entities",
    "index.commands.feeds",
    "index.commands.related",
]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader for your personal news archive. "
        "Run without a command to open the reader.",
    )
    p.add_argument("--library", metavar="DIR", help="library folder (default: NEWSREADER_HOME, "
                   "then library.path in the config, then the platform data dir)")
    p.add_argument("--config", metavar="FILE", help="config file (default: NEWSREADER_CONFIG, "
                   "then your config.yaml in the platform config dir)")
    from index import __version__

    p.add_argument("--version", action="version", version=f"newsreader {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    add = sub.add_parser("add", help="add articles: files, folders, feed or page URLs, - for stdin")
    add.add_argument("inputs", nargs="+", metavar="PATH|URL|-")

    search = sub.add_parser("search", help="search the library")
    search.add_argument("query", nargs="?", help="words, \"phrases\", AND/OR/NOT, title: source:"
                        " date:2017 or date:2017-05-01..2017-06-30")
    search.add_argument("--limit", type=_positive, default=None)
    search.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--stdin", action="store_true",
                        help="read one query per line; print one JSON line per query")
    search.add_argument("--no-fuzzy", action="store_true", help="no typo-tolerant retry")

    lst = sub.add_parser("list", help="list articles")
    lst.add_argument("--sort", choices=["date", "title", "source"], default="date")
    lst.add_argument("--limit", type=_positive, default=None)
    lst.add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="print an article")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true")

    reindex = sub.add_parser("reindex", help="rebuild the search index from the library")
    reindex.add_argument("--entities", action="store_true",
                         help="first find the entities of every article again (after changing"
                         " the entity extractor or its word lists)")
    stats = sub.add_parser("stats", help="library and index figures")
    stats.add_argument("--json", action="store_true")
    for name, handler in COMMANDS.items():
        sub.choices[name].set_defaults(handler=handler)
    # Feature modules add their own subcommands: register(sub) adds parsers and sets
    # `handler` (a function (core, args) -> exit code) with set_defaults.
    for module in FEATURES:
        importlib.import_module(module).register(sub)
    return p


def reader_args(argv: list[str]) -> argparse.Namespace | None:
    """The options of a plain `newsreader` (open the reader), parsed without building every
    command's parser, which imports their modules: a visible delay before the first frame.
    None when `argv` holds anything else (a command, --help, a mistake): build_parser() then
    parses it, and explains."""
    p = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    p.add_argument("--library")
    p.add_argument("--config")
    try:
        args, rest = p.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def load(args: argparse.Namespace) -> tuple[Settings, Path]:
    settings = load_settings(args.config)
    return settings, library_dir(settings, args.library)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run one headless subcommand and return its exit code."""
    if args.command == "search" and not args.stdin and not args.query:
        parser.error("search needs a QUERY (or --stdin)")
    try:
        settings, where = load(args)
    except ConfigError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from index.core import Newsreader

    try:
        core = Newsreader.open(where, settings, notify=_say)
    except (LibraryError, SearchIndexError, sqlite3.Error, OSError) as exc:
        print(f"newsreader: {storage_failure(exc, where)}", file=sys.stderr)
        return EXIT_FAILED
    try:
        return args.handler(core, args)
    except BrokenPipeError:
        return EXIT_OK  # `newsreader list | head` is fine
    except (LibraryError, SearchIndexError, sqlite3.Error, OSError) as exc:
        print(f"newsreader: {storage_failure(exc, where)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("newsreader: interrupted; what was stored so far is kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        core.close()


def storage_failure(exc: Exception, library: Path) -> str:
    """The message for a failure to read or write the library or its index. The core
    explains most (LibraryError, SearchIndexError); the rest get a message here, never a
    traceback."""
    if isinstance(exc, (LibraryError, SearchIndexError)):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        from index.storage.database import explain
        from index.storage.library import Library

        return explain(library / Library.FILE, exc)
    assert isinstance(exc, OSError)
    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        todo = "free some space and try again"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        todo = f"check the permissions of {library} (or pass --library)"
    else:
        todo = "check the disk and try again"
    return f"{where}{exc.strerror or exc}; {todo}. What was stored before is kept."


def _say(message: str) -> None:
    print(f"newsreader: {message}", file=sys.stderr)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# -- commands ---------------------------------------------------------------------------------
def cmd_add(core: Newsreader, args: argparse.Namespace) -> int:
    if args.inputs.count("-") > 1:
        print("newsreader: '-' (stdin) can be given once", file=sys.stderr)
        return EXIT_USAGE
    bar = _ProgressLine() if sys.stderr.isatty() else None
    report = core.add(args.inputs, stdin=sys.stdin.buffer, progress=bar.update if bar else None)
    if bar:
        bar.clear()
    for failure in report.failures:
        print(f"{failure.path}: {failure.reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_FAILED if report.failures else EXIT_OK


class _ProgressLine:
    """A one-line progress display on stderr, redrawn at most every 0.1 s."""

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._last = 0.0

    def update(self, report: IngestReport, title: str) -> None:
        t = self._clock()
        if t - self._last < 0.1:
            return
        self._last = t
        seen = report.added + report.updated + report.duplicates + report.failed
        line = f"adding… {seen} read, {report.added} new, {report.failed} failed  {title}"
        width = 78
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r" + " " * 78 + "\r")
        sys.stderr.flush()


def search_json(result: SearchResult) -> list[dict]:
    hits = [h.to_json() for h in result.hits]
    if result.corrected:
        for h in hits:
            h["corrected"] = result.corrected
    return hits


def cmd_search(core: Newsreader, args: argparse.Namespace) -> int:
    fuzzy = False if args.no_fuzzy else None
    if args.stdin:
        for line in sys.stdin:
            text = line.rstrip("\n")
            if not text.strip():
                continue
            result = core.search(text, limit=args.limit, sort=args.sort, fuzzy=fuzzy)
            out = {"query": text, "hits": search_json(result), "total": result.total,
                   "corrected": result.corrected, "matched": result.matched}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return EXIT_OK
    result = core.search(args.query, limit=args.limit, sort=args.sort, fuzzy=fuzzy)
    if result.corrected:
        print(f"showing results for {result.corrected!r} — searched {args.query!r}",
              file=sys.stderr)
    if args.json:
        _print_json(search_json(result))
        return EXIT_OK
    if not result.hits:
        print("no articles match", file=sys.stderr)
        return EXIT_OK
    bold = sys.stdout.isatty()
    for hit in result.hits:
        meta = ", ".join(x for x in (hit.source, (hit.date or "")[:10]) if x)
        print(f"[{hit.id}] {hit.title}" + (f"  ({meta})" if meta else ""))
        if hit.missing:
            print("    lacks: " + ", ".join(hit.missing))
        print("    " + _marked(hit.snippet.text, hit.snippet.highlights, bold))
    shown = len(result.hits)
    if result.total > shown:
        print(f"… {result.total - shown} more (--limit)", file=sys.stderr)
    return EXIT_OK


def _marked(text: str, spans: list[tuple[int, int]], bold: bool) -> str:
    if not bold:
        return text
    out, pos = [], 0
    for s, e in spans:
        out += [text[pos:s], "\x1b[1m", text[s:e], "\x1b[0m"]
        pos = e
    out.append(text[pos:])
    return "".join(out)


def cmd_list(core: Newsreader, args: argparse.Namespace) -> int:
    items = core.list(sort=args.sort, limit=args.limit)
    if args.json:
        _print_json([{"id": a.id, "title": a.title, "date": a.date, "source": a.source,
                      "url": a.url, "read": a.read} for a in items])
        return EXIT_OK
    for a in items:
        meta = ", ".join(x for x in (a.source, (a.date or "")[:10]) if x)
        print(f"{a.id:>6}  {a.title}" + (f"  ({meta})" if meta else ""))
    return EXIT_OK


def cmd_show(core: Newsreader, args: argparse.Namespace) -> int:
    article = core.get(args.id)
    if article is None:
        print(f"newsreader: no article with id {args.id}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        _print_json({
            "id": article.id, "title": article.title, "date": article.date,
            "source": article.source, "url": article.url, "byline": article.byline,
            "passages": [{"n": n, "text": t} for n, t in enumerate(article.paragraphs)],
        })
        return EXIT_OK
    print(article.title)
    meta = " · ".join(x for x in (article.source, article.date, article.byline, article.url) if x)
    if meta:
        print(meta)
    for n, text in enumerate(article.paragraphs):
        print(f"\n[{n}] {text}")
    return EXIT_OK


def cmd_reindex(core: Newsreader, args: argparse.Namespace) -> int:
    if args.entities:
        done = core.reextract()
        print(f"found the entities of {done} articles again with {core.extractor().name}")
    count = core.reindex()
    print(f"reindexed {count} articles into {core.index.path}")
    return EXIT_OK


def cmd_stats(core: Newsreader, args: argparse.Namespace) -> int:
    stats = core.stats()
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key:>14}: {value}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[Newsreader, argparse.Namespace], int]] = {
    "add": cmd_add,
    "search": cmd_search,
    "list": cmd_list,
    "show": cmd_show,
    "reindex": cmd_reindex,
    "stats": cmd_stats,
}
