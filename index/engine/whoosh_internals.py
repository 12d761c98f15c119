"""Every use of Whoosh's private API, in one place: the engine boundary.

The index is written and read through Whoosh's public API everywhere else. Here are the
shortcuts through its internals that make it fast enough: postings read a block at a time,
numeric columns and field lengths read in one go, and a segment writer whose posting pool and
flush skip per-posting overheads (and can commit a segment written by another process beside
its own). They are written against one release, whoosh-reloaded 2.7.5 (`PINNED`). At import
the installed version is checked: with any other, `FAST` is False, every reader below takes
Whoosh's public path (slower, same results: tests/unit/test_ranking.py and
tests/unit/test_segment_writer.py compare the two), the writer is Whoosh's own, and no helper
process shares a write. A Whoosh upgrade, or another engine, starts here.

Over 400 lines: every use of Whoosh's private API is kept in this one module, reading and
writing, so that an upgrade is checked in one place.
"""

from __future__ import annotations

import marshal
import re
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, islice
from pickle import loads
from typing import Any

import whoosh
from whoosh import formats
from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

PINNED = (2, 7, 5)
FAST = tuple(whoosh.__version__) == PINNED

Decoder = Callable[[bytes], list[int]]

# Whoosh stores a length as one byte (its own lossy encoding); decoded once for all 256.
_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]

# The pinned Whoosh writes a postings block as one pickle (protocol 2, zlib-compressed) of
# (document number deltas, weights, values). With positions, a value is bytes for every posting,
# most of unpickling a block; ranking needs only the first two. So the pickle's beginning alone
# is decompressed, matched against the grammar Whoosh writes them in (a tuple of ints; None, a
# float or a tuple of floats) and unpickled as a pair. Anything else is read whole.
_INT = rb"(?:K.|M..|J....)"  # BININT1, BININT2, BININT
_FLOAT = rb"(?:G.{8})"  # BINFLOAT
_MEMO = rb"(?:q.|r.{4})?"  # BINPUT, LONG_BINPUT


def _tuple_of(item: bytes) -> bytes:
    """EMPTY_TUPLE; one to three items then TUPLE1-3; or MARK, the items, TUPLE; memoised."""
    return (rb"(?:\)|" + item + rb"\x85|" + item * 2 + rb"\x86|" + item * 3 + rb"\x87|\("
            + item + rb"*t)" + _MEMO)


# The weights' tuple is tried before one float: a match ends as soon as one alternative does.
_HEAD = re.compile(rb"\x80\x02" + _tuple_of(_INT) + rb"(?:" + _tuple_of(_FLOAT) + rb"|N|"
                   + _FLOAT + rb")", re.DOTALL)
_PAIR = b"\x86."  # TUPLE2, STOP: what closes the beginning as a pickle of its own
_HEAD_BYTES = 14  # at most, per posting: a BININT (5 bytes) and a BINFLOAT (9)


# -- reading --------------------------------------------------------------------------------------
def deleted_docs(leaf: Any) -> frozenset[int]:
    """The segment's deleted document numbers (its postings still list them until a merge):
    the set the segment reader keeps for its own postings filter, else one look per document."""
    if not leaf.has_deletions():
        return frozenset()
    known = getattr(leaf, "deleted_docs_set", None) if FAST else None
    if isinstance(known, frozenset | set):
        return frozenset(known)
    return frozenset(d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d))


def column_values(leaf: Any, fieldname: str) -> array:
    """A segment's raw column values, one per document. The pinned Whoosh stores a numeric
    column as big-endian fixed-size integers, read here in one go; otherwise value by value."""
    reader = leaf.column_reader(fieldname, translate=False)
    count = leaf.doc_count_all()
    typecode = getattr(reader, "_typecode", None)
    raw = getattr(reader, "_dbfile", None)
    if (FAST and raw is not None and typecode in ("B", "H", "I", "L", "Q")
            and hasattr(reader, "_count")):
        size = array(typecode).itemsize
        values = array(typecode, raw.get(reader._basepos, reader._count * size))
        if sys.byteorder == "little":
            values.byteswap()
        if len(values) < count:
            values.extend([reader._default] * (count - len(values)))
        return array("Q", values)
    return array("Q", (reader[d] for d in range(count)))


def postings(matcher: Any, values: list[bytes] | None = None) -> tuple[list[int], list[float]]:
    """A term's document numbers and weights in one segment (deleted documents included),
    and its values in `values` if given (they are decoded with the rest of a block anyway).
    The pinned Whoosh's leaf matcher (W3LeafMatcher) decodes a block at a time; its blocks are
    read whole here. Any other matcher takes the public path, one posting at a time."""
    ids: list[int] = []
    weights: list[float] = []
    if (blocks := _block_matcher(matcher)) is not None:
        matcher = blocks
        while matcher.is_active():
            if values is not None:  # the values too: the block is read whole
                matcher._read_data()
            block_ids, block_weights = _block_postings(matcher)
            i = matcher._i
            ids.extend(block_ids[i:])
            weights.extend(block_weights[i:])
            if values is not None:
                matcher._read_values()
                values.extend(matcher._values[i:])
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if values is not None:
            values.append(matcher.value())
        matcher.next()
    return ids, weights


def postings_at(matcher: Any, wanted: list[int]) -> tuple[list[int], list[float]]:
    """Those of `wanted` (sorted segment document numbers) that hold the term, with their
    weights. The pinned Whoosh's blocks are decoded only where they hold a wanted document
    (a block's highest id is in its header), and looked up by bisection; Whoosh's own skip_to
    steps through a block one posting at a time. Otherwise the matcher skips to each."""
    ids: list[int] = []
    weights: list[float] = []
    blocks = _block_matcher(matcher)
    if blocks is None:
        for d in _stops_at(matcher, wanted):
            ids.append(d)
            weights.append(matcher.weight())
        return ids, weights
    j, count = 0, len(wanted)
    while blocks.is_active() and j < count:
        top = blocks._maxid
        if wanted[j] <= top:
            block_ids, block_weights = _block_postings(blocks)
            start = blocks._i
            while j < count and wanted[j] <= top:
                d = wanted[j]
                k = bisect_left(block_ids, d, start)
                if k < len(block_ids) and block_ids[k] == d:
                    ids.append(d)
                    weights.append(block_weights[k])
                    start = k + 1
                j += 1
        blocks._next_block()
    return ids, weights


def _stops_at(matcher: Any, wanted: list[int]) -> Iterator[int]:
    """Whoosh's public path: the matcher skipped to each of `wanted` (sorted) it holds,
    yielding that document while the matcher stands on it."""
    for d in wanted:
        if not matcher.is_active():
            break
        if matcher.id() < d:
            matcher.skip_to(d)
        if matcher.is_active() and matcher.id() == d:
            yield d


def _block_postings(blocks: Any) -> tuple[list[int], Any]:
    """The current block's document numbers and weights: what _read_ids and _read_weights
    do, with the deltas summed in C (their generator was a tenth of a cold read), and without
    unpickling the values when they are of variable size, as positions are (decode_head)."""
    head = None
    if blocks._data is None and blocks._fixedsize is None:
        raw = blocks._postfile.get(blocks._dataoffset, blocks._nextoffset - blocks._dataoffset)
        head = decode_head(raw, blocks._blocklength, bool(blocks._compression))
    if head is None:
        if blocks._data is None:
            blocks._read_data()
        head = blocks._data[0], blocks._data[1]
    block_ids, block_weights = head
    if not blocks._byteids:
        block_ids = list(accumulate(block_ids))
    if block_weights is None or isinstance(block_weights, float):
        # One weight for the block, as Whoosh gives it (a 32-bit float).
        one = array("f", (1.0 if block_weights is None else block_weights,))[0]
        block_weights = [one] * blocks._blocklength
    return block_ids, block_weights


def decode_head(raw: bytes, count: int, compressed: bool) -> tuple[Any, Any] | None:
    """The first two items of a block's data (`raw`, zlib-compressed or not, holding `count`
    postings), unpickled without the rest; None when they are not as the pinned Whoosh writes
    them."""
    if compressed:
        raw = zlib.decompressobj().decompress(raw, _HEAD_BYTES * count + 32)
    found = _HEAD.match(raw)
    if found is None:
        return None
    try:
        ids, weights = loads(found.group() + _PAIR)
    except Exception:  # noqa: BLE001 - a beginning the grammar let through: read it whole
        return None
    if len(ids) != count or not (weights is None or isinstance(weights, float)
                                 or len(weights) == count):
        return None
    return ids, weights


def positions_of(matcher: Any, wanted: list[int], decode: Decoder) -> dict[int, list[int]]:
    """The positions of a term (its segment `matcher`) in each of `wanted` (sorted segment
    document numbers) that holds it. The pinned Whoosh's blocks are decoded only where they
    hold a wanted document; otherwise the matcher skips to each."""
    out: dict[int, list[int]] = {}
    blocks = _block_matcher(matcher)
    if blocks is None:
        for d in _stops_at(matcher, wanted):
            out[d] = decode(matcher.value())
        return out
    j = 0
    while blocks.is_active() and j < len(wanted):
        if wanted[j] <= blocks._maxid:  # this block holds wanted documents: decode it
            if blocks._data is None:
                blocks._read_data()
            ids = blocks._data[0]
            if not blocks._byteids:  # what _read_ids does, summed in C
                ids = accumulate(ids)
            blocks._read_values()
            values = dict(zip(ids, blocks._values, strict=False))
            while j < len(wanted) and wanted[j] <= blocks._maxid:
                value = values.get(wanted[j])
                if value is not None:
                    out[wanted[j]] = decode(value)
                j += 1
        blocks._next_block()
    return out


def positions_decoder(format_: Any) -> Decoder:
    """Whoosh's Positions.decode_positions without its per-call overhead (a phrase decodes
    thousands): the value is the frequency (4 bytes), then a pickled list of position deltas
    whose final STOP byte may have been dropped. Any other format decodes itself."""
    if not FAST or type(format_) is not formats.Positions:
        return format_.decode_positions

    def decode(value: bytes) -> list[int]:
        data = value[4:] if value.endswith(b".") else value[4:] + b"."
        return list(accumulate(loads(data)))

    return decode


def length_bytes(leaf: Any, fieldname: str) -> bytes | None:
    """The segment's length byte for each document in the field (Whoosh's lossy one-byte
    encoding), or None when the field keeps no lengths. The pinned Whoosh's column is read in
    one go; otherwise each document's length is asked for."""
    count = leaf.doc_count_all()
    lengths_of = getattr(leaf, "_perdoc", None) if FAST else None
    if lengths_of is None or not hasattr(lengths_of, "_cached_reader"):
        return bytes(length_to_byte(leaf.doc_field_length(d, fieldname, 0) or 0)
                     for d in range(count))
    column = lengths_of._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    raw = getattr(column, "_dbfile", None)
    if raw is not None and getattr(column, "_fixedlen", None) == 1:
        data = raw.get(column._basepos, column._count)
        return data + bytes(count - len(data)) if len(data) < count else data
    return bytes(column.load())


def _block_matcher(matcher: Any) -> Any:
    """The pinned Whoosh's block matcher under `matcher` (W3LeafMatcher, which a segment with
    deletions wraps), for reading its blocks whole; None for any other matcher."""
    if not FAST:
        return None
    child = getattr(matcher, "child", None)
    if type(matcher).__name__ == "FilterMatcher" and child is not None:
        matcher = child
    if type(matcher).__name__ == "W3LeafMatcher" and all(
        hasattr(matcher, a)
        for a in ("_read_data", "_data", "_byteids", "_blocklength", "_read_ids", "_read_values",
                  "_ids", "_values", "_i", "_maxid", "_next_block", "_fixedsize", "_postfile",
                  "_dataoffset", "_nextoffset", "_compression")
    ):
        return matcher
    return None


# -- writing --------------------------------------------------------------------------------------
class FlushingWriter(SegmentWriter):
    """Whoosh's segment writer, with a faster posting pool and the field lengths of a flush
    read once, not per posting (with the pinned Whoosh; otherwise Whoosh's own writer).

    The pool: a large add holds more postings than fit in `limitmb`, so Whoosh sorts them in
    runs on disk, pickling and unpickling each posting on its own (a quarter of indexing
    Reuters). Here a run is written as marshalled lists of postings, a few thousand at a time,
    so that a merge still holds little of each run in memory.

    The lengths: when a segment is flushed, Whoosh asks its per-document reader for the field
    length of every posting it writes: a stat() per posting for a field without lengths, a
    one-byte file read for one with (together a quarter of a Reuters batch's flush). A flush
    reads a finished segment, whose lengths cannot change: each field's column is loaded once.
    """

    pool: Any  # Whoosh's untyped PoolBase, replaced below

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        if FAST:
            pool = self.pool
            self.pool = _MarshalPool(pool.tempstore, pool.segment, limitmb=limitmb)

    def per_document_reader(self) -> Any:
        reader = super().per_document_reader()
        if not FAST:
            return reader
        scorable = {name for name, field in self.schema.items() if field.scorable}
        return _LoadedLengths(reader, scorable)

    @classmethod
    def unlocked(cls, ix: Any, limitmb: int, compound: bool) -> Any:
        """A writer that takes no write lock of its own: its caller holds the index's, or it
        writes its part of a parent's write."""
        return cls(ix, limitmb=limitmb, compound=compound, _lk=False)

    def finalize_segment(self) -> Segment:
        """Write this writer's segment and return it, without committing it to the index (a
        helper process's half of a write; see commit_beside)."""
        return self._finalize_segment()

    def commit_beside(self, before: Callable[[], None], other: Callable[[], Segment],
                      mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        """As SegmentWriter.commit, with `other()`'s segment (written by another writer on
        this writer's temporary folder) committed beside this writer's own. `before()` runs
        first, so that the other writer finishes while this one writes its segment."""
        self._check_state()
        before()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        segments.append(other())
        self._commit_toc(segments)
        self._finish()


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
