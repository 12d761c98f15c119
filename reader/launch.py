"""Build the reader app from settings (the factory the tests call too) and run it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from index.config import ConfigError, Settings, load_settings
from index.exitcodes import EXIT_USAGE
from index.paths import library_dir


def make_app(settings: Settings, library: Path, early=None):
    """`early`: the library's first page being read already (reader.prefetch)."""
    from reader.app import NewsreaderApp

    return NewsreaderApp(settings, library, early)


def launch(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not sys.stdout.isatty():
        print("newsreader: the reader needs a terminal; see `newsreader --help` for commands",
              file=sys.stderr)
        return EXIT_USAGE
    path = library_dir(settings, args.library)
    from reader.prefetch import prefetch

    # Started before the UI is imported: the rows are usually read by its first frame.
    early = prefetch(path)
    app = make_app(settings, path, early)
    app.run()
    return app.return_code or 0
