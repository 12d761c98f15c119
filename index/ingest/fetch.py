"""Fetch one http(s) document with bounded size, time and redirects (stdlib urllib)."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from index.errors import IngestError
from index.ingest.common import IngestLimits, human_size

USER_AGENT = "newsreader/0.1"
_SCHEMES = ("http", "https")
_CHUNK = 64 * 1024


@dataclass
class FetchedDoc:
    url: str  # after redirects
    content_type: str  # media type only, lower case ("text/html"); "" when not sent
    data: bytes
    charset: str | None = None
    status: int = 200  # 304: not modified since the validators sent (data is empty)
    # Validators for the next conditional GET (ETag / Last-Modified), as the server sent them.
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(IngestError):
    """A URL could not be fetched; the message is the user-facing reason."""


def check_scheme(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        raise FetchError(f"unsupported URL scheme: {scheme or 'none'}" if scheme else "not a URL")


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        super().__init__()
        # Per handler, not per class: typeshed calls these ClassVars, but urllib reads them
        # through self, so an instance attribute is the documented way to set a limit.
        self.max_redirections = limit  # type: ignore[misc]  # see above
        self.max_repeats = min(self.max_repeats, limit)  # type: ignore[misc]  # see above

    def http_error_302(self, req, fp, code, msg, headers):
        # A redirect to file:, ftp: or data: would escape the http-only rule.
        location = headers.get("location") or headers.get("uri")
        if location and self.max_redirections <= 0:
            fp.close()
            raise FetchError("too many redirects (limit 0)")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            scheme = urllib.parse.urlsplit(target).scheme.lower()
            if scheme not in _SCHEMES:
                fp.close()
                raise FetchError(f"redirect to unsupported URL scheme: {scheme}")
        try:
            return super().http_error_302(req, fp, code, msg, headers)
        except urllib.error.HTTPError as exc:
            # Only this hop's own refusals are rewritten; an error further on passes through.
            msg = str(exc.msg)
            if msg.startswith(self.inf_msg):
                exc.close()
                raise FetchError(f"too many redirects (limit {self.max_redirections})") from None
            raise

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch_url(
    url: str,
    limits: IngestLimits | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchedDoc:
    """GET `url`; raises FetchError with a short reason on any failure. With `etag` or
    `last_modified` (from an earlier fetch) the request is conditional: an unchanged document
    comes back as status 304 with no data."""
    limits = limits or IngestLimits()
    check_scheme(url)
    opener = urllib.request.build_opener(
        _Redirects(limits.max_redirects), urllib.request.HTTPSHandler()
    )
    send = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if etag:
        send["If-None-Match"] = etag
    if last_modified:
        send["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=send)
    timeout = limits.url_timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            data = _read(response, limits)
            final_url = response.geturl()
            headers: Message = response.headers
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and (etag or last_modified):
            return FetchedDoc(
                url=exc.geturl() or url,
                content_type="",
                data=b"",
                status=304,
                etag=exc.headers.get("ETag") or etag,
                last_modified=exc.headers.get("Last-Modified") or last_modified,
            )
        raise FetchError(f"HTTP {exc.code} {exc.reason}".rstrip()) from None
    except urllib.error.URLError as exc:
        raise FetchError(_network_reason(exc.reason, timeout)) from None
    except TimeoutError:  # socket.timeout is an alias
        raise FetchError(f"timed out after {timeout:g} s") from None
    except http.client.HTTPException as exc:  # a broken or truncated response
        raise FetchError(f"bad HTTP response: {type(exc).__name__}") from None
    except (OSError, ValueError) as exc:
        # http.client raises bare exceptions for broken responses (IncompleteRead, bad status).
        raise FetchError(_network_reason(exc, timeout)) from None
    return FetchedDoc(
        url=final_url,
        content_type=headers.get_content_type() if headers.get("Content-Type") else "",
        data=data,
        charset=headers.get_content_charset(),
        etag=headers.get("ETag"),
        last_modified=headers.get("Last-Modified"),
    )


def _read(response, limits: IngestLimits) -> bytes:
    # A slow trickle must not hold ingest forever: the whole body gets a deadline too.
    deadline = time.monotonic() + 4 * limits.url_timeout
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.url_max_bytes:
        raise FetchError(_too_big(int(declared), limits))
    chunks: list[bytes] = []
    size = 0
    # read1: what has arrived, in at most one system call. read(n) waits for all n bytes, so
    # a server trickling a byte at a time would hold it past the deadline until it stopped.
    read = getattr(response, "read1", response.read)
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limits.url_max_bytes:
            raise FetchError(_too_big(None, limits))
        if time.monotonic() > deadline:
            raise FetchError(f"download took longer than {4 * limits.url_timeout:g} s")
    return b"".join(chunks)


def _too_big(size: int | None, limits: IngestLimits) -> str:
    limit = human_size(limits.url_max_bytes)
    if size is None:
        return f"response larger than the {limit} limit"
    return f"response too large ({human_size(size)}, limit {limit})"


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, socket.gaierror):
        return "could not resolve host"
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ConnectionResetError):
        return "connection reset"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "TLS certificate not trusted"
    if isinstance(reason, ssl.SSLError):
        return "TLS error"
    text = str(getattr(reason, "strerror", None) or reason).strip()
    return f"could not fetch: {text[:1].lower()}{text[1:200]}" if text else "could not fetch"
