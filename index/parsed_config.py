"""Config files parsed once and remembered as JSON in the user's cache folder.

A launch has half a second to paint, and importing PyYAML (its reader compiles a regex over
all of Unicode) and parsing the documented shipped config took 25-40 ms of it. A file is parsed
again whenever its size or modification time changes. Anything unusual (no cache folder, a
corrupt cache, data that JSON cannot hold exactly) only means the YAML is parsed as before:
the cache never changes what the settings are, nor which errors are reported.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE = "parsed-config.json"
VERSION = 1


def cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsreader", appauthor=False)) / FILE


def parsed(path: Path, parse: Callable[[Path], Any]) -> Any:
    """`parse(path)`, or what it returned last time if the file has not changed since."""
    try:
        info = path.stat()
    except OSError:
        return parse(path)  # it reports why the file cannot be read
    key = str(path.absolute())
    stamp = [info.st_size, info.st_mtime_ns]
    store = _load()
    entry = store.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and "data" in entry:
        return entry["data"]
    data = parse(path)
    if _json_exact(data):
        store[key] = {"stamp": stamp, "data": data}
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
    target = cache_path()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"version": VERSION, "files": files}), "utf-8")
        os.replace(tmp, target)  # whole or not at all, also with two launches at once
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
