"""Errors the core reports to people: each message says what happened and what to do."""


class LibraryError(Exception):
    """The library file cannot be used; the message says what to do."""


class IndexError_(Exception):  # noqa: N801 - the trailing underscore avoids the builtin
    """The index cannot be written (locked by another process for too long, disk full...)."""
