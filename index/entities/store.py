"""Entity mentions in the library: extract them for articles (at ingest and on
`reindex --entities`), link them to canonical entities shared across the library, and read them
back for the reader, the CLI and the search index."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from index.entities.base import Extractor, Span
from index.entities.canon import Group, group
from index.entities.gazetteer import GazetteerError
from index.entities.names import name_key
from index.entities.titles import read_with_title
from index.storage.library import Library
from index.storage.mentions import MentionWriter

META_KEY = "entities_extractor"
_CHUNK = 500  # articles extracted, and their mentions stored, at a time


# The passage number a title's mentions are stored under (offsets into the title); body
# passages are numbered from 0.
TITLE = -1
_ACROSS = -2  # located across two paragraphs (or in a gap): not stored
# 2: the title's names are stored too. Part of the extractor id, so that a library whose
# mentions were found before is told to find them again.
_LAYOUT = 2


@dataclass(frozen=True)
class Mention:
    """One name in one passage; `start`/`end` are offsets into that passage's text, or into the
    title when `passage` is TITLE."""

    passage: int
    start: int
    end: int
    text: str
    label: str
    canonical: str
    entity_id: int

    @property
    def part(self) -> str:
        return "title" if self.passage == TITLE else "body"

    def to_json(self) -> dict:
        in_title = self.passage == TITLE
        return {
            "text": self.text,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "part": self.part,
            "passage": None if in_title else self.passage,
            "canonical": self.canonical,
        }


@dataclass(frozen=True)
class EntityCount:
    """An entity of an article with how often the article names it."""

    entity_id: int
    canonical: str
    label: str
    count: int


def extractor_id(extractor: Extractor) -> str:
    return f"{extractor.name} {extractor.version} layout {_LAYOUT}"


def annotate(
    library: Library,
    article_ids: Iterable[int],
    extractor: Extractor,
    notify: Callable[[str], None] | None = None,
) -> int:
    """Extract and store the mentions of these articles (replacing any they had). Extraction
    runs outside the write transaction; each batch of articles is stored in one transaction.
    Returns the number of mentions stored."""
    ids = sorted(set(article_ids))
    if not ids:
        return 0
    if notify and stale(library, extractor) and not getattr(extractor, "_told_stale", False):
        notify(
            f"entities: this library's names were found by {library.meta(META_KEY)};"
            " run `newsreader reindex --entities` to find them again with"
            f" {extractor_id(extractor)}"
        )
        extractor._told_stale = True  # type: ignore[attr-defined]  # once per process
    stored = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        try:
            found = list(_extract(library, chunk, extractor))
        except GazetteerError as exc:
            # A broken install: the articles are stored and searchable, only without entities.
            if notify:
                notify(f"entities: {exc}")
            return stored
        stored += store_found(library, found, extractor)
    return stored


Found = tuple[list[Group], list[tuple[int, int, Span]]]  # an article's groups, located spans


def store_found(
    library: Library,
    found: list[tuple[int, list[Group], list[tuple[int, int, Span]]]],
    extractor: Extractor,
) -> int:
    """Store what was extracted from these articles (replacing the mentions they had), in one
    transaction; links each group to the library's entity. Returns the mentions stored."""
    if not found:
        return 0
    ids = [article_id for article_id, _, _ in found]
    rows = []
    with library.mention_writer() as db:
        db.delete_mentions(ids)
        cache: dict[tuple[str, str], int] = {}
        for n, (article_id, groups, located) in enumerate(found):
            # A name seen earlier in the chunk is linked as it was then; chunks as annotate
            # makes them, so that where names are found does not change how they link.
            if n % _CHUNK == 0:
                cache = {}
            for g in groups:
                entity_id = _entity(db, g, cache)
                for i in g.members:
                    passage, pstart, span = located[i]
                    if passage != _ACROSS:
                        rows.append(
                            (
                                article_id,
                                passage,
                                span.start - pstart,
                                span.end - pstart,
                                span.text,
                                entity_id,
                            )
                        )
        db.add_mentions(rows)
        # Only a full re-extraction may say that the library's mentions are by another.
        db.set_meta(META_KEY, extractor_id(extractor), replace=False)
    return len(rows)


def stale(library: Library, extractor: Extractor) -> bool:
    """True when stored mentions were made by another extractor or other word lists."""
    made_by = library.meta(META_KEY)
    return made_by is not None and made_by != extractor_id(extractor)


def reextract(
    library: Library, extractor: Extractor, progress: Callable[[int, int], None] | None = None
) -> int:
    """Extract the mentions of every article again (after the extractor or its data changed),
    then drop entities no article mentions any more. Returns the number of articles."""
    ids = library.article_ids()
    for start in range(0, len(ids), _CHUNK):
        annotate(library, ids[start : start + _CHUNK], extractor)
        if progress:
            progress(min(start + _CHUNK, len(ids)), len(ids))
    with library.mention_writer() as db:
        db.drop_unmentioned_entities()
        db.set_meta(META_KEY, extractor_id(extractor))
    return len(ids)


def _extract(
    library: Library, ids: list[int], extractor: Extractor
) -> Iterator[tuple[int, list[Group], list[tuple[int, int, Span]]]]:
    offsets = library.passage_offsets(ids)
    for row in library.article_rows(ids).values():
        found = extract_text(extractor, row["body"], offsets.get(row["id"], []), row["title"])
        yield (row["id"], *found)


def extract_text(
    extractor: Extractor, body: str, offsets: list[tuple[int, int]], title: str = ""
) -> Found:
    """The entity groups of an article and where each span is: (passage number, the passage's
    start, span), passage TITLE for a name in the title, _ACROSS for a span across two
    paragraphs (not stored). The title is read with the body, so that a name found in one is
    known in the other. Depends on nothing but its arguments, so it can run in another
    process."""
    text, spans = read_with_title(extractor, title, body)
    shift = len(text) - len(body)
    starts = [s + shift for s, _ in offsets]
    ends = [e + shift for _, e in offsets]
    located = []
    for span in spans:
        if span.start < shift:
            located.append((TITLE if span.end <= len(title) else _ACROSS, 0, span))
            continue
        n = bisect.bisect_right(starts, span.start) - 1
        if n < 0 or span.end > ends[n]:
            located.append((_ACROSS, 0, span))
        else:
            located.append((n, starts[n], span))
    return group(text, [loc[2] for loc in located]), located


def _entity(db: MentionWriter, g: Group, cache: dict[tuple[str, str], int]) -> int:
    """The library's entity for an article's group: found by any full name it was written as
    (its canonical name first), else created; its names are recorded for search and linking."""
    canonical_key = name_key(g.canonical)
    keys = [canonical_key] + sorted(g.keys - {canonical_key})
    # A lone surname ("Assad" in an article that never gives the full name) may link to the
    # person it names elsewhere; a full name never links through a surname.
    if " " not in canonical_key and g.label == "PERSON":
        keys += sorted(g.partial)
    entity_id = None
    for key in keys:
        entity_id = cache.get((key, g.label))
        if entity_id is None:
            entity_id = db.entity_named(key, g.label, g.canonical)
        if entity_id is not None:
            break
    if entity_id is None:
        entity_id = db.entity(g.canonical, g.label)
    names = g.keys | g.partial
    # A name the cache already links to this entity was recorded for it in this chunk: the
    # same names recur in article after article ("Reuters", "US"), and one INSERT per group
    # was a tenth of an ingest's main process.
    new = [(k, entity_id) for k in names if cache.get((k, g.label)) != entity_id]
    if new:
        db.add_names(new)
    for k in names:
        cache.setdefault((k, g.label), entity_id)
    return entity_id


# -- reading ------------------------------------------------------------------------------------
def mentions(library: Library, article_id: int) -> list[Mention]:
    """An article's mentions in reading order (passage, then offset)."""
    return [
        Mention(
            r["passage"],
            r["start"],
            r["end"],
            r["text"],
            r["label"],
            r["canonical"],
            r["entity_id"],
        )
        for r in library.mention_rows(article_id)
    ]


def by_passage(items: list[Mention]) -> dict[int, list[Mention]]:
    out: dict[int, list[Mention]] = {}
    for m in items:
        out.setdefault(m.passage, []).append(m)
    return out


def counts(library: Library, article_id: int) -> list[EntityCount]:
    """The article's entities, most mentioned first (then by name)."""
    tally: Counter[int] = Counter()
    info: dict[int, tuple[str, str]] = {}
    for m in mentions(library, article_id):
        tally[m.entity_id] += 1
        info[m.entity_id] = (m.canonical, m.label)
    return sorted(
        (EntityCount(i, info[i][0], info[i][1], n) for i, n in tally.items()),
        key=lambda c: (-c.count, c.canonical.casefold()),
    )


def index_fields(library: Library, article_ids: list[int]) -> dict[int, dict[str, str]]:
    """For the search index: per article, the names of its entities by field (person, org,
    place, misc), comma-separated. Each entity contributes every name the library knows it
    by, so `org:ISIS` finds an article that only wrote "Islamic State"."""
    out: dict[int, dict[str, set[str]]] = {}
    field_of = {"PERSON": "person", "ORG": "org", "PLACE": "place", "MISC": "misc"}
    for article_id, label, canonical, name in library.entity_names_in(article_ids):
        fields = out.setdefault(article_id, {})
        names = {canonical.replace(",", " ")}
        if name:
            names.add(name)
        if label in field_of:
            fields.setdefault(field_of[label], set()).update(names)
    return {a: {f: ", ".join(sorted(v)) for f, v in fields.items()} for a, fields in out.items()}
