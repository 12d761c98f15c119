"""The related finder: for a passage or a whole article, the passages of other articles
most related to it, each with its reason; and the public functions that reach it."""

from __future__ import annotations

import heapq
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from index.related.duplicates import group_duplicates
from index.related.entities import Entity, EntityWeights, entity_terms, rerank
from index.related.key_terms import (
    ARTICLE_IDF_POWER,
    ARTICLE_TERMS,
    CONTEXT_TERMS,
    CONTEXT_WEIGHT,
    PASSAGE_IDF_POWER,
    PASSAGE_TERMS,
    analyse,
    best_passage,
    key_terms,
    surface,
)
from index.related.results import Candidate, Related, RelatedError, best_per_article
from index.related.scoring import Scorer
from index.related.statistics import IndexStatistics
from index.search import text_analysis
from index.search.indexing.search_index import SearchIndex
from index.storage.library import Library

# Postings read per query at most (each is a Python step): the rarest, most telling terms
# come first; a common word that would overrun the budget is left out. This bounds the p95: a
# passage query follows the reader's cursor, an article's is made once per article opened.
PASSAGE_BUDGET = 16_000
ARTICLE_BUDGET = 14_000
# Best raw sums re-scored with their document's length (BM25 length normalisation).
PRESELECT = 50
# A passage's score adds its article's score times this.
ARTICLE_WEIGHT = 0.5
# Candidates kept per result wanted: room for same-article passages and duplicates.
FETCH_FACTOR = 4
# A passage with a related passage scoring at least this and sharing an entity or this many of
# its own words with it is "strong" (the reader marks it). Unrelated demo articles score
# 0.15-0.35, the Syria pair 0.5-1.
STRONG_SCORE = 0.4
STRONG_TERMS = 3


# -- public functions ---------------------------------------------------------------------------
def related_passages(
    core_or_parts: Any, article_id: int, passage: int, limit: int = 5
) -> list[Related]:
    """The passages of other articles most related to passage `passage` of `article_id`.
    `core_or_parts`: a Newsreader, or a (Library, SearchIndex) pair. Its cost is measured by
    bench/eval_related.py (figures in the README)."""
    return finder(core_or_parts).passages(article_id, passage, limit)


def related_articles(core_or_parts: Any, article_id: int, limit: int = 5) -> list[Related]:
    """The other articles most related to the whole of `article_id`, each at its best passage."""
    return finder(core_or_parts).articles(article_id, limit)


def strong_passages(
    core_or_parts: Any, article_id: int, threshold: float = STRONG_SCORE
) -> set[int]:
    """Numbers of the passages of `article_id` that have a strongly related passage elsewhere.
    Costs one related-passages query per passage (a long article's add up to a noticeable
    fraction of a second), each taking the searcher lock on its own so panel updates
    interleave: call it from a worker, after the article is shown."""
    return finder(core_or_parts).strong(article_id, threshold)


_FINDERS: weakref.WeakKeyDictionary[SearchIndex, RelatedFinder] = weakref.WeakKeyDictionary()
_FINDERS_LOCK = threading.Lock()


def finder(core_or_parts: Any) -> RelatedFinder:
    """The RelatedFinder of a library, kept (with its caches) as long as its index lives."""
    if isinstance(core_or_parts, tuple):
        library, index = core_or_parts
    else:
        library, index = core_or_parts.library, core_or_parts.index
    with _FINDERS_LOCK:
        found = _FINDERS.get(index)
        if found is None or found.library is not library:
            found = _FINDERS[index] = RelatedFinder(library, index)
        return found


# -- the finder ---------------------------------------------------------------------------------
@dataclass
class _Source:
    article: int
    passage: int | None  # None: the whole article
    title: str
    text: str  # the passage; for a whole article, title and body
    paragraphs: list[str]
    # Its words by index term, and (for a passage) its article's: for the reasons given.
    words: dict[str, str] = field(default_factory=dict)
    context_words: dict[str, str] = field(default_factory=dict)


class RelatedFinder:
    """Finds related passages and articles, keeping between calls what is costly to look up:
    the article documents that have passage documents, document frequencies, the key terms of
    the article being read and the rarity of entities."""

    def __init__(self, library: Library, index: SearchIndex) -> None:
        self.library = library
        self.index = index
        self._key: tuple[int, int] | None = None  # (index generation, searcher) of the caches
        self.stats = IndexStatistics(library)
        self.entities = EntityWeights(library)
        # The articles read lately: their key terms (at CONTEXT_WEIGHT) and their words by
        # index term (to give reasons in the source's words).
        self._context: OrderedDict[int, tuple[dict[str, float], dict[str, str]]] = OrderedDict()

    # -- public ---------------------------------------------------------------------------------
    def passages(
        self, article_id: int, passage: int, limit: int = 5, entities: bool = True
    ) -> list[Related]:
        source = self._source(article_id, passage)
        if limit < 1 or not source.text.strip():
            return []
        with self.index.searcher() as s:
            reader, named, terms = self._query_terms(
                s, source, entities, PASSAGE_TERMS, PASSAGE_IDF_POWER
            )
            if not terms:
                return []
            context, source.context_words = self._article_context(reader, source)
            # The query: the passage's terms, and its article's at CONTEXT_WEIGHT; a term in
            # both counts once, at the higher weight.
            weights = dict(context)
            for t, w in terms.items():
                weights[t] = max(w, weights.get(t, 0.0))
            own = set(s.document_numbers(article=str(article_id)))
            scorer = Scorer(reader, self.stats, PASSAGE_BUDGET)
            sums = scorer.sums(weights, ("ptext", "body"))
            scored = self._passage_scores(s, scorer, sums, own)
            # What a passage having every term, in an article having every term, would score.
            ideal = scorer.ideal["ptext"] + ARTICLE_WEIGHT * scorer.ideal["body"]
            found = [
                Candidate(a, n, score)
                for a, n, score in heapq.nlargest(
                    limit * FETCH_FACTOR, scored.values(), key=itemgetter(2)
                )
            ]
            return self._finish(source, found, ideal, weights, named, limit)

    def _passage_scores(
        self, s, scorer: Scorer, sums: dict[str, dict[int, float]], leave_out: set[int]
    ) -> dict[int, tuple[int, int, float]]:
        """The best PRESELECT passages, each as (article, passage, score): its own BM25 plus
        ARTICLE_WEIGHT × its article's (a passage is read as part of its article, so a passage
        of an article about the same thing ranks above a chance match of a few words). A
        one-paragraph article's document is its passage 0 and its article at once."""
        reader = s.reader()
        body = sums["body"]
        best = heapq.nlargest(PRESELECT, sums["ptext"].items(), key=itemgetter(1))
        ranked = [(v, "ptext", d) for d, v in best]
        masked = self.stats.multi_docs
        # (Articles of one paragraph only, as their passage; dict order kept for ties.)
        pool = [d for d in body if d not in masked] if masked else body
        ranked.extend(
            (body[d], "body", d) for d in heapq.nlargest(PRESELECT, pool, key=body.__getitem__)
        )
        ranked.sort(reverse=True)
        out: dict[int, tuple[int, int, float]] = {}
        for total, f, d in ranked:
            if d in leave_out:
                continue
            own_score = scorer.bm25(f, total, d)
            if not own_score:
                continue
            fields = reader.stored_fields(d)
            article = int(fields["article"])
            if f == "body":
                out[d] = (article, 0, own_score * (1 + ARTICLE_WEIGHT))
            else:
                n = int(fields["n"])
                # Passage documents follow their article's document (see _sync); checked.
                head = d - n - 1
                found = reader.stored_fields(head) if head >= 0 else {}
                if found.get("article") != fields["article"] or "n" in found:
                    head = s.document_number(article=str(article), kind="a")
                whole = scorer.bm25("body", body.get(head, 0.0), head) if head is not None else 0
                out[d] = (article, n, own_score + ARTICLE_WEIGHT * whole)
            if len(out) >= PRESELECT:
                break
        return out

    def articles(self, article_id: int, limit: int = 5, entities: bool = True) -> list[Related]:
        source = self._source(article_id, None)
        if limit < 1:
            return []
        with self.index.searcher() as s:
            reader, named, weights = self._query_terms(
                s, source, entities, ARTICLE_TERMS, ARTICLE_IDF_POWER
            )
            if not weights:
                return []
            own = s.document_number(article=str(article_id), kind="a")
            scorer = Scorer(reader, self.stats, ARTICLE_BUDGET)
            body = scorer.sums(weights, ("body",))["body"]
            scores = {d: scorer.bm25("body", v, d) for d, v in _top(body, PRESELECT + 1)}
            scores.pop(own, None)
            found = [
                Candidate(int(reader.stored_fields(d)["article"]), -1, score)
                for d, score in _top(scores, limit * FETCH_FACTOR)
                if score
            ]
            found = [c for c in found if c.article != article_id]
            return self._finish(source, found, scorer.ideal["body"], weights, named, limit)

    def _query_terms(
        self, s, source: _Source, entities: bool, count: int, idf_power: float
    ) -> tuple[Any, dict[int, Entity], dict[str, float]]:
        """Under the searcher's lock: the index reader, the entities the source names (if
        `entities`) and its key terms, the words of those entities among them."""
        self._sync(s)
        named = self.entities.of_source(source.article, source.passage) if entities else {}
        reader = s.reader()
        words = analyse(source.text)
        source.words = surface(words)
        terms = self._key_terms(reader, words, count, idf_power, entity_terms(named))
        return reader, named, terms

    def strong(self, article_id: int, threshold: float = STRONG_SCORE) -> set[int]:
        out = set()
        for n, text in enumerate(self._source(article_id, None).paragraphs):
            best = self.passages(article_id, n, limit=1)
            if not best or best[0].score < threshold:
                continue
            # Strong about this paragraph, not just its article: it shares an entity with
            # it, or several of its own words.
            own = set(text_analysis.terms(text))
            shared = [t for t in best[0].why["terms"] if text_analysis.stem(t) in own]
            if best[0].why["entities"] or len(shared) >= STRONG_TERMS:
                out.add(n)
        return out

    # -- the source -----------------------------------------------------------------------------
    def _source(self, article_id: int, passage: int | None) -> _Source:
        row = self.library.article_rows([article_id]).get(article_id)
        if row is None:
            raise RelatedError(f"no article with id {article_id}")
        title, body = row["title"], row["body"]
        paragraphs = self.library.paragraphs(article_id, body)
        if passage is None:
            return _Source(article_id, None, title, title + "\n\n" + body, paragraphs)
        if not 0 <= passage < len(paragraphs):
            count = len(paragraphs)
            have = (
                f"passages 0-{count - 1}"
                if count > 1
                else ("one passage, 0" if count == 1 else "no passages")
            )
            raise RelatedError(f"article {article_id} has {have}; there is no passage {passage}")
        return _Source(article_id, passage, title, paragraphs[passage], paragraphs)

    def _article_context(self, reader, source: _Source) -> tuple[dict[str, float], dict[str, str]]:
        """The key terms of the source's article (scaled by CONTEXT_WEIGHT) and its words by
        index term, kept for the articles read last: the panel follows the cursor through one
        article."""
        found = self._context.get(source.article)
        if found is None:
            words = analyse(source.title + "\n\n" + "\n\n".join(source.paragraphs))
            weights = self._key_terms(reader, words, CONTEXT_TERMS, PASSAGE_IDF_POWER)
            found = ({t: w * CONTEXT_WEIGHT for t, w in weights.items()}, surface(words))
            self._context[source.article] = found
            while len(self._context) > 8:
                self._context.popitem(last=False)
        else:
            self._context.move_to_end(source.article)
        return found

    def _key_terms(
        self,
        reader,
        words: dict[str, Counter[str]],
        count: int,
        idf_power: float,
        required: Iterable[str] = (),
    ) -> dict[str, float]:
        return key_terms(
            words,
            count,
            idf_power,
            lambda forms: self.stats.article_dfs(reader, forms),
            self.stats.doc_count(reader, "body"),
            required,
        )

    def _sync(self, s) -> None:
        """Bring the caches in line with the searcher in use (called under its lock)."""
        key = (self.index.generation, id(s))
        if key == self._key:
            return
        self._key = key
        self._context.clear()
        self.entities.clear()
        self.stats.sync(s)

    # -- results --------------------------------------------------------------------------------
    def _finish(
        self,
        source: _Source,
        found: list[Candidate],
        ideal: float,
        weights: dict[str, float],
        named: dict[int, Entity],
        limit: int,
    ) -> list[Related]:
        best = best_per_article(found)
        if not best:
            return []
        ids = [c.article for c in best]
        rows = self.library.article_rows(ids)
        offsets = self.library.passage_offsets(ids)
        spans: dict[int, list[tuple[int, int]]] = {}
        kept: list[Candidate] = []
        for c in best:
            row = rows.get(c.article)
            if row is None:  # removed since the index saw it
                continue
            spans[c.article] = offsets.get(c.article) or [(0, len(row["body"]))]
            if c.passage >= len(spans[c.article]):
                continue  # the index is behind the library: skip rather than misquote
            kept.append(c)

        def passage_text(c: Candidate) -> str:
            body, where = rows[c.article]["body"], spans[c.article]
            if c.passage < 0:  # an article-level hit: placed at its best passage
                c.passage = best_passage([body[a:b] for a, b in where], weights)
            return body[slice(*where[c.passage])]

        whole = source.passage is None
        rerank(kept, self.library, whole, named)
        kept.sort(key=lambda c: c.score, reverse=True)
        titles = {c.article: rows[c.article]["title"] for c in kept}
        if whole:  # whole articles are compared whole to spot copies
            texts = {c.article: rows[c.article]["body"] for c in kept}
            groups = group_duplicates(
                source.title, "\n\n".join(source.paragraphs), kept, texts, titles
            )
        else:
            texts = {c.article: passage_text(c) for c in kept}
            groups = group_duplicates(source.title, source.text, kept, texts, titles)
        # The reason: the query's terms the result has (the passage; for a whole article, the
        # article), those of the source passage first, then those of its article (its
        # context), each as the source writes it.
        own, context = source.words, source.context_words
        ranked = sorted(weights, key=lambda t: (t not in own, -weights[t], t))
        out = []
        for c, copies in groups:
            present = set(text_analysis.terms(texts[c.article]))
            terms = [
                own.get(t) or context[t]
                for t in ranked
                if t in present and (t in own or t in context)
            ]
            names = [named[e].name for e in sorted(c.entities, key=lambda e: -named[e].idf)]
            if not terms and not names:
                continue  # nothing in common to show: not a result
            text = passage_text(c) if whole else texts[c.article]  # places c.passage
            out.append(
                Related(
                    id=c.article,
                    title=rows[c.article]["title"],
                    passage=c.passage,
                    text=text,
                    score=min(1.0, c.score / ideal) if ideal > 0 else 0.0,
                    why={"entities": names, "terms": terms},
                    also_in=copies,
                )
            )
            if len(out) == limit:
                break
        return out


def _top(scores: dict[int, float], n: int) -> list[tuple[int, float]]:
    return heapq.nlargest(n, scores.items(), key=lambda kv: kv[1])
