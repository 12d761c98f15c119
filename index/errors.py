"""Errors the core reports to people: each message says what happened and what to do."""


class LibraryError(Exception):
    """The library file cannot be used; the message says what to do."""


class SearchIndexError(Exception):
    """The search index cannot be written (locked by another process for too long, disk
    full...) or is not open."""


class IngestError(Exception):
    """A whole input cannot be read; the message is the user-facing reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
