"""The library of record in SQLite: articles and passages, listings, reading state, the
vocabulary, entity mentions and bookmarks, one repository per domain over one database. The
search index is derived from it and can always be rebuilt from it."""

from __future__ import annotations

from index.storage.articles import ArticleStore
from index.storage.bookmarks import BookmarkStore
from index.storage.listing import ArticleListing
from index.storage.mentions import MentionStore
from index.storage.reading import ReadingState
from index.storage.words import WordStore


class Library(
    ArticleStore, ArticleListing, ReadingState, WordStore, MentionStore, BookmarkStore
):
    """The library's repositories on one database (lemon24/reader's per-domain storage
    mixins): a caller holds one object, each domain's SQL lives in its own module. Safe to
    share between threads: each thread gets its own connection."""
