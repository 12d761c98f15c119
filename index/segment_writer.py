"""Whoosh's segment writer, with a faster posting pool and the field lengths of a flush read
once, not per posting.

The pool: a large add holds more postings than fit in `limitmb`, so Whoosh sorts them in runs on
disk, pickling and unpickling each posting on its own, and that was a quarter of indexing
Reuters. Here a run is written as marshalled lists of postings (a few thousand at a time, so a
merge still holds little of each run in memory).

The lengths: when a segment is flushed, Whoosh asks its per-document reader for the field
length of every posting it writes. For a field that keeps no lengths (the ID and unscored
fields) that reader checks whether the column file exists: one stat() per posting. For one
that does, it seeks and reads one byte from the column file: a Python-level file read per
posting. Together they were a quarter of the flush of a Reuters batch. A flush reads a
finished segment, so its lengths cannot change: here each field's column is loaded once.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

# Whoosh stores a length as one byte (its own lossy encoding); decoded once for all 256.
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class FlushingWriter(SegmentWriter):
    pool: Any  # Whoosh's untyped PoolBase, replaced below

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        pool = self.pool
        self.pool = _MarshalPool(pool.tempstore, pool.segment, limitmb=limitmb)

    def per_document_reader(self) -> Any:
        reader = super().per_document_reader()
        scorable = {name for name, field in self.schema.items() if field.scorable}
        return _LoadedLengths(reader, scorable)


class _LoadedLengths:
    """A per-document reader whose doc_field_length answers from lengths loaded per field;
    everything else is the reader's own."""

    def __init__(self, reader: Any, scorable: set[str]) -> None:
        self._reader = reader
        self._scorable = scorable
        self._lengths: dict[str, Any] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            if fieldname not in self._scorable:
                return default
            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                self._scorable.discard(fieldname)
                return default
            lengths = self._lengths[fieldname] = column.load()
        # As Whoosh's own reader answers: None for a document without the field.
        byte = lengths[docnum] if docnum < len(lengths) else 0
        return _LENGTH_OF_BYTE[byte] if byte else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class _MarshalPool(PostingPool):
    """Whoosh's posting pool, its runs on disk written in marshalled chunks. A posting is a
    tuple of str, bytes, int, float and bytes or None: marshal keeps all of them, and tuples
    come back as tuples, so the merge compares what it compared before."""

    CHUNK = 4096  # postings per marshalled list

    def _write_run(self, f: Any, items: Iterable) -> None:
        it = iter(items)
        try:
            while chunk := list(islice(it, self.CHUNK)):
                marshal.dump(chunk, f)
        finally:
            f.close()

    def _read_run(self, path: str) -> Iterator:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)
