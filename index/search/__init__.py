"""The search layer: the derived index (indexing/), query parsing and its graceful semantics,
ranking (ranking/), typo correction, completion, snippets. It reads the index through Whoosh's
public API and index.engine, and the library through its repository methods; it never writes
SQL, and storage never imports it (import-linter)."""
