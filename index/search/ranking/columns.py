"""Date ranges (`date:2019-03..2019-05`) answered from the index's numeric column, one look per
candidate, instead of walking the range's many terms."""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterable

from whoosh import query as Q
from whoosh.fields import NUMERIC

from index.engine.whoosh_internals import column_values

Scores = dict[int, float]


class Columns:
    """The numeric columns of one searcher's segments, each read once, in the searcher's
    document numbers."""

    def __init__(self, schema, leaves: list, deleted: Callable[[], frozenset[int]]) -> None:
        self.schema = schema
        self.leaves = leaves
        self._deleted = deleted
        self._columns: dict[str, tuple[array, int]] = {}

    def bounds(self, q: Q.Query) -> tuple[int, int] | None:
        """For a range over a numeric field with a column (the day), the inclusive bounds
        as the column stores them; None for any other query."""
        if not isinstance(q, Q.TermRange) or not q.constantscore:
            return None
        try:
            field = self.schema[q.fieldname]
        except KeyError:
            return None
        if not isinstance(field, NUMERIC) or not field.column_type:
            return None
        try:
            low = _sortable(field, q.start, field.min_value, q.startexcl, 1)
            high = _sortable(field, q.end, field.max_value, q.endexcl, -1)
        except (ValueError, struct.error):
            return None
        return low, high

    def in_range(self, q: Q.TermRange, bounds: tuple[int, int],
                 candidates: Iterable[int]) -> Scores:
        """Those of `candidates` whose value is in the range, each scored as Whoosh scores a
        constant-score range (its boost). Documents without a value have the field's default
        in the column: they never match, as they have no term."""
        low, high = bounds
        values, missing = self._column(q.fieldname)
        deleted = self._deleted()
        boost = q.boost
        return {
            d: boost for d in candidates
            if low <= values[d] <= high and values[d] != missing and d not in deleted
        }

    def _column(self, fieldname: str) -> tuple[array, int]:
        """The field's column for the whole index (raw sortable values), read once."""
        cached = self._columns.get(fieldname)
        if cached is None:
            field = self.schema[fieldname]
            values: array = array("Q")
            for leaf, _ in self.leaves:
                values.extend(column_values(leaf, fieldname))
            # What the column holds for a document without a value: the field's default, as
            # given (Whoosh writes it to the column untranslated).
            missing = field.default if field.default is not None else 0
            cached = self._columns[fieldname] = (values, missing)
        return cached


def _sortable(field, bound: bytes | None, default: int, exclusive: bool, step: int) -> int:
    """A range bound (term bytes, full precision) as the column's sortable integer."""
    if not bound:
        return field.to_column_value(default)
    if bound[:1] != b"\x00":  # a coarser tier than full precision: not this ranker's case
        raise ValueError("not a full-precision bound")
    value = int(field.to_column_value(field.from_bytes(bound)))
    return value + step if exclusive else value
