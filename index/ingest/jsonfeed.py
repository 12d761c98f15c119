"""JSON and JSON Lines exports: one object per article, with the field names people use."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from index.errors import IngestError
from index.ingest.common import Context, Parsed, build_article
from index.ingest.dates import normalize_date
from index.ingest.html import html_to_paragraphs, looks_like_html
from index.model import Article
from index.sanitize import split_paragraphs

_LIST_KEYS = ("articles", "items", "entries", "data")
# Full text before summaries; JSON Feed (jsonfeed.org) names last.
_BODY_KEYS = ("body", "content", "text", "article", "content_text", "description", "summary")
_HTML_BODY_KEYS = ("content_html",)
_DATE_KEYS = (
    "date",
    "published",
    "pubDate",
    "published_at",
    "date_published",
    "created_at",
    "time",
    "updated",
    "date_modified",
)
_URL_KEYS = ("url", "link", "href", "permalink")
_SOURCE_KEYS = ("source", "feed", "site", "publisher", "outlet")
_BYLINE_KEYS = ("author", "authors", "byline")


class RowError(ValueError):
    """One row or item is unusable; the message is the reason."""


def load_json(text: str, ctx: Context) -> Iterator[Parsed]:
    """A .json file: one article, a list of them, or {"articles": [...]} and similar."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"invalid JSON: {_json_reason(exc, lines=True)}") from None
    except RecursionError:
        raise IngestError("invalid JSON: nested too deeply") from None
    if isinstance(data, dict):
        for key in _LIST_KEYS:
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if isinstance(data, dict):
        try:
            yield Parsed.ok(row_to_article(data, ctx, ctx.origin))
        except RowError as exc:
            raise IngestError(str(exc)) from None
        return
    if not isinstance(data, list):
        raise IngestError("not an article object or a list of articles")
    if not data:
        raise IngestError("no articles in file")
    for i, item in enumerate(data):
        yield _row(item, ctx, f"{ctx.label}[{i}]", i)


def load_jsonl(lines: Iterable[tuple[int, str]], ctx: Context) -> Iterator[Parsed]:
    """JSON Lines, row by row: a bad row is reported with its line number, the rest arrive."""
    rows = 0
    for lineno, line in lines:
        if not line.strip():
            continue
        rows += 1
        where = f"{ctx.label}:{lineno}"
        try:
            item = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield Parsed.fail(where, f"invalid JSON: {_json_reason(exc)}")
            continue
        except RecursionError:
            yield Parsed.fail(where, "invalid JSON: nested too deeply")
            continue
        yield _row(item, ctx, where, lineno)
    if not rows:
        raise IngestError("empty file")


def _row(item: Any, ctx: Context, where: str, row: int) -> Parsed:
    try:
        if not isinstance(item, dict):
            raise RowError("not a JSON object")
        return Parsed.ok(row_to_article(item, ctx, None, row=row))
    except (RowError, IngestError) as exc:
        return Parsed.fail(where, str(exc))
    except Exception as exc:  # noqa: BLE001 — one odd row must not stop the others
        return Parsed.fail(where, f"could not read: {type(exc).__name__}: {exc}")


def row_to_article(obj: dict[str, Any], ctx: Context, origin: str | None, row: int = 0) -> Article:
    """Map one JSON object to an Article (raises RowError with the reason)."""
    title = obj.get("title", obj.get("headline"))
    if title is not None and not isinstance(title, str):
        raise RowError(f"title is {_type_name(title)}, not a string")
    paragraphs: list[str] = []
    for key in (*_BODY_KEYS, *_HTML_BODY_KEYS):
        value = obj.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            value = value["value"]  # {"type": "html", "value": "..."} as feed converters write
        if not isinstance(value, str):
            raise RowError(f"{key} is {_type_name(value)}, not a string")
        if key in _HTML_BODY_KEYS or looks_like_html(value):
            paragraphs = html_to_paragraphs(value)
        else:
            paragraphs = split_paragraphs(value)
        break
    if not (title or "").strip() and not paragraphs:
        raise RowError("no title or body")

    url = _text(_first(obj, _URL_KEYS), "href")
    try:
        return build_article(
            title,
            paragraphs,
            ctx.limits,
            date=normalize_date(_first(obj, _DATE_KEYS)),
            source=_text(_first(obj, _SOURCE_KEYS), "name", "title"),
            url=url,
            byline=_names(_first(obj, _BYLINE_KEYS)),
            origin=origin if origin is not None else ctx.row_origin(row, url),
        )
    except IngestError as exc:
        raise RowError(exc.reason) from None


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any, *keys: str) -> str | None:
    """A string field, or the named string inside an object ({"name": "Reuters"})."""
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), str):
                return value[key]
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _names(value: Any) -> str | None:
    if isinstance(value, list):
        names = [_text(v, "name") for v in value]
        return ", ".join(n.strip() for n in names if n and n.strip()) or None
    return _text(value, "name")


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _json_reason(exc: json.JSONDecodeError, lines: bool = False) -> str:
    where = f"line {exc.lineno} column {exc.colno}" if lines else f"column {exc.colno}"
    msg = exc.msg.removesuffix(" at")  # "Invalid control character at"
    return f"{msg[:1].lower()}{msg[1:]} at {where}"
