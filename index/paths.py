"""Where the library lives: --library, else NEWSREADER_HOME, else config, else platform dir."""

from __future__ import annotations

import os
from pathlib import Path

from index.config import Settings


def library_dir(settings: Settings, cli_value: str | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get("NEWSREADER_HOME"):
        return Path(os.environ["NEWSREADER_HOME"]).expanduser()
    if settings.library.path:
        return Path(settings.library.path).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsreader", appauthor=False))
