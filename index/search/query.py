"""Turn what a user typed into a Whoosh query. Never raises: syntax the parser cannot take
falls back to a literal search for the words."""

from __future__ import annotations

import calendar
import copy
import re
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.qparser.plugins import GtLtPlugin, PlusMinusPlugin

from index.search import text_analysis

# Plain words search titles and text. Not the source: a feed named "Business" or "BBC News"
# would make `business` or `news` match every article from it (and read the postings of a
# quarter of the library at every keystroke); `source:` says it.
SEARCH_FIELDS = ["title", "body"]
# Fields a user may name with `field:`; others are read as plain words.
USER_FIELDS = {"title", "body", "source"}
# Entity filters: `person:"Bashar Assad"`, `org:ISIS`, `place:US`, `entity:Moscow` (any type).
# Their index fields analyse a typed name into the same key as the names stored, aliases
# included, so no lookup is needed here (index.entities.names).
ENTITY_FIELDS = {"person", "org", "place", "entity"}
USER_FIELDS |= ENTITY_FIELDS
# `entity:` (any type) is not an index field: it searches each of these.
ANY_ENTITY = ("person", "org", "place", "misc")

_DATE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_DATE_FILTER = re.compile(
    rf"(?<!\S)date:(?P<from>{_DATE})?(?:(?P<dots>\.\.)(?P<to>{_DATE})?)?(?=\s|$)", re.I
)


# A pasted paragraph is a query; past this it is cut. Whoosh's parser is quadratic in the
# length of a word (one pasted run of letters took seconds), so words are cut to
# MAX_WORD_CHARS.
MAX_QUERY_CHARS = 4000
MAX_WORD_CHARS = 100
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")
# `+word`: this word is required (the plus sign goes before the parser sees the text).
_REQUIRED_WORD = re.compile(r"(?<![^\s(])\+([^\W_]+(?:['’][^\W_]+)*)")
_QUESTION = re.compile(r"(?<=[^\W_])\?+(?=[\s)\"]|$)")
_REQUIRED_MARK = re.compile(r"(?<![^\s(])\+(?=[^\W_])")


class DateError(ValueError):
    pass


@dataclass
class ParsedQuery:
    text: str
    query: Q.Query
    literal: bool = False  # the typed syntax was unusable: this searches the plain words
    date_range: tuple[int | None, int | None] | None = None
    words: list[str] = field(default_factory=list)  # plain words typed, in order
    # Stems of the words typed as `+word`: required even when matching degrades.
    required: frozenset[str] = frozenset()
    explicit_and: bool = False  # `AND` typed: every word is required (index.search.matching)


def parse(text: str, title_boost: float = 3.0, extra_fields: set[str] | None = None) -> ParsedQuery:
    text = _LONG_WORD.sub(lambda m: m.group()[:MAX_WORD_CHARS], text.strip()[:MAX_QUERY_CHARS])
    rest, date_range = _take_dates(text)
    required = frozenset(t for w in _REQUIRED_WORD.findall(rest) if (t := text_analysis.stem(w)))
    rest = _REQUIRED_MARK.sub("", rest)
    # A question mark ending a word ends a question; it is not Whoosh's one-letter wildcard.
    rest = _QUESTION.sub("", rest)
    fields = USER_FIELDS | (extra_fields or set())
    literal = False
    try:
        if _unbalanced(rest):
            raise ValueError("unbalanced quotes or brackets")
        parsed = _parser(title_boost).parse(rest) if rest.strip() else None
        if parsed is not None and _broken(parsed, fields):
            raise ValueError("unusable syntax")
    except Exception:  # noqa: BLE001 - any parser failure means: search the words literally
        parsed = _literal(rest, title_boost)
        literal = True
    parts: list[Q.Query] = []
    if parsed is not None and parsed is not Q.NullQuery:
        parts.append(parsed)
    if date_range is not None:
        parts.append(_day_range(*date_range))
    if not parts:
        query: Q.Query = Q.NullQuery
    elif len(parts) == 1:
        query = parts[0]
    else:
        query = Q.And(parts)
    query = _any_entity(query)
    if _needs_kind(query):
        # A purely negative query would match passage documents too.
        query = Q.And([Q.Term("kind", "a"), query])
    explicit_and = bool(re.search(r"(?<![^\s(])AND(?![^\s)])", rest))
    return ParsedQuery(text, query, literal, date_range, _plain_words(rest), required,
                       explicit_and)


def _parser(title_boost: float) -> MultifieldParser:
    parser = MultifieldParser(
        SEARCH_FIELDS, _parse_schema(), fieldboosts={"title": title_boost}, group=AndGroup
    )
    # Keep the syntax people know (words, "phrases", AND OR NOT, field:, *, ()) and drop the
    # rest, whose side effects surprise (`a<b` as a range, +/- as required/forbidden).
    parser.remove_plugin_class(GtLtPlugin)
    parser.remove_plugin_class(PlusMinusPlugin)
    return parser


_SCHEMA = None


def _parse_schema():
    """The index's schema plus `entity`, so that `entity:"Bashar Assad"` is analysed as the
    entity fields are (then _any_entity spreads it over them)."""
    global _SCHEMA
    if _SCHEMA is None:
        from index.search.indexing.search_index import SCHEMA

        schema = SCHEMA.copy()
        schema.add("entity", SCHEMA["person"])
        _SCHEMA = schema
    return _SCHEMA


def _any_entity(q: Q.Query) -> Q.Query:
    """`entity:X` as `person:X OR org:X OR place:X OR misc:X`."""
    if q.is_leaf():
        if getattr(q, "fieldname", None) != "entity":
            return q
        copies = []
        for name in ANY_ENTITY:
            c = copy.copy(q)
            c.fieldname = name
            copies.append(c)
        return Q.Or(copies)
    return q.apply(_any_entity)


def _literal(text: str, title_boost: float) -> Q.Query:
    words = text_analysis.terms(text)
    if not words:
        return Q.NullQuery
    per_word = [
        Q.Or([Q.Term("title", w, boost=title_boost), Q.Term("body", w)])
        for w in dict.fromkeys(words)
    ]
    return per_word[0] if len(per_word) == 1 else Q.And(per_word)



def _unbalanced(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("(") != text.count(")")


def _broken(q: Q.Query, fields: set[str]) -> bool:
    """True when the parse produced error nodes or searches a field the user may not name."""
    for node in _walk(q):
        if Q.NullQuery == node:  # its __eq__: any null query
            continue
        name = type(node).__name__
        if name == "ErrorQuery":
            return True
        fieldname = getattr(node, "fieldname", None)
        if fieldname and fieldname not in fields and fieldname != "kind":
            return True
    return False


def _walk(q: Q.Query):
    yield q
    for child in q.children():
        yield from _walk(child)


def _needs_kind(q: Q.Query) -> bool:
    if isinstance(q, Q.Not | Q.Every):
        return True
    if isinstance(q, Q.And):
        return all(_needs_kind(c) for c in q.children())
    if isinstance(q, Q.Or):
        return any(_needs_kind(c) for c in q.children())
    return False


def _plain_words(text: str) -> list[str]:
    cleaned = re.sub(r"\b\w+:", " ", text)
    return [w for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", cleaned)
            if w not in ("AND", "OR", "NOT")]


# -- dates ------------------------------------------------------------------------------------
def _take_dates(text: str) -> tuple[str, tuple[int | None, int | None] | None]:
    found = None
    for match in _DATE_FILTER.finditer(text):
        try:
            start = _day(match["from"], first=True) if match["from"] else None
            if match["dots"]:
                end = _day(match["to"], first=False) if match["to"] else None
            else:
                end = _day(match["from"], first=False) if match["from"] else None
        except DateError:
            continue
        if start is None and end is None:
            continue
        found = (start, end)
        text = text.replace(match.group(0), " ", 1)
    return text, found


def _day_range(start: int | None, end: int | None) -> Q.Query:
    """Articles dated from `start` to `end` (yyyymmdd, inclusive; None: open). Not
    Q.NumericRange: Whoosh 2.7's split_ranges builds coarse tiers that overshoot the range
    (date:..2017-05-31 matched 2019). This ranges over the full-precision terms only, one
    per distinct day in the library."""
    from index.search.indexing.search_index import SCHEMA

    field = SCHEMA["day"]
    low = field.to_bytes(start if start is not None else field.min_value)
    high = field.to_bytes(end if end is not None else field.max_value)
    return Q.TermRange("day", low, high)


def _day(value: str, first: bool) -> int:
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (1 if first else 12)
    if not 1 <= month <= 12:
        raise DateError(value)
    if len(parts) > 2:
        day = parts[2]
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise DateError(value)
    else:
        day = 1 if first else calendar.monthrange(year, month)[1]
    return year * 10000 + month * 100 + day
