"""The storage layer: the library of record in SQLite and the only place SQL is written.
It imports nothing from the search layer or the features above it (import-linter)."""
