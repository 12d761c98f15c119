"""Whoosh's segment writer, with the field lengths of a flush read once, not per posting.

When a segment is flushed, Whoosh asks its per-document reader for the field length of every
posting it writes. For a field that keeps no lengths (the ID and unscored fields) that reader
checks whether the column file exists: one stat() per posting. For one that does, it seeks and
reads one byte from the column file: a Python-level file read per posting. Together they were
a quarter of the flush of a Reuters batch. A flush reads a finished segment, so its lengths
cannot change: here each field's column is loaded once, as bytes.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

# Whoosh stores a length as one byte (its own lossy encoding); decoded once for all 256.
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


class FlushingWriter(SegmentWriter):
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
