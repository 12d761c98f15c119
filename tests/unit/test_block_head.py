"""A postings block's document numbers and weights decoded without its values (positions):
exactly what unpickling the whole block gives, for every shape the pinned Whoosh writes, and
no answer (so the whole block is read) for any other."""

from __future__ import annotations

import pickle
import zlib

import pytest

from index.core import Newsreader
from index.engine import whoosh_internals
from index.engine.whoosh_internals import decode_head

# Deltas as Whoosh writes them (BININT1, BININT2 and BININT sizes), for 1-3 postings (TUPLE1-3),
# 4 and a full block of 128 (MARK ... TUPLE).
IDS = [(5,), (1, 300), (7, 70_000, 2), (0, 1, 255, 256), tuple(range(1, 129)),
       (2_000_000_000,) * 128]
# Weights: None (all 1.0), one float (all equal), or one each.
WEIGHTS = [lambda n: None, lambda n: 2.0, lambda n: tuple(float(i % 5 + 1) for i in range(n))]


def block(ids: tuple, weights, values: tuple | None, compressed: bool) -> bytes:
    data = pickle.dumps((ids, weights, values), 2)
    return zlib.compress(data, 3) if compressed else data


@pytest.mark.parametrize("compressed", [True, False], ids=["zlib", "raw"])
@pytest.mark.parametrize("make_weights", WEIGHTS, ids=["none", "one-float", "tuple"])
@pytest.mark.parametrize("ids", IDS, ids=lambda ids: f"{len(ids)}-postings")
def test_the_head_is_what_the_whole_block_holds(ids: tuple, make_weights, compressed: bool) -> None:
    n = len(ids)
    weights = make_weights(n)
    # Positions as Whoosh keeps them: 4 bytes of frequency, then a pickled list of deltas.
    values = tuple(b"\x00\x00\x00\x01" + pickle.dumps([i, 3], 2)[2:] for i in range(n))
    raw = block(ids, weights, values, compressed)
    whole = pickle.loads(zlib.decompress(raw) if compressed else raw)
    assert decode_head(raw, n, compressed) == (whole[0], whole[1])


def test_anything_else_is_left_to_the_whole_read() -> None:
    ids = (1, 2, 3, 4)
    values = (b"a", b"b", b"c", b"d")
    assert decode_head(block(ids, (1.0,) * 4, values, True), 5, True) is None  # count differs
    assert decode_head(block(ids, [1.0] * 4, values, True), 4, True) is None  # a list
    as_v4 = zlib.compress(pickle.dumps((ids, None, values), 4), 3)
    assert decode_head(as_v4, 4, True) is None
    big = zlib.compress(pickle.dumps(((1, 2**40, 3, 4), None, values), 2), 3)  # LONG1
    assert decode_head(big, 4, True) is None


def test_ranking_reads_the_heads_of_positions_blocks(
    demo_library: Newsreader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a real index, the body's blocks (with positions) are read by their heads alone,
    and give the postings that reading them whole (as values are read) gives."""
    heads: list[bool] = []
    decode = whoosh_internals.decode_head

    def counted(raw: bytes, count: int, compressed: bool):
        found = decode(raw, count, compressed)
        heads.append(found is not None)
        return found

    monkeypatch.setattr(whoosh_internals, "decode_head", counted)
    with demo_library.index.searcher() as s:
        reader = s.reader()
        terms = [t for t in reader.field_terms("body")][:300]
        for text in terms:
            by_head = whoosh_internals.postings(reader.postings("body", text))
            values: list[bytes] = []
            whole = whoosh_internals.postings(reader.postings("body", text), values)
            assert by_head == whole and len(values) == len(whole[0]), text
    assert heads and all(heads)
