"""The library's tables: what each column holds and why the indexes are there."""

from __future__ import annotations

from index.storage import title_prefixes

SCHEMA_VERSION = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id      INTEGER PRIMARY KEY,
    title   TEXT NOT NULL,
    date    TEXT,
    source  TEXT,
    url     TEXT,
    byline  TEXT,
    origin  TEXT,           -- the file or feed it came from, to update a re-added file in place
    body    TEXT NOT NULL,  -- paragraphs joined by a blank line; passages hold their offsets
    hash    TEXT NOT NULL,  -- of title and body, for dedupe of copies without a URL
    added   TEXT NOT NULL,
    updated TEXT NOT NULL,
    rev     INTEGER NOT NULL  -- library revision of the last change, for index catch-up
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_origin ON articles(origin) WHERE origin IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_hash ON articles(hash);
CREATE INDEX IF NOT EXISTS articles_rev ON articles(rev);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
-- The library screen's three orders, exactly as summaries() sorts (else SQLite sorts every
-- article to show the first page: 0.4 s at 127.6k).
CREATE INDEX IF NOT EXISTS articles_newest ON articles(date IS NULL, date DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_by_title ON articles(title COLLATE NOCASE, id);
CREATE INDEX IF NOT EXISTS articles_by_source
    ON articles(source IS NULL, source COLLATE NOCASE, date DESC, id);
CREATE TABLE IF NOT EXISTS passages (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    PRIMARY KEY (article_id, n)
) WITHOUT ROWID;
-- Canonical entities and their mentions (filled by the entity extractor).
CREATE TABLE IF NOT EXISTS entities (
    id        INTEGER PRIMARY KEY,
    canonical TEXT NOT NULL,
    label     TEXT NOT NULL,    -- PERSON, ORG, PLACE, MISC
    UNIQUE (canonical, label)
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    passage    INTEGER NOT NULL,
    start      INTEGER NOT NULL,  -- offsets into the passage text
    end        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    entity_id  INTEGER NOT NULL REFERENCES entities(id)
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id, passage);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
-- Every name an entity was written as, normalised (index.entities.names.name_key): "US" and
-- "U.S." find "United States", "ISIS" the organisation an article spelled out.
CREATE TABLE IF NOT EXISTS entity_names (
    name      TEXT NOT NULL,
    entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (name, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_names_entity ON entity_names(entity_id);
-- The user's own data: never derived, never dropped with an article re-ingest.
CREATE TABLE IF NOT EXISTS bookmarks (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    passage    INTEGER,           -- NULL: the whole article
    quote      TEXT,              -- the bookmarked text, to re-anchor if paragraphs move
    start      INTEGER,           -- a span inside the passage, when a selection was bookmarked
    end        INTEGER,
    note       TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '',   -- space-separated
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    article_url   TEXT,           -- kept so an export stays useful if the article is removed
    article_title TEXT
);
CREATE TABLE IF NOT EXISTS reading_state (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    read       INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL DEFAULT 0,
    opened     TEXT
);
CREATE TABLE IF NOT EXISTS removed (article_id INTEGER PRIMARY KEY, rev INTEGER NOT NULL);
-- Words as written (lower-cased) with the number of articles using them: the vocabulary for
-- "did you mean" and as-you-type completion (the index itself only holds stems).
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
-- Subscriptions (index.feeds): the user's own data, like bookmarks.
CREATE TABLE IF NOT EXISTS feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,
    grp           TEXT NOT NULL DEFAULT '',  -- folder ("News/World"), from OPML or --group
    site_url      TEXT,
    full_text     INTEGER NOT NULL DEFAULT 0,  -- fetch each entry's page for its full text
    added         TEXT NOT NULL,
    etag          TEXT,           -- validators for the next conditional GET
    last_modified TEXT,
    last_fetched  TEXT,           -- last attempt, successful or not
    last_success  TEXT,
    last_error    TEXT,           -- NULL after a success
    failures      INTEGER NOT NULL DEFAULT 0,  -- in a row: the backoff doubles with each
    next_due      TEXT            -- when `refresh --due` fetches it again
);
-- Which article each feed entry became: entries are known again by id/guid across refreshes.
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,    -- guid, else link, else a digest of the entry
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,    -- digest of the entry as last seen: unchanged ones are skipped
    seen        TEXT NOT NULL,
    PRIMARY KEY (feed_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS feed_entries_article ON feed_entries(article_id, feed_id);
"""


SCHEMA = _TABLES + title_prefixes.SCHEMA
