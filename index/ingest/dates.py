"""Normalise the many ways feeds and exports write a date to ISO 8601 (or None)."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# "31 May 2017", "May 31, 2017", "2017/05/31" — month names are matched by hand so the
# result never depends on the process locale (strptime's %B does).
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.? ([A-Za-z]+)\.?,? (\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")
_SLASHED = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_EPOCH = re.compile(r"\d{9,13}(?:\.\d+)?")


def normalize_date(value: Any) -> str | None:
    """ISO "YYYY-MM-DD" for a date, full ISO datetime for a moment, None if not understood."""
    try:
        return _normalize(value)
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def _normalize(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, time.struct_time | tuple):
        # feedparser's *_parsed values are UTC struct_times.
        return _moment(datetime(*value[:6]).replace(tzinfo=UTC))
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, date):
        return _day(value)
    if isinstance(value, int | float):
        return _epoch(float(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 64:
        return None
    if _EPOCH.fullmatch(text):
        return _epoch(float(text))
    for parse in (_iso_day, _iso_moment, _rfc2822, _words):
        result = parse(text)
        if result:
            return result
    return None


def _iso_day(text: str) -> str | None:
    try:
        return _day(date.fromisoformat(text))
    except ValueError:
        return None


def _iso_moment(text: str) -> str | None:
    try:
        return _moment(datetime.fromisoformat(text))
    except ValueError:
        return None


def _rfc2822(text: str) -> str | None:
    if not re.search(r"[A-Za-z]{3}", text):
        return None
    try:
        return _moment(parsedate_to_datetime(text))
    except (ValueError, TypeError, IndexError):
        return None


def _words(text: str) -> str | None:
    if m := _SLASHED.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(m[1]), _MONTHS.get(m[2].lower(), 0), int(m[3])
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = _MONTHS.get(m[1].lower(), 0), int(m[2]), int(m[3])
    else:
        return None
    return _day(date(year, month, day))


def _epoch(seconds: float) -> str | None:
    if seconds > 1e11:  # milliseconds, as JavaScript writes them
        seconds /= 1000
    return _moment(datetime.fromtimestamp(seconds, tz=UTC))


def _day(d: date) -> str | None:
    return d.isoformat() if 1000 <= d.year <= 9999 else None


def _moment(dt: datetime) -> str | None:
    if not 1000 <= dt.year <= 9999:
        return None
    return dt.isoformat(timespec="seconds")
