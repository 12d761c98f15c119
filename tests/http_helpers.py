"""A local HTTP test server's handler basics, shared by the ingest and security tests."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """Replies in one call each, and keeps the test output free of request logs."""

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def run_server(httpd: http.server.HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Serve `httpd` in a thread for one test, with proxy variables unset so that requests to
    127.0.0.1 go straight to it; `release` (an Event attribute, if the server has one) is set
    at the end, ending any answer still held."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        release = getattr(httpd, "release", None)
        if release is not None:
            release.set()
        httpd.shutdown()
        httpd.server_close()
