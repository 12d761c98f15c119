"""`newsreader related ID [--passage N] [--limit K] [--json]`: what other articles say about a
passage of an article, or the articles related to a whole article, each with the reason."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import TYPE_CHECKING

from index.exitcodes import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:  # the core loads only when the command runs
    from index.core import Newsreader



def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "related",
        help="passages of other articles related to a passage (or articles to an article)",
    )
    p.add_argument("id", type=int, help="article id (see `newsreader list`)")
    p.add_argument(
        "--passage",
        type=_whole,
        metavar="N",
        help="passage number (from `newsreader show ID`); without it, related articles",
    )
    p.add_argument("--limit", type=_positive, default=5, metavar="K", help="results (default 5)")
    p.add_argument(
        "--json",
        action="store_true",
        help='print JSON: [{"id", "title", "passage", "text", "score",'
        ' "why": {"entities", "terms"}, "also_in"}]',
    )
    p.set_defaults(handler=cmd_related)


def _whole(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return n


def _positive(value: str) -> int:
    n = _whole(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def cmd_related(core: Newsreader, args: argparse.Namespace) -> int:
    from index.related.results import RelatedError

    try:
        items = core.related(args.id, args.passage, limit=args.limit)
    except RelatedError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        data = [r.to_json() for r in items]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not items:
        what = "passage" if args.passage is not None else "article"
        print(f"nothing related to this {what} found in the library", file=sys.stderr)
        return EXIT_OK
    for r in items:
        print(f"[{r.id}] {r.title}  (passage {r.passage}, score {r.score:.2f})")
        print(
            textwrap.fill(
                r.text,
                width=96,
                initial_indent="    ",
                subsequent_indent="    ",
                max_lines=4,
                placeholder=" …",
            )
        )
        reasons = []
        if r.why["entities"]:
            reasons.append("entities: " + ", ".join(r.why["entities"]))
        if r.why["terms"]:
            reasons.append("terms: " + ", ".join(r.why["terms"]))
        if reasons:
            print("    why: " + "; ".join(reasons))
        if r.also_in:
            print("    also in: " + ", ".join(str(i) for i in r.also_in))
        print()
    return EXIT_OK
