"""Build the reader app from settings (the factory the tests call too) and run it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from index.config import ConfigError, Settings, load_settings
from index.paths import library_dir


def make_app(settings: Settings, library: Path):
    from reader.app import NewsreaderApp

    return NewsreaderApp(settings, library)


def launch(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"newsreader: {exc}", file=sys.stderr)
        return 2
    if not sys.stdout.isatty():
        print("newsreader: the reader needs a terminal; see `newsreader --help` for commands",
              file=sys.stderr)
        return 2
    app = make_app(settings, library_dir(settings, args.library))
    app.run()
    return app.return_code or 0
