"""Snippets: a window of passage text around the densest cluster of hits, with hit spans as
offsets (structured data, never markup)."""

from __future__ import annotations

from index.model import Snippet

ELLIPSIS = "…"


def make_snippet(text: str, spans: list[tuple[int, int]], width: int = 240) -> Snippet:
    if len(text) <= width:
        return Snippet(text, list(spans))
    if not spans:
        cut = _word_end(text, width)
        return Snippet(text[:cut].rstrip() + ELLIPSIS, [])
    start = _best_window(spans, width)
    # Show a little context before the first hit, starting on a word boundary.
    start = max(0, start - width // 6)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    end = _word_end(text, start + width)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    body = text[start:end].strip()
    lead = text[start:end].find(body[:1]) if body else 0
    offset = start + lead
    shift = len(prefix) - offset
    inside = [(s + shift, e + shift) for s, e in spans if s >= offset and e <= offset + len(body)]
    return Snippet(prefix + body + suffix, inside)


def _best_window(spans: list[tuple[int, int]], width: int) -> int:
    """Start offset of the window of `width` chars holding the most hits."""
    best_start, best_count, j = spans[0][0], 0, 0
    for i, (s, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_count:
            best_count, best_start = j - i, s
    return best_start


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos)
    return space if space != -1 and space - pos < 30 else pos
