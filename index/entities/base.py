"""What every entity extractor gives back, whatever it is built on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

PERSON, ORG, PLACE, MISC = "PERSON", "ORG", "PLACE", "MISC"
LABELS = (PERSON, ORG, PLACE, MISC)


@dataclass(frozen=True, slots=True)
class Span:
    """A name found in a text: `text == source[start:end]`. `canonical` is the extractor's
    normal spelling when it knows one ("MOSCOW" → "Moscow"), else None."""

    start: int
    end: int
    text: str
    label: str
    canonical: str | None = None


@runtime_checkable
class Extractor(Protocol):
    """Finds names of people, organisations, places and other things (MISC) in plain text.

    `name` and `version` are stored with the library's mentions: when either changes,
    `newsreader reindex --entities` extracts them again."""

    name: str

    @property
    def version(self) -> str: ...

    def extract(self, text: str) -> list[Span]: ...
