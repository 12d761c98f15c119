"""The library rows the search index is written from: turned into index inputs (with their
passages and entities), read in batches, each article's old documents deleted first, the
highest article id seen tracked for the state file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from index.entities.store import index_fields
from index.search.indexing.documents import IndexInput
from index.storage.library import Library


def index_inputs(library: Library, rows: list) -> list[IndexInput]:
    """What the index takes from these library rows (index.search.indexing.documents)."""
    ids = [r["id"] for r in rows]
    offsets = library.passage_offsets(ids)
    entities = index_fields(library, ids)
    return [
        IndexInput(r["id"], r["title"], r["date"], r["source"], r["body"],
                   offsets.get(r["id"], []), entities.get(r["id"], {}))
        for r in rows
    ]


def batches(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def replacing(writer, rows: Iterable, upto: int) -> Iterator:
    """The rows, the old documents of each that may have some (id <= upto) deleted first (a
    delete only touches committed segments, so the new documents added after it stay)."""
    for row in rows:
        if row["id"] <= upto:
            writer.delete_by_term("article", str(row["id"]))
        yield row


class MaxId:
    """The largest article id among the rows that pass through track()."""

    def __init__(self, start: int = 0) -> None:
        self.value = start

    def track(self, rows: Iterable) -> Iterator:
        for row in rows:
            self.value = max(self.value, row["id"])
            yield row
