"""`newsreader entities ID [--json]`: the people, organisations and places an article names."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from index.exitcodes import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:  # the core loads only when the command runs
    from index.core import Newsreader

_ORDER = ("PERSON", "ORG", "PLACE", "MISC")
_HEADINGS = {"PERSON": "People", "ORG": "Organisations", "PLACE": "Places", "MISC": "Other"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "entities", help="list the people, organisations and places an article names"
    )
    p.add_argument("id", type=int, help="article id (see `newsreader list`)")
    p.add_argument(
        "--json",
        action="store_true",
        help='print JSON: [{"text", "label", "start", "end", "part", "passage", "canonical"}];'
        ' part "title" (passage null, offsets into the title) or "body" (offsets into the'
        " passage)",
    )
    p.set_defaults(handler=cmd_entities)


def cmd_entities(core: Newsreader, args: argparse.Namespace) -> int:
    if core.get(args.id) is None:
        print(f"newsreader: no article with id {args.id}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        data = [m.to_json() for m in core.entities_for(args.id)]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    counts = core.entity_counts(args.id)
    if not counts:
        print("no entities found in this article", file=sys.stderr)
        return EXIT_OK
    for label in _ORDER:
        these = [c for c in counts if c.label == label]
        if not these:
            continue
        print(f"{_HEADINGS[label]} ({len(these)})")
        for c in these:
            print(f"  {c.count:>3}  {c.canonical}")
    return EXIT_OK
