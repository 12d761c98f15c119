"""What the related finder returns, and what it raises for a source that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class RelatedError(ValueError):
    """The source article or passage does not exist; the message says which."""


@dataclass
class Related:
    """One related passage (for a whole article: the related article at its best passage)."""

    id: int  # article id
    title: str
    passage: int  # passage number inside that article
    text: str  # the passage text
    score: float  # 0-1: the share of the query matched (every key term, average length: 1)
    why: dict[str, list[str]] = field(default_factory=lambda: {"entities": [], "terms": []})
    also_in: list[int] = field(default_factory=list)  # ids of near-duplicate copies

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "passage": self.passage,
            "text": self.text,
            "score": round(self.score, 4),
            "why": {"entities": list(self.why["entities"]), "terms": list(self.why["terms"])},
            "also_in": list(self.also_in),
        }


@dataclass
class Candidate:
    """A passage (or an article) found, before it is checked, re-ranked and grouped."""

    article: int
    passage: int  # -1: an article-level hit, placed at its best passage later
    score: float
    entities: set[int] = field(default_factory=set)


def best_per_article(found: list[Candidate]) -> list[Candidate]:
    """The best candidate of each article, best first."""
    best: dict[int, Candidate] = {}
    for c in found:
        if c.article not in best or c.score > best[c.article].score:
            best[c.article] = c
    return sorted(best.values(), key=lambda c: c.score, reverse=True)
