"""What the security tests share: a marker that must never leak, and checks for it."""

from __future__ import annotations

import re
from pathlib import Path

SECRET = "SECRET-MARKER-5b1f0c"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_clean(text: str) -> None:
    """No terminal control or bidi override left, nor the payload of a stripped sequence."""
    assert not CONTROLS.search(text), repr(text)
    for payload in ("52;c;", "cm0gLXJmIH4K", "evil.example", "]8;;", "pwned", "[2J", "+q544e"):
        assert payload not in text, (payload, text)


def library_has(library: Path, marker: str) -> list[str]:
    """Files anywhere in the library (SQLite, its journal, the index) holding `marker`."""
    needle = marker.encode()
    return [str(p) for p in library.rglob("*") if p.is_file() and needle in p.read_bytes()]


def rss_feed(items: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}<rss version="2.0"><channel><title>Wire</title>'
        f"{items}</channel></rss>\n"
    )


def rss_item(title: str, description: str, link: str) -> str:
    return (
        f"<item><title>{title}</title><description>{description}</description>"
        f"<link>{link}</link></item>"
    )
