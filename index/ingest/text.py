"""Plain text: the first non-empty line is the title, the rest the body."""

from __future__ import annotations

from collections.abc import Iterator

from index.ingest.common import Context, Parsed, build_article
from index.sanitize import clean_text, split_paragraphs


def split_title(text: str, max_title_chars: int) -> tuple[str | None, str]:
    """(first non-empty line, the rest). A first line far longer than any title is body text,
    and the title is then made from its first sentence."""
    text = text.lstrip()
    first, _, rest = text.partition("\n")
    if len(first) > 2 * max_title_chars:
        return None, text
    return first.strip(), rest


def load_text(text: str, ctx: Context) -> Iterator[Parsed]:
    title, rest = split_title(clean_text(text), ctx.limits.max_title_chars)
    yield Parsed.ok(build_article(title, split_paragraphs(rest), ctx.limits, origin=ctx.origin))
