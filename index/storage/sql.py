"""The one SQL placeholder helper: `IN (...)` lists are built here and nowhere else."""

from __future__ import annotations

from collections.abc import Sized


def marks(items: Sized) -> str:
    """"?,?,?" for a parameter list of `items`' length."""
    return ",".join("?" * len(items))
