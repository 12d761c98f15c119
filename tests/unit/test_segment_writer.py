"""FlushingWriter writes the segment Whoosh's own SegmentWriter writes, its posting pool spilling
to runs on disk as in a large add: every term with the same statistics (the lengths it reads
differently are in them) and the same postings."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as windex
from whoosh.writing import SegmentWriter

from index.core import Newsreader
from index.engine.whoosh_internals import FlushingWriter
from index.search.indexing.search_index import SCHEMA


def _documents(core: Newsreader) -> list[dict]:
    """Article and passage documents of the demo library, as the index holds them: fields
    present on some documents and absent on others, scored and unscored, with positions and
    without."""
    docs = []
    with core.index.searcher() as s:
        for n, fields in enumerate(s.all_stored_fields()):
            article = core.library.get(int(fields["article"]))
            if "n" in fields:
                text = article.paragraphs[fields["n"]]
                docs.append({"kind": "p", "article": fields["article"], "n": fields["n"],
                             "ptext": text})
            else:
                doc = {"kind": "a", "article": fields["article"],
                       "title": article.title, "body": "\n\n".join(article.paragraphs)}
                if n % 3:  # some without a source, some with one
                    doc["source"] = article.source or "somewhere"
                if n % 4 == 1:
                    doc["person"] = "alice smith"
                docs.append(doc)
    return docs


def _build(folder: Path, writer_class: type, docs: list[dict]):
    folder.mkdir()
    ix = windex.create_in(str(folder), SCHEMA)
    writer = writer_class(ix, limitmb=1)  # small: the pool spills to runs as a big add does
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def _contents(ix) -> dict:
    out = {}
    with ix.reader() as r:
        for fieldname, text in r.all_terms():
            info = r.term_info(fieldname, text)
            m = r.postings(fieldname, text)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out[fieldname, text] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(), postings,
            )
        lengths = {f: r.field_length(f) for f in SCHEMA.scorable_names()}
    return {"terms": out, "lengths": lengths}


def test_flushing_writer_writes_what_whoosh_writes(
    tmp_path: Path, demo_library: Newsreader
) -> None:
    docs = _documents(demo_library)
    assert sum(d["kind"] == "p" for d in docs) > 100
    ours = _contents(_build(tmp_path / "ours", FlushingWriter, docs))
    whoosh = _contents(_build(tmp_path / "whoosh", SegmentWriter, docs))
    assert ours["lengths"] == whoosh["lengths"]
    assert ours["terms"].keys() == whoosh["terms"].keys()
    different = [k for k, v in ours["terms"].items() if whoosh["terms"][k] != v]
    assert different == []
    # Lengths were read: the scored fields' terms carry real minimum and maximum lengths.
    assert any(v[2] > 0 for (f, _), v in ours["terms"].items() if f == "body")
