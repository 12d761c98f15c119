"""Lists in slices of a bounded size (SQLite bounds the parameters of one statement)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    """`items` in consecutive slices of at most `size`, in order."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
