"""Config files parsed once and remembered as JSON in the user's cache folder.

A launch has half a second to paint, and importing PyYAML (its reader compiles a regex over
all of Unicode) and parsing the documented shipped config took 25-40 ms of it. Reading a file
is cheap: each launch reads every config file and uses the remembered parse only when the text
is exactly the text that was parsed. Anything unusual (no cache folder, a corrupt cache, a file
that cannot be read, data that JSON cannot hold exactly) means the YAML is parsed as before:
the cache never changes what the settings are, nor which errors are reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.fileio import write_atomic

FILE = "parsed-config.json"
VERSION = 2


def cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsreader", appauthor=False)) / FILE


def parsed(path: Path, parse: Callable[[Path], Any]) -> Any:
    """`parse(path)`, or what it returned for the same text before."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return parse(path)  # it reports why the file cannot be read
    key = str(path.absolute())
    store = _load()
    entry = store.get(key)
    if isinstance(entry, dict) and entry.get("text") == text and "data" in entry:
        return entry["data"]
    data = parse(path)  # if the file changed since it was read, the next launch parses again
    if _json_exact(data):
        store[key] = {"text": text, "data": data}
        _save(store)
    return data


def _json_exact(data: Any) -> bool:
    """True if JSON gives `data` back unchanged (YAML can also hold dates, sets, int keys)."""
    try:
        return json.loads(json.dumps(data)) == data
    except (TypeError, ValueError):
        return False


def _load() -> dict[str, Any]:
    try:
        store = json.loads(cache_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(store, dict) or store.get("version") != VERSION:
        return {}
    files = store.get("files")
    return files if isinstance(files, dict) else {}


def _save(files: dict[str, Any]) -> None:
    # Only config files that still exist; two launches writing at once lose one entry, which
    # costs a parse.
    files = {k: v for k, v in files.items() if os.path.isfile(k)}
    target = cache_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Whole or not at all; not durable: a cache lost to a power cut costs one parse.
        write_atomic(target, json.dumps({"version": VERSION, "files": files}), durable=False)
    except OSError:
        pass  # the next launch parses again
