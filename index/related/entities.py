"""The canonical entities a source names, their rarity, and the boost a result gets for
sharing them (rarer entities count more)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from index.related.results import Candidate
from index.search import text_analysis
from index.storage.library import Library

# Score multiplier per shared canonical entity (scaled by the entity's rarity), and its cap.
ENTITY_BOOST = 0.25
ENTITY_BOOST_CAP = 1.0


@dataclass
class Entity:
    id: int
    name: str
    forms: set[str] = field(default_factory=set)
    idf: float = 1.0


def entity_terms(named: dict[int, Entity]) -> set[str]:
    """The index terms of the entities' names and of every form the source writes them as."""
    out: set[str] = set()
    for e in named.values():
        for form in (e.name, *e.forms):
            out.update(text_analysis.terms(form))
    return out


class EntityWeights:
    """Entities' rarity (idf over articles), remembered until the index changes."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._idf: dict[int, float] = {}
        self._articles = 0  # the library's count for the idf (a COUNT(*) is not free)

    def clear(self) -> None:
        self._idf.clear()
        self._articles = 0

    def of_source(self, article_id: int, passage: int | None) -> dict[int, Entity]:
        """The canonical entities the source names (none until the extractor has run)."""
        entities: dict[int, Entity] = {}
        for entity_id, canonical, text in self.library.named_in(article_id, passage):
            entities.setdefault(entity_id, Entity(entity_id, canonical)).forms.add(text)
        unknown = [e for e in entities if e not in self._idf]
        if unknown:
            if not self._articles:
                self._articles = max(self.library.count(), 1)
            total = self._articles
            counts = self.library.entity_article_counts(unknown)
            for e in unknown:
                self._idf[e] = math.log(1 + total / max(counts.get(e, 1), 1))
        for entity in entities.values():
            entity.idf = self._idf[entity.id]
        return entities


def rerank(found: list[Candidate], library: Library, whole: bool, named: dict[int, Entity]) -> None:
    """Boost each candidate by the source's entities it names (in its passage; for a whole
    article, anywhere in it) and note them as its reason."""
    if not named or not found:
        return
    articles = sorted({c.article for c in found})
    by_passage: dict[tuple[int, int], set[int]] = {}
    by_article: dict[int, set[int]] = {}
    for article, passage, entity in library.mentions_among(list(named), articles):
        by_passage.setdefault((article, passage), set()).add(entity)
        by_article.setdefault(article, set()).add(entity)
    top_idf = max(e.idf for e in named.values()) or 1.0
    for c in found:
        shared = (
            by_article.get(c.article, set())
            if whole
            else by_passage.get((c.article, c.passage), set())
        )
        if shared:
            c.entities = shared
            gain = sum(named[e].idf / top_idf for e in shared) * ENTITY_BOOST
            c.score *= 1 + min(gain, ENTITY_BOOST_CAP)
