"""Ingest: turn files, folders, feeds, URLs and stdin into sanitized Articles or failures.

Parsing only; storing and dedupe belong to the library.
"""

from index.ingest.common import IngestLimits, Parsed
from index.ingest.fetch import FetchedDoc, FetchError, fetch_url
from index.ingest.sources import iter_inputs

__all__ = ["FetchError", "FetchedDoc", "IngestLimits", "Parsed", "fetch_url", "iter_inputs"]
