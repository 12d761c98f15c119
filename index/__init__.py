"""newsreader's headless core: ingest, library, search, fuzzy matching and export.

Nothing in this package imports `textual` or `reader`; a test proves it.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
