"""`newsreader bookmark add|list|remove|edit`, `newsreader export` and `newsreader import`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from index.bookmarks import Bookmark, BookmarkError, Bookmarks
from index.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from index.export.importer import import_json
from index.export.renderers import FORMATS, ExportError, collect, format_for, render, write_atomic

if TYPE_CHECKING:  # the core loads only when the command runs, not when the parser is built
    from index.core import Newsreader

_SORTS = {"added": "added", "date": "article_date", "title": "title"}


def register(sub: argparse._SubParsersAction) -> None:
    bm = sub.add_parser("bookmark", help="add, list, edit or remove bookmarks")
    actions = bm.add_subparsers(dest="bookmark_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="bookmark an article or one of its passages")
    add.add_argument("id", type=int, help="article id (see `newsreader list`)")
    add.add_argument("--passage", type=int, metavar="N", help="passage number (see `show ID`)")
    add.add_argument("--note", default="", metavar="TEXT")
    add.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)"
    )
    add.set_defaults(handler=cmd_add)

    lst = actions.add_parser("list", help="list bookmarks")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    lst.add_argument(
        "--sort",
        choices=list(_SORTS),
        default="added",
        help="added (newest first), date (article date) or title",
    )
    lst.set_defaults(handler=cmd_list)

    rm = actions.add_parser("remove", help="delete a bookmark")
    rm.add_argument("bid", type=int, metavar="BID", help="bookmark id (see `bookmark list`)")
    rm.set_defaults(handler=cmd_remove)

    edit = actions.add_parser("edit", help="change a bookmark's note or tags")
    edit.add_argument("bid", type=int, metavar="BID")
    edit.add_argument("--note", metavar="TEXT", help='the new note ("" clears it)')
    edit.add_argument(
        "--tag",
        action="append",
        metavar="TAG",
        help="the new tags, replacing the old ones (repeat for more)",
    )
    edit.add_argument("--clear-tags", action="store_true", help="remove all tags")
    edit.set_defaults(handler=cmd_edit)

    exp = sub.add_parser("export", help="export bookmarks: markdown, json, csv or html")
    exp.add_argument(
        "--format",
        choices=FORMATS,
        help="default: from the -o file's extension (.md .json .csv .html)",
    )
    exp.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout"
    )
    exp.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    exp.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", help="merge bookmarks from a JSON export")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(handler=cmd_import)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"newsreader: {message}", file=sys.stderr)
    return code


def cmd_add(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        b = Bookmarks(core.library).add(
            args.id, passage=args.passage, note=args.note, tags=args.tag
        )
    except BookmarkError as exc:
        return _fail(str(exc))
    print(b.id)
    return EXIT_OK


def cmd_list(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        items = Bookmarks(core.library).list(sort=_SORTS[args.sort], tag=args.tag)
    except BookmarkError as exc:
        return _fail(str(exc))
    if args.json:
        sys.stdout.write(
            json.dumps([b.to_json() for b in items], ensure_ascii=False, indent=2) + "\n"
        )
        return EXIT_OK
    for b in items:
        print(_line(b))
        if b.note:
            for line in b.note.splitlines():
                print(f"        {line}")
    return EXIT_OK


def _line(b: Bookmark) -> str:
    if b.article_id is None:
        where = "article removed"
    elif b.detached:
        where = f"article {b.article_id}, text no longer found"
    elif b.passage is None:
        where = f"article {b.article_id}"
    else:
        where = f"article {b.article_id}, passage {b.passage}"
    tags = "  " + " ".join("#" + t for t in b.tags) if b.tags else ""
    return f"{b.id:>6}  {b.title}  ({where}){tags}"


def cmd_remove(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        b = Bookmarks(core.library).remove(args.bid)
    except BookmarkError as exc:
        return _fail(str(exc))
    print(f"removed bookmark {b.id} ({b.title})")
    return EXIT_OK


def cmd_edit(core: Newsreader, args: argparse.Namespace) -> int:
    if args.note is None and args.tag is None and not args.clear_tags:
        return _fail(
            "bookmark edit: nothing to change; give --note, --tag or --clear-tags", EXIT_USAGE
        )
    if args.tag is not None and args.clear_tags:
        return _fail("bookmark edit: --tag and --clear-tags cannot be combined", EXIT_USAGE)
    tags = [] if args.clear_tags else args.tag
    try:
        b = Bookmarks(core.library).update(args.bid, note=args.note, tags=tags)
    except BookmarkError as exc:
        return _fail(str(exc))
    print(_line(b))
    return EXIT_OK


def cmd_export(core: Newsreader, args: argparse.Namespace) -> int:
    to_stdout = args.output in (None, "-")
    fmt = args.format or (None if to_stdout else format_for(args.output))
    if fmt is None:
        return _fail("export: give --format (" + "|".join(FORMATS) + ")", EXIT_USAGE)
    try:
        items = collect(Bookmarks(core.library), tag=args.tag)
        feeds = core.feeds.records() if fmt == "json" else None
        chunks = render(fmt, items, feeds=feeds)
        if to_stdout:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            write_atomic(args.output, chunks)
    except (BookmarkError, ExportError) as exc:
        return _fail(str(exc))
    if not to_stdout:
        print(f"exported {len(items)} bookmarks to {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_import(core: Newsreader, args: argparse.Namespace) -> int:
    try:
        report = import_json(core, args.file)
    except ExportError as exc:
        return _fail(str(exc))
    print(report.summary())
    return EXIT_OK
