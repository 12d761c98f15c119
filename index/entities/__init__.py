"""Entities: extract names of people, organisations and places (and MISC: nationalities,
events, works), recognise one entity under its many names, store the mentions in the library,
and give the search index and the reader what they need."""

from __future__ import annotations

from collections.abc import Callable

from index.entities.base import LABELS, MISC, ORG, PERSON, PLACE, Extractor, Span
from index.entities.builtin import BuiltinExtractor

__all__ = [
    "LABELS",
    "MISC",
    "ORG",
    "PERSON",
    "PLACE",
    "BuiltinExtractor",
    "Extractor",
    "Span",
    "make_extractor",
]


class NoExtractor:
    """`entities: {backend: none}`: ingest stores no mentions."""

    name = "none"
    version = "0"

    def extract(self, text: str) -> list[Span]:
        return []


def make_extractor(
    backend: str = "builtin",
    spacy_model: str = "en_core_web_sm",
    notify: Callable[[str], None] | None = None,
) -> Extractor:
    """The configured extractor. A spaCy backend that cannot be loaded is reported through
    `notify` and replaced by the built-in one: ingest never fails for want of a model."""
    if backend == "none":
        return NoExtractor()
    if backend == "spacy":
        from index.entities.spacy_backend import SpacyExtractor, SpacyUnavailable

        try:
            return SpacyExtractor(spacy_model)
        except SpacyUnavailable as exc:
            if notify:
                notify(f"entities: {exc}; using the built-in extractor")
    elif backend != "builtin" and notify:
        notify(f"entities: unknown backend {backend!r}; using the built-in extractor")
    return BuiltinExtractor()
