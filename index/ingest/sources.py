"""Turn user inputs (files, folders, URLs, stdin) into a stream of parsed articles or failures.

Every input is guarded on its own: a bad file, row or URL becomes a failure with a short
reason and the others still arrive. Nothing is held longer than needed: JSON Lines files are
read line by line, and results are yielded as soon as they are parsed.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from index.errors import IngestError
from index.ingest.common import (
    Context,
    IngestLimits,
    Parsed,
    decode,
    human_size,
)
from index.ingest.feeds import load_feed, opml_feed_urls
from index.ingest.fetch import FetchedDoc, check_scheme, fetch_url
from index.ingest.html import load_html
from index.ingest.jsonfeed import load_json, load_jsonl
from index.ingest.markdown import load_markdown
from index.ingest.sniff import kind_for_content_type, kind_for_path, refine, sniff
from index.ingest.text import load_text
from index.sanitize import NotText

__all__ = ["FetchedDoc", "IngestLimits", "Parsed", "iter_inputs"]

Fetcher = Callable[[str], FetchedDoc]

_LOADERS: dict[str, Callable[[str, Context], Iterator[Parsed]]] = {
    "text": load_text,
    "markdown": load_markdown,
    "html": load_html,
    "json": load_json,
    "feed": load_feed,
}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")
STDIN_LABEL = "<stdin>"


def iter_inputs(
    inputs: list[str],
    *,
    stdin: BinaryIO | None = None,
    limits: IngestLimits | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[Parsed]:
    """Parse each input — a file, a directory (recursively), an http(s) URL, or "-" for
    stdin — yielding a Parsed per article, per failure, and per file skipped in a folder."""
    limits = limits or IngestLimits()
    run = _Run(limits, fetcher or (lambda url: fetch_url(url, limits)), stdin)
    for item in inputs:
        if item == "-":
            yield from _guarded(STDIN_LABEL, run.stdin())
        elif _URL.match(item) and not os.path.lexists(item):
            yield from _guarded(item, run.url(item))
        else:
            yield from _guarded(item, run.path(item))


def _guarded(label: str, results: Iterable[Parsed]) -> Iterator[Parsed]:
    """Results of one input; whatever goes wrong becomes a failure naming that input."""
    try:
        yield from results
    except IngestError as exc:
        yield Parsed.fail(label, exc.reason)
    except OSError as exc:
        yield Parsed.fail(label, _os_reason(exc))
    except Exception as exc:  # noqa: BLE001 — a loader bug must not end the whole ingest
        yield Parsed.fail(label, f"could not read: {type(exc).__name__}: {str(exc)[:200]}")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


class _Run:
    def __init__(self, limits: IngestLimits, fetch: Fetcher, stdin: BinaryIO | None) -> None:
        self.limits = limits
        self.fetch = fetch
        self.stdin_stream = stdin

    # -- files and folders -------------------------------------------------------------

    def path(self, path: str) -> Iterator[Parsed]:
        try:
            st = os.stat(path)
        except OSError as exc:
            yield Parsed.fail(path, _os_reason(exc))
            return
        if stat.S_ISDIR(st.st_mode):
            yield from self.walk(path)
        else:
            # An explicitly named file is read whatever its extension: the content decides.
            yield from _guarded(path, self.file(path, kind_for_path(path)))

    def walk(self, top: str) -> Iterator[Parsed]:
        errors: list[OSError] = []
        seen: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(top, followlinks=True, onerror=errors.append):
            yield from self._walk_errors(errors)
            try:
                st = os.stat(dirpath)
            except OSError as exc:
                dirnames[:] = []
                yield Parsed.fail(dirpath, _os_reason(exc))
                continue
            # Symlinks may lead back up the tree: each real directory is read once.
            if (st.st_dev, st.st_ino) in seen:
                dirnames[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                kind = kind_for_path(name)
                if kind is None:
                    yield Parsed.skip(path)  # README, NOTICE, images, PDFs...
                else:
                    yield from _guarded(path, self.file(path, kind))
        yield from self._walk_errors(errors)

    @staticmethod
    def _walk_errors(errors: list[OSError]) -> Iterator[Parsed]:
        for err in errors:
            yield Parsed.fail(str(err.filename or "?"), _os_reason(err))
        errors.clear()

    def file(self, path: str, kind: str | None) -> Iterator[Parsed]:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise IngestError("not a regular file")  # a FIFO or device would block or never end
        self._check_size(st.st_size, "file")
        if st.st_size == 0:
            raise IngestError("empty file")
        ctx = Context(label=path, origin=os.path.abspath(path), limits=self.limits)
        if kind == "jsonl":
            yield from load_jsonl(_file_lines(path), ctx)
            return
        with open(path, "rb") as f:
            data = f.read(self.limits.max_file_bytes + 1)
        self._check_size(len(data), "file")  # it may have grown since stat
        yield from self.parse(data, kind, ctx, empty="empty file")

    def _check_size(self, size: int, what: str) -> None:
        limit = self.limits.max_file_bytes
        if size > limit:
            raise IngestError(f"{what} too large ({human_size(size)}, limit {human_size(limit)})")

    # -- stdin and URLs ----------------------------------------------------------------

    def stdin(self) -> Iterator[Parsed]:
        stream = self.stdin_stream
        if stream is None:
            if sys.stdin is None:
                raise IngestError("no standard input")
            stream = sys.stdin.buffer
        data = stream.read(self.limits.max_file_bytes + 1)
        if isinstance(data, str):  # a text stream was passed in
            data = data.encode("utf-8")
        if len(data) > self.limits.max_file_bytes:
            raise IngestError(f"input too large (limit {human_size(self.limits.max_file_bytes)})")
        if not data:
            raise IngestError("empty input")
        ctx = Context(label=STDIN_LABEL, origin=None, limits=self.limits)
        yield from self.parse(data, None, ctx, empty="empty input")

    def url(self, url: str, *, from_opml: bool = False) -> Iterator[Parsed]:
        check_scheme(url)
        try:
            doc = self.fetch(url)
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 — an injected fetcher may raise anything
            raise IngestError(f"could not fetch: {type(exc).__name__}: {exc}") from None
        if len(doc.data) > self.limits.url_max_bytes:
            raise IngestError(
                f"response too large ({human_size(len(doc.data))}, "
                f"limit {human_size(self.limits.url_max_bytes)})"
            )
        kind = kind_for_content_type(doc.content_type or "")
        ctx = Context(label=url, origin=url, limits=self.limits, base_url=doc.url or url)
        yield from self.parse(
            doc.data,
            kind,
            ctx,
            empty="empty response",
            charset=doc.charset,
            follow_opml=not from_opml,
        )

    # -- one document ------------------------------------------------------------------

    def parse(
        self,
        data: bytes,
        kind: str | None,
        ctx: Context,
        *,
        empty: str,
        charset: str | None = None,
        follow_opml: bool = True,
    ) -> Iterator[Parsed]:
        text = document_text(data, charset, empty)
        kind = sniff(text) if kind is None else refine(kind, text)
        if kind == "jsonl":
            yield from load_jsonl(enumerate(io.StringIO(text), start=1), ctx)
        elif kind == "opml":
            if not follow_opml:
                raise IngestError("an OPML list inside an OPML list is not followed")
            yield from self.opml(text)
        else:
            yield from _LOADERS[kind](text, ctx)

    def opml(self, text: str) -> Iterator[Parsed]:
        # Each listed feed is an input of its own: its failure names its URL.
        for feed_url in opml_feed_urls(text):
            yield from _guarded(feed_url, self.url(feed_url, from_opml=True))


def document_text(data: bytes, charset: str | None = None, empty: str = "empty input") -> str:
    """A fetched or read document as text (its declared charset honoured where UTF-8 fails);
    IngestError for binary data or a blank document."""
    try:
        text = decode(data, charset or _declared_charset(data))
    except NotText:
        raise IngestError("binary file, not text") from None
    if not text.strip():
        raise IngestError(empty)
    return text


_DECLARED = re.compile(
    rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
    rb"""|<meta[^>]{0,300}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""",
    re.IGNORECASE,
)


def _declared_charset(data: bytes) -> str | None:
    """The encoding an XML declaration or HTML <meta> names (used only if UTF-8 fails)."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii")


_BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _file_lines(path: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of a file, one line in memory at a time."""
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
        try:
            sample = decode(head)  # raises NotText for binary data
        except NotText:
            raise IngestError("binary file, not text") from None
        f.seek(0)
        encoding = next((name for bom, name in _BOM_CODECS if head.startswith(bom)), None)
        if encoding is None and b"\x00" in head[:4096] and "\x00" not in sample:
            # UTF-16 without a BOM (decode_bytes recognised it): let the codec stream it.
            encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        if encoding:
            wrapper = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="")
            for lineno, line in enumerate(wrapper, start=1):
                yield lineno, line
            return
        for lineno, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    line = decode(raw)
                except NotText:
                    line = raw.decode("utf-8", errors="replace")
            yield lineno, line
