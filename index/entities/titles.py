"""An article's title read with its body, so that a name found in one is known in the other,
whatever the headline's style: sentence case is read as it is; a Title Case headline with its
ordinary words in lower case ("Fire Crews Rescue Workers Near Lyon" as "Fire crews rescue workers
near Lyon"); in a headline in capitals, the names the body gives are found again ("BAHIA COCOA
REVIEW": Bahia if the body names it), since its capitals tell nothing."""

from __future__ import annotations

import re
from dataclasses import replace

from index.entities import gazetteer
from index.entities.base import Extractor, Span
from index.entities.names import name_key

_WORD = re.compile(r"[^\W\d_]{3,}")


def read_with_title(extractor: Extractor, title: str, body: str) -> tuple[str, list[Span]]:
    """The text `title + blank line + body` (the body alone for no title) and its spans,
    sorted by start; offsets are into that text."""
    if not title.strip():
        return body, sorted(extractor.extract(body), key=lambda s: s.start)
    text = title + "\n\n" + body
    if _shouting(title):
        # The body alone, at its place in the text, then its names looked for in the title.
        spans = extractor.extract(" " * len(title) + "\n\n" + body)
        spans = [replace(s, text=text[s.start : s.end]) for s in spans]
        return text, sorted(spans + _names_again(title, spans), key=lambda s: s.start)
    reading = _sentence_cased(title) if title_cased(title) else title
    spans = extractor.extract(reading + "\n\n" + body)
    if reading != title:  # names keep their capitals: only ordinary words changed
        spans = [
            replace(s, text=text[s.start : s.end]) if s.start < len(title) else s for s in spans
        ]
    return text, sorted(spans, key=lambda s: s.start)


def _shouting(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _names_again(title: str, spans: list[Span]) -> list[Span]:
    """The body's names where the title writes them too (any case), longest first, apart."""
    found: list[Span] = []
    taken: list[tuple[int, int]] = []
    seen: set[str] = set()
    for s in sorted(spans, key=lambda s: -len(s.text)):
        k = name_key(s.text)
        if k in seen or len(s.text) < 2:
            continue
        seen.add(k)
        for m in re.finditer(rf"(?<!\w){re.escape(s.text)}(?!\w)", title, re.IGNORECASE):
            if not any(m.start() < e and b < m.end() for b, e in taken):
                taken.append((m.start(), m.end()))
                found.append(Span(m.start(), m.end(), m.group(), s.label, s.canonical))
    return found


def title_cased(title: str) -> bool:
    """A Title Case headline ("Russia Says Troops Retook Palmyra"): its capitals say little.
    Told by the ordinary words after the first: capitalised, nearly all of them."""
    common = gazetteer.load().common
    words = [w for w in _WORD.findall(title)[1:] if w.lower() in common]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _sentence_cased(title: str) -> str:
    """The title with its ordinary words after the first in lower case (same length)."""
    common = gazetteer.load().common
    first = _WORD.search(title)
    skip = first.end() if first else 0
    return title[:skip] + _WORD.sub(
        lambda m: m.group().lower() if m.group().lower() in common else m.group(), title[skip:]
    )
