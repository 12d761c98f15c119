"""The index documents of library articles: one per article, and one per passage of an article
of several paragraphs. Pure: what it needs from the library comes in an `IndexInput`, so that
a helper process (index.search.indexing.helper_process) can build documents without the library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from whoosh.fields import Schema

from index.search.indexing.preanalysed import body_and_passages


class IndexInput(NamedTuple):
    """What the index takes from one article: its row, passage offsets and entity fields."""

    id: int
    title: str
    date: str | None
    source: str | None
    body: str
    spans: list[tuple[int, int]]  # the passages' offsets in the body
    entities: dict[str, str]  # person/org/place/misc → comma-separated names


def documents(inputs: list[IndexInput], schema: Schema) -> Iterator[dict]:
    """The documents to add for these articles (the body analysed once for both kinds)."""
    for a in inputs:
        aid = str(a.id)
        doc: dict[str, Any] = {"kind": "a", "article": aid, "title": a.title, "body": a.body}
        if a.source:
            doc["source"] = a.source
        day = day_number(a.date)
        if day:
            doc["day"] = day
        doc.update(a.entities)
        # A one-paragraph article is its own best passage: no passage document needed.
        if len(a.spans) <= 1:
            yield doc
            continue
        doc["body"], passages = body_and_passages(a.body, a.spans, schema["body"],
                                                  schema["ptext"])
        yield doc
        for n, ptext in enumerate(passages):
            yield {"kind": "p", "article": aid, "n": n, "ptext": ptext}


def day_number(iso: str | None) -> int | None:
    """yyyymmdd for an ISO date or datetime string, for range queries and sorting."""
    if not iso:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        m2 = re.match(r"(\d{4})(?:-(\d{2}))?", iso)
        if not m2:
            return None
        return int(m2[1]) * 10000 + int(m2[2] or 1) * 100 + 1
    return int(m[1]) * 10000 + int(m[2]) * 100 + int(m[3])
