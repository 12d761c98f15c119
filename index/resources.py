"""Locate the files shipped with newsreader: in a wheel they live in index/_data/, in a source
checkout (editable install) at the repository's top level."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _HERE / "_data" / name
    if packaged.exists():
        return packaged
    return _HERE.parent / name


def config_path() -> Path:
    return _find("config.yaml")


def seeds_dir() -> Path:
    return _find("seeds")
