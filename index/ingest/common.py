"""Shapes and helpers every loader shares: limits, results, and building a clean Article."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

from index.errors import IngestError
from index.model import Article, IngestFailure
from index.sanitize import clean_line, clean_text, decode_bytes

MIB = 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    """Bounds that keep one hostile input from exhausting memory, time or the screen."""

    max_file_bytes: int = 64 * MIB
    max_paragraph_chars: int = 4000
    # One article's text beyond this is refused: indexing it would take minutes and hundreds
    # of MB (a one-line file of tens of MB did). A long book is ~3 M characters.
    max_article_chars: int = 4_000_000
    max_title_chars: int = 300
    url_timeout: float = 15.0
    url_max_bytes: int = 16 * MIB
    max_redirects: int = 5


@dataclass
class Parsed:
    """One result of ingest: an article, a failure, or a file skipped while walking a folder."""

    article: Article | None = None
    failure: IngestFailure | None = None
    skipped: bool = False
    path: str | None = None  # the skipped file, for verbose reports

    @classmethod
    def ok(cls, article: Article) -> Parsed:
        return cls(article=article)

    @classmethod
    def fail(cls, path: str, reason: str) -> Parsed:
        return cls(failure=IngestFailure(path=path, reason=reason))

    @classmethod
    def skip(cls, path: str) -> Parsed:
        return cls(skipped=True, path=path)


@dataclass
class Context:
    """Where the text being parsed came from."""

    label: str  # how failures name it: the path as given, "<stdin>" or the URL
    origin: str | None  # Article.origin for a single-article input (absolute path, URL)
    limits: IngestLimits
    base_url: str | None = None  # the URL a fetched document came from

    def row_origin(self, row: int | str, url: str | None) -> str | None:
        """Origin of one article of many: only rows without a URL need one to be found again."""
        if url or not self.origin:
            return None
        return f"{self.origin}#{row}"


def human_size(n: int) -> str:
    """A byte count for a reason line: "80 MiB", "1.5 KiB", "12 bytes"."""
    if n < 1024:
        return f"{n} bytes"
    size = float(n)
    unit = "KiB"
    for unit in ("KiB", "MiB", "GiB"):  # noqa: B007 — the unit reached is the answer
        size /= 1024
        if size < 1024:
            break
    return f"{size:.1f} {unit}".replace(".0 ", " ")


def decode(data: bytes, charset: str | None = None) -> str:
    """Decode with sanitize.decode_bytes, honouring a declared charset when UTF-8 fails.

    Raises sanitize.NotText for binary data.
    """
    text = decode_bytes(data)
    if not charset or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return text
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        return text
    if codec.startswith(("utf-8", "utf-16", "utf-32")):
        return text
    try:
        data.decode("utf-8")
        return text  # valid UTF-8 wins over a (often wrong) declaration
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return text


_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")
_WS = re.compile(r"\s")
_BLANK_LINES = re.compile(r"\n\s*\n")
_SPACE_RUNS = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")  # only runs that need changing


def split_long(paragraph: str, limit: int) -> list[str]:
    """Split a paragraph longer than `limit` at whitespace, preferably after a sentence."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: list[str] = []
    start, n = 0, len(paragraph)
    while n - start > limit:
        # +1 so that whitespace right after a full-length piece still counts as a break.
        window = paragraph[start : start + limit + 1]
        cut = 0
        for m in _SENTENCE_END.finditer(window, limit // 2):
            if m.end() <= limit:
                cut = m.end()
        if not cut:
            cut = max(window.rfind(" ", 1), window.rfind("\n", 1))
            if cut <= 0:  # only other spaces (no-break, ideographic): the slow way
                cut = max((m.start() for m in _WS.finditer(window, 1)), default=0)
        if not cut:
            cut = limit  # one enormous "word": cut it hard
        piece = paragraph[start : start + cut].strip()
        if piece:
            pieces.append(piece)
        start += cut
        while start < n and paragraph[start].isspace():
            start += 1
    rest = paragraph[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def truncate_title(title: str, limit: int) -> str:
    """Shorten a title to `limit` characters at a word boundary, marked with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


_FIRST_SENTENCE = re.compile(r"(.+?[.!?…])(?=\s|$)", re.DOTALL)


def title_from_body(paragraphs: list[str], limit: int) -> str:
    """A title for an untitled article: the first sentence (or line) of its body."""
    for para in paragraphs:
        head = para[: limit * 2].strip()
        if not head:
            continue
        m = _FIRST_SENTENCE.match(head)
        sentence = m.group(1) if m else head
        if sentence.endswith(".") and not sentence.endswith(".."):
            sentence = sentence[:-1]
        return truncate_title(clean_line(sentence), limit)
    return ""


def clean_paragraphs(paragraphs: Iterable[str], limit: int) -> list[str]:
    """Sanitize paragraphs, drop empty ones, split those over the length limit."""
    out: list[str] = []
    for para in paragraphs:
        # Inside a paragraph only single newlines (code, verse) survive; runs of spaces collapse.
        text = clean_text(para).strip()
        if "\n" in text:
            text = _BLANK_LINES.sub("\n", text)
        if "  " in text or "\t" in text or "\f" in text or "\v" in text:
            text = _SPACE_RUNS.sub(" ", text)
        if text:
            out.extend(split_long(text, limit))
    return out


def build_article(
    title: str | None,
    paragraphs: Iterable[str],
    limits: IngestLimits,
    *,
    date: str | None = None,
    source: str | None = None,
    url: str | None = None,
    byline: str | None = None,
    origin: str | None = None,
) -> Article:
    """Make a sanitized Article; raises IngestError when there is neither title nor body."""
    paras = clean_paragraphs(paragraphs, limits.max_paragraph_chars)
    size = sum(len(p) for p in paras)
    if size > limits.max_article_chars:
        raise IngestError(
            f"article too long ({size:,} characters, limit {limits.max_article_chars:,});"
            " split it into smaller files"
        )
    clean_title = clean_line(title) if title else ""
    if clean_title:
        # The title is often repeated as the body's first paragraph (an <h1>, a heading).
        if paras and clean_line(paras[0]).casefold() == clean_title.casefold():
            paras.pop(0)
        clean_title = truncate_title(clean_title, limits.max_title_chars)
    else:
        clean_title = title_from_body(paras, limits.max_title_chars)
    if not clean_title:
        raise IngestError("no title or text")
    return Article(
        title=clean_title,
        paragraphs=paras,
        date=date,
        source=_field(source),
        url=_field(url),
        byline=_field(byline),
        origin=origin,
    )


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_line(value)
    return value[:1000] or None
