"""The engine boundary: every use of Whoosh's private API is in whoosh_internals, checked
against the pinned Whoosh version at import, so that a Whoosh upgrade (or another engine)
touches this package only. It imports neither the search layer, storage, the features nor
the facade (import-linter)."""
