"""Build Rich `Text` from article text and offsets. Article text is data: it is never parsed as
markup, and control characters are stripped again at render time (defence in depth)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

from index.sanitize import strip_controls


def safe(text: str) -> str:
    return strip_controls(text)


def styled(text: str, spans: Iterable[tuple[int, int]] = (), style: Style | str = "",
           base: Style | str = "") -> Text:
    """`text` as a Text object with `style` over each (start, end) span."""
    result = Text(safe(text), style=base, no_wrap=False, end="")
    length = len(result.plain)
    for start, end in spans:
        if 0 <= start < end <= length:
            result.stylize(style, start, end)
    return result


def one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(safe(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
