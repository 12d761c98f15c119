"""A local HTTP test server's handler basics, shared by the ingest and security tests."""

from __future__ import annotations

import http.server


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
