"""Related passages and articles: what other articles in the library say about the passage (or
the article) being read, each with the reason — the key terms and canonical entities shared.

Method (measured in bench/eval_related.py):
1. Key terms of the source: tf-idf over its analysed words with article-level document
   frequencies, numbers dropped. A passage's own terms are joined by its article's key terms
   at a lower weight (a short paragraph is about what its article is about), and the words of
   the canonical entities it names (the `mentions` table, once the entity extractor has
   filled it) are always in the query.
2. A weighted OR of those terms, BM25-scored, over passage documents (`ptext`) and one-paragraph
   article documents (`body`: such an article is its own only passage and has no passage
   document). Article documents of multi-paragraph articles and the source article are left
   out. Scored term at a time in Python (see _Scorer: Whoosh's OR matcher was 100x slower).
   A passage's score adds half its article's (a passage is read as part of its article).
3. Re-ranked by shared canonical entities (rarer ones count more), one result per article,
   near-duplicates (the same story syndicated twice) grouped into one result with `also_in`,
   copies of the source itself dropped. Every result says why: the query terms it shares
   with the source (the passage's own first, then its article's) and the entities.

Scores are the share of the query a result matches (1.0: every key term, at average length),
so they compare across passages; `strong_passages` marks paragraphs with that.
Everything runs under the index's searcher lock: one call at a time per library.
"""

from __future__ import annotations

import heapq
import math
import re
import threading
import weakref
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from rapidfuzz import fuzz

from index import analysis
from index.chunking import chunks
from index.search_index import SearchIndex
from index.storage.library import Library
from index.whoosh_internals import postings

# Key terms taken from a passage, and from a whole article.
PASSAGE_TERMS = 12
ARTICLE_TERMS = 20
# Key terms are chosen by tf-idf; in the query each weighs tf × idf^power, as the BM25 scoring
# counts rarity again. Measured on Reuters: a whole article is found best by weighing its terms
# by frequency alone (rare names otherwise pull in the same company's unrelated news), a short
# passage with half the idf (its rare word is often what it is about).
ARTICLE_IDF_POWER = 0.0
PASSAGE_IDF_POWER = 0.5
# A passage's article adds its strongest terms at this share of their own weight.
CONTEXT_TERMS = 10
CONTEXT_WEIGHT = 0.7
# Words of a text considered as key terms at most (its most repeated ones).
KEY_CANDIDATES = 60
# Words of the source's canonical entities added to the query beyond its key terms, at most.
ENTITY_TERMS = 4
# Score multiplier per shared canonical entity (scaled by the entity's rarity), and its cap.
ENTITY_BOOST = 0.25
ENTITY_BOOST_CAP = 1.0
# Postings read per query at most (each ~0.5-1 µs in Python): the rarest, most telling terms
# come first; a common word that would overrun the budget is left out. This bounds the p95: a
# passage query follows the reader's cursor, an article's is made once per article opened.
PASSAGE_BUDGET = 16_000
# What opening a term in one more segment costs, in postings (set by measuring quality and
# p95 on Reuters ingested in 22 segments: 15 keeps both; 60 cost 0.08 of P@5).
SEGMENT_COST = 15
ARTICLE_BUDGET = 14_000
# Best raw sums re-scored with their document's length (BM25 length normalisation).
PRESELECT = 50
# A passage's score adds its article's score times this.
ARTICLE_WEIGHT = 0.5
K1, B = 1.2, 0.75
# Candidates kept per result wanted: room for same-article passages and duplicates.
FETCH_FACTOR = 4
# rapidfuzz ratio (0-100) on normalised text from which two texts are the same story; with
# the same title, a lower ratio does (the same story, lightly edited).
DUPLICATE_RATIO = 90
SAME_TITLE_RATIO = 50
# A passage with a related passage scoring at least this and sharing an entity or this many of
# its own words with it is "strong" (the reader marks it). Unrelated demo articles score
# 0.15-0.35, the Syria pair 0.5-1.
STRONG_SCORE = 0.4
STRONG_TERMS = 3
# Document frequencies are remembered between calls; after the index changes only the common
# terms' (df ≥ this) are kept, whose relative change is negligible.
DF_KEEP = 100
DF_CACHE_MAX = 200_000
POSTINGS_CACHE = 3_000_000  # document numbers kept (12 MB)

_NUMBERISH = re.compile(r"^[\d.,_/-]+$")
_NORMALISE = re.compile(r"\W+")


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


# -- public functions ---------------------------------------------------------------------------
def related_passages(
    core_or_parts: Any, article_id: int, passage: int, limit: int = 5
) -> list[Related]:
    """The passages of other articles most related to passage `passage` of `article_id`.
    `core_or_parts`: a Newsreader, or a (Library, SearchIndex) pair. ~20 ms (p50), 25-40 ms
    (p95) at 21k articles; see bench/eval_related.py."""
    return finder(core_or_parts).passages(article_id, passage, limit)


def related_articles(core_or_parts: Any, article_id: int, limit: int = 5) -> list[Related]:
    """The other articles most related to the whole of `article_id`, each at its best passage."""
    return finder(core_or_parts).articles(article_id, limit)


def strong_passages(
    core_or_parts: Any, article_id: int, threshold: float = STRONG_SCORE
) -> set[int]:
    """Numbers of the passages of `article_id` that have a strongly related passage elsewhere.
    Costs one related-passages query per passage (~10 ms each on the demo library, ~20 ms at
    21k articles: 0.1-0.5 s for a long article), each taking the searcher lock on its own so
    panel updates interleave: call it from a worker, after the article is shown."""
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


@dataclass
class _Candidate:
    article: int
    passage: int  # -1: an article-level hit, placed at its best passage later
    score: float
    entities: set[int] = field(default_factory=set)


@dataclass
class _Entity:
    id: int
    name: str
    forms: set[str] = field(default_factory=set)
    idf: float = 1.0


class RelatedFinder:
    """Finds related passages and articles, keeping between calls what is costly to look up:
    the article documents that have passage documents, document frequencies, the key terms of
    the article being read and the rarity of entities."""

    def __init__(self, library: Library, index: SearchIndex) -> None:
        self.library = library
        self.index = index
        self._key: tuple[int, int] | None = None  # (index generation, searcher) of the caches
        self._multi_docs: frozenset[int] = frozenset()
        self._df: dict[tuple[str, str], int] = {}
        # Per term, the segments (leaf reader indexes) holding it: valid for one searcher.
        self._where: dict[tuple[str, str], tuple[int, ...]] = {}
        self._leaves: list[tuple[Any, int]] = []
        # The articles read lately: their key terms (at CONTEXT_WEIGHT) and their words by
        # index term (to give reasons in the source's words).
        self._context: OrderedDict[int, tuple[dict[str, float], dict[str, str]]] = OrderedDict()
        self._entity_idf: dict[int, float] = {}
        self._articles = 0  # the library's count for _entity_idf (COUNT(*): ms at 127.6k)
        # Postings of the terms read lately (document numbers, 4 bytes each), for one searcher:
        # common words come back in paragraph after paragraph, and reading them is most of a
        # call. Most recently used last.
        self._postings: OrderedDict[tuple[str, str], array] = OrderedDict()
        self._postings_size = 0

    # -- public ---------------------------------------------------------------------------------
    def passages(
        self, article_id: int, passage: int, limit: int = 5, entities: bool = True
    ) -> list[Related]:
        source = self._source(article_id, passage)
        if limit < 1 or not source.text.strip():
            return []
        with self.index.searcher() as s:
            self._sync(s)
            named = self._source_entities(article_id, passage) if entities else {}
            reader = s.reader()
            words = _words(source.text)
            source.words = _surface(words)
            terms = self._key_terms(
                reader, words, PASSAGE_TERMS, PASSAGE_IDF_POWER, _entity_terms(named)
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
            scorer = _Scorer(reader, self, PASSAGE_BUDGET)
            sums = scorer.sums(weights, ("ptext", "body"))
            scored = self._passage_scores(s, scorer, sums, own)
            # What a passage having every term, in an article having every term, would score.
            ideal = scorer.ideal["ptext"] + ARTICLE_WEIGHT * scorer.ideal["body"]
            found = [
                _Candidate(a, n, score)
                for a, n, score in heapq.nlargest(
                    limit * FETCH_FACTOR, scored.values(), key=itemgetter(2)
                )
            ]
            return self._finish(source, found, ideal, weights, named, limit)

    def _passage_scores(
        self, s, scorer: _Scorer, sums: dict[str, dict[int, float]], leave_out: set[int]
    ) -> dict[int, tuple[int, int, float]]:
        """The best PRESELECT passages, each as (article, passage, score): its own BM25 plus
        ARTICLE_WEIGHT × its article's (a passage is read as part of its article, so a passage
        of an article about the same thing ranks above a chance match of a few words). A
        one-paragraph article's document is its passage 0 and its article at once."""
        reader = s.reader()
        body = sums["body"]
        best = heapq.nlargest(PRESELECT, sums["ptext"].items(), key=itemgetter(1))
        ranked = [(v, "ptext", d) for d, v in best]
        masked = self._multi_docs
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
            self._sync(s)
            named = self._source_entities(article_id, None) if entities else {}
            reader = s.reader()
            words = _words(source.text)
            source.words = _surface(words)
            weights = self._key_terms(
                reader, words, ARTICLE_TERMS, ARTICLE_IDF_POWER, _entity_terms(named)
            )
            if not weights:
                return []
            own = s.document_number(article=str(article_id), kind="a")
            scorer = _Scorer(reader, self, ARTICLE_BUDGET)
            body = scorer.sums(weights, ("body",))["body"]
            scores = {d: scorer.bm25("body", v, d) for d, v in _top(body, PRESELECT + 1)}
            scores.pop(own, None)
            found = [
                _Candidate(int(reader.stored_fields(d)["article"]), -1, score)
                for d, score in _top(scores, limit * FETCH_FACTOR)
                if score
            ]
            found = [c for c in found if c.article != article_id]
            return self._finish(source, found, scorer.ideal["body"], weights, named, limit)

    def strong(self, article_id: int, threshold: float = STRONG_SCORE) -> set[int]:
        out = set()
        for n, text in enumerate(self._source(article_id, None).paragraphs):
            best = self.passages(article_id, n, limit=1)
            if not best or best[0].score < threshold:
                continue
            # Strong about this paragraph, not just its article: it shares an entity with
            # it, or several of its own words.
            own = set(analysis.terms(text))
            shared = [t for t in best[0].why["terms"] if analysis.stem(t) in own]
            if best[0].why["entities"] or len(shared) >= STRONG_TERMS:
                out.add(n)
        return out

    # -- the source -----------------------------------------------------------------------------
    def _source(self, article_id: int, passage: int | None) -> _Source:
        rows = self.library.query("SELECT title, body FROM articles WHERE id=?", (article_id,))
        if not rows:
            raise RelatedError(f"no article with id {article_id}")
        title, body = rows[0]["title"], rows[0]["body"]
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
            words = _words(source.title + "\n\n" + "\n\n".join(source.paragraphs))
            weights = self._key_terms(reader, words, CONTEXT_TERMS, PASSAGE_IDF_POWER)
            found = ({t: w * CONTEXT_WEIGHT for t, w in weights.items()}, _surface(words))
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
        """The `count` most distinctive index terms of an analysed text (tf-idf over
        articles), weighed for the query (the strongest weighs 1), plus those of `required`
        it has (the words of the entities it names). Numbers and function words are skipped,
        and terms no other article has (df ≤ 1): they cannot find anything."""
        skip = analysis.function_terms()
        tf = {t: c.total() for t, c in words.items()
              if len(t) > 1 and t not in skip and not _NUMBERISH.match(t)}
        if not tf:
            return {}
        # A long text's candidates are its most repeated words (longer ones first among
        # equals: they tend to be rarer).
        candidates = heapq.nlargest(KEY_CANDIDATES, tf.items(), key=lambda kv: (kv[1], len(kv[0])))
        required = {t for t in required if t in tf}
        candidates += [(t, tf[t]) for t in required - {t for t, _ in candidates}]
        dfs = self._article_dfs(reader, {t: set(words[t]) for t, _ in candidates})
        total = self.doc_count(reader, "body")
        scored = {
            t: (1 + math.log(n)) * math.log(1 + total / dfs[t]) for t, n in candidates if dfs[t] > 1
        }
        top = heapq.nlargest(count, scored.items(), key=lambda kv: (kv[1], kv[0]))
        extra = [(t, scored[t]) for t in required - {t for t, _ in top} if t in scored]
        top += heapq.nlargest(ENTITY_TERMS, extra, key=lambda kv: (kv[1], kv[0]))
        if not top:
            return {}
        # Chosen by tf-idf, weighed by tf × idf^idf_power: the scoring counts rarity again.
        weighed = {t: w / math.log(1 + total / dfs[t]) ** (1 - idf_power) for t, w in top}
        peak = max(weighed.values())
        return {t: w / peak for t, w in weighed.items()}

    def _article_dfs(self, reader, forms: dict[str, set[str]]) -> dict[str, int]:
        """How many articles have each term. Asking the index costs a lookup per segment and
        term (a text has dozens of words; a bulk-loaded index dozens of segments), so the
        library's word counts (`words`: articles per word as written) answer first, a term
        counting as often as its most frequent spelling; the index answers for the rest
        (words with digits, short words) and for terms it already knows."""
        out = {t: df for t in forms if (df := self._df.get(("body", t))) is not None}
        ask = {w: t for t, ws in forms.items() if t not in out for w in ws if w.isalpha()}
        for chunk in chunks(list(ask), 500):
            for word, df in self.library.query(
                f"SELECT word, df FROM words WHERE word IN ({_marks(chunk)})", chunk
            ):
                t = ask[word]
                out[t] = max(out.get(t, 0), int(df))
        for t in forms:
            if t not in out:
                out[t] = self.df(reader, "body", t)
        return out

    # -- index statistics -----------------------------------------------------------------------
    def _sync(self, s) -> None:
        """Bring the caches in line with the searcher in use (called under its lock)."""
        key = (self.index.generation, id(s))
        if key == self._key:
            return
        self._key = key
        self._context.clear()
        self._entity_idf.clear()
        self._articles = 0
        self._df = {k: v for k, v in self._df.items() if v >= DF_KEEP and k[0] != "kind"}
        self._where.clear()
        self._postings.clear()
        self._postings_size = 0
        reader = s.reader()
        self._leaves = list(reader.leaf_readers())
        # An article's passage documents are added right after its article document (one
        # writer, an article never split), so an article document followed by a passage
        # document has passages. Should that ever not hold, an article-level hit is still
        # placed at its best passage (_finish): results stay right, only their ranking shifts.
        passages = set(self.postings("kind", "p"))
        self._multi_docs = frozenset(d for d in self.postings("kind", "a") if d + 1 in passages)

    def df(self, reader, fieldname: str, term: str) -> int:
        """Documents having the term (deleted ones included until a merge, like Whoosh's)."""
        key = (fieldname, term)
        found = self._df.get(key)
        if found is None:
            found = sum(self._dfs(key))
            if len(self._df) >= DF_CACHE_MAX:
                self._df.clear()
            self._df[key] = found
        return found

    def _dfs(self, key: tuple[str, str]) -> list[int]:
        """The term's document frequency in each segment; notes which segments hold it."""
        dfs = [leaf.doc_frequency(*key) for leaf, _ in self._leaves]
        self._where[key] = tuple(i for i, n in enumerate(dfs) if n)
        return dfs

    def segments(self, fieldname: str, text: str) -> int:
        """How many segments of the index hold the term."""
        key = (fieldname, text)
        if key not in self._where:
            self._dfs(key)
        return len(self._where[key])

    def postings(self, fieldname: str, text: str) -> array:
        """Index-wide numbers of the documents having the term, segment by segment; only the
        segments known to hold it are opened (an index of many segments costs more)."""
        key = (fieldname, text)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        if key not in self._where:
            self._dfs(key)
        out = array("i")
        for i in self._where[key]:
            leaf, offset = self._leaves[i]
            ids = _doc_ids(leaf.postings(fieldname, text))
            out.extend(ids if not offset else [d + offset for d in ids])
        self._postings[key] = out
        self._postings_size += len(out)
        while self._postings_size > POSTINGS_CACHE and len(self._postings) > 1:
            self._postings_size -= len(self._postings.popitem(last=False)[1])
        return out

    def doc_count(self, reader, fieldname: str) -> int:
        return self.df(reader, "kind", "p" if fieldname == "ptext" else "a") or 1

    # -- results --------------------------------------------------------------------------------
    def _finish(
        self,
        source: _Source,
        found: list[_Candidate],
        ideal: float,
        weights: dict[str, float],
        named: dict[int, _Entity],
        limit: int,
    ) -> list[Related]:
        best = _best_per_article(found)
        if not best:
            return []
        ids = [c.article for c in best]
        rows = {
            r["id"]: r
            for r in self.library.query(
                f"SELECT id, title, body FROM articles WHERE id IN ({_marks(ids)})", ids
            )
        }
        offsets = self.library.passage_offsets(ids)
        spans: dict[int, list[tuple[int, int]]] = {}
        kept: list[_Candidate] = []
        for c in best:
            row = rows.get(c.article)
            if row is None:  # removed since the index saw it
                continue
            spans[c.article] = offsets.get(c.article) or [(0, len(row["body"]))]
            if c.passage >= len(spans[c.article]):
                continue  # the index is behind the library: skip rather than misquote
            kept.append(c)

        def passage_text(c: _Candidate) -> str:
            body, where = rows[c.article]["body"], spans[c.article]
            if c.passage < 0:  # an article-level hit: placed at its best passage
                c.passage = _best_passage([body[a:b] for a, b in where], weights)
            return body[slice(*where[c.passage])]

        self._entity_rerank(kept, source, named)
        kept.sort(key=lambda c: c.score, reverse=True)
        whole = source.passage is None
        if whole:  # whole articles are compared whole to spot copies
            texts = {c.article: rows[c.article]["body"] for c in kept}
            groups = _group_duplicates(
                source.title, "\n\n".join(source.paragraphs), kept, texts, rows
            )
        else:
            texts = {c.article: passage_text(c) for c in kept}
            groups = _group_duplicates(source.title, source.text, kept, texts, rows)
        # The reason: the query's terms the result has (the passage; for a whole article, the
        # article), those of the source passage first, then those of its article (its
        # context), each as the source writes it.
        own, context = source.words, source.context_words
        ranked = sorted(weights, key=lambda t: (t not in own, -weights[t], t))
        out = []
        for c, copies in groups:
            present = set(analysis.terms(texts[c.article]))
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

    # -- entities -------------------------------------------------------------------------------
    def _source_entities(self, article_id: int, passage: int | None) -> dict[int, _Entity]:
        """The canonical entities the source names (none until the extractor has run)."""
        sql = (
            "SELECT e.id, e.canonical, m.text FROM mentions m JOIN entities e"
            " ON e.id = m.entity_id WHERE m.article_id = ?"
        )
        params: list[int] = [article_id]
        if passage is not None:
            sql += " AND m.passage = ?"
            params.append(passage)
        entities: dict[int, _Entity] = {}
        for r in self.library.query(sql, params):
            entities.setdefault(r[0], _Entity(r[0], r[1])).forms.add(r[2])
        unknown = [e for e in entities if e not in self._entity_idf]
        if unknown:
            if not self._articles:
                self._articles = max(self.library.count(), 1)
            total = self._articles
            counts: dict[int, int] = {
                entity_id: n
                for entity_id, n in self.library.query(
                    "SELECT entity_id, COUNT(DISTINCT article_id) FROM mentions WHERE entity_id IN"
                    f" ({_marks(unknown)}) GROUP BY entity_id",
                    unknown,
                )
            }
            for e in unknown:
                self._entity_idf[e] = math.log(1 + total / max(counts.get(e, 1), 1))
        for entity in entities.values():
            entity.idf = self._entity_idf[entity.id]
        return entities

    def _entity_rerank(
        self, found: list[_Candidate], source: _Source, named: dict[int, _Entity]
    ) -> None:
        if not named or not found:
            return
        ids = list(named)
        articles = sorted({c.article for c in found})
        by_passage: dict[tuple[int, int], set[int]] = {}
        by_article: dict[int, set[int]] = {}
        # `+entity_id`: looked up by article (a few dozen), never by entity: SQLite chose the
        # entity index, and a common entity ("US") has tens of thousands of mentions to walk
        # (43 ms at 127.6k articles, against well under one by article).
        for r in self.library.query(
            "SELECT article_id, passage, entity_id FROM mentions WHERE +entity_id IN"
            f" ({_marks(ids)}) AND article_id IN ({_marks(articles)})",
            [*ids, *articles],
        ):
            by_passage.setdefault((r[0], r[1]), set()).add(r[2])
            by_article.setdefault(r[0], set()).add(r[2])
        top_idf = max(e.idf for e in named.values()) or 1.0
        for c in found:
            shared = (
                by_article.get(c.article, set())
                if source.passage is None
                else by_passage.get((c.article, c.passage), set())
            )
            if shared:
                c.entities = shared
                gain = sum(named[e].idf / top_idf for e in shared) * ENTITY_BOOST
                c.score *= 1 + min(gain, ENTITY_BOOST_CAP)


# -- scoring ------------------------------------------------------------------------------------
class _Scorer:
    """BM25 over a weighted OR of terms, term at a time. Whoosh's own OR matcher (block-max
    skipping through Python matcher trees) took 0.5-3 s per query at 21k articles for a dozen
    terms over two fields; reading each term's postings once into a dict takes milliseconds.
    A match is scored as if the term occurred once (passages are short), which makes BM25's
    length normalisation a per-document factor, applied only to the documents ranked."""

    def __init__(self, reader, stats: RelatedFinder, budget: int) -> None:
        self.reader = reader
        self.stats = stats
        self.budget = budget
        self._average: dict[str, float] = {}
        # Per field, the sum of all the terms scored: a document having each once, at the
        # average length, scores that (the yardstick of relative scores).
        self.ideal: dict[str, float] = {}

    def sums(
        self, weights: dict[str, float], fields: tuple[str, ...], budget: int | None = None
    ) -> dict[str, dict[int, float]]:
        """Per field, the documents matching, each with its sum of term weights × idf."""
        reader, stats = self.reader, self.stats
        budget = self.budget if budget is None else budget
        out: dict[str, dict[int, float]] = {f: {} for f in fields}
        self.ideal = dict.fromkeys(fields, 0.0)
        spent = 0
        for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
            present = [(f, df) for f in fields if (df := stats.df(reader, f, t))]
            # Postings to read, plus the fixed cost of opening the term in each segment.
            cost = sum(df + SEGMENT_COST * stats.segments(f, t) for f, df in present)
            if spent and spent + cost > budget:
                continue
            spent += cost
            for f, df in present:
                n = stats.doc_count(reader, f)
                gain = w * math.log(1 + (n - df + 0.5) / (df + 0.5))
                self.ideal[f] += gain
                sums = out[f]
                docs = stats.postings(f, t)
                # sums[d] += gain for each document, looped in C (map, zip, update): the
                # Python loop was a tenth of a related-passages call.
                added = map(gain.__add__, map(sums.get, docs, repeat(0.0)))
                sums.update(zip(docs, added, strict=True))
        return out

    def bm25(self, fieldname: str, total: float, docnum: int) -> float:
        """A document's sum, normalised for its length in the field (0 for a deleted one)."""
        if not total or self.reader.is_deleted(docnum):
            return 0.0
        average = self._average.get(fieldname)
        if average is None:
            average = self._average[fieldname] = (
                self.reader.field_length(fieldname) / self.stats.doc_count(self.reader, fieldname)
            ) or 1.0
        length = self.reader.doc_field_length(docnum, fieldname, 1) / average
        return total * (K1 + 1) / (1 + K1 * (1 - B + B * length))


def _doc_ids(matcher) -> list[int]:
    """A term's document numbers in one segment: the ranker's block reading (a block at a
    time through the pinned Whoosh's internals, any other matcher one posting at a time);
    tests/test_related.py checks index.whoosh_internals.postings against the public all_ids()."""
    return postings(matcher)[0]


def _top(scores: dict[int, float], n: int) -> list[tuple[int, float]]:
    return heapq.nlargest(n, scores.items(), key=lambda kv: kv[1])


# -- helpers ------------------------------------------------------------------------------------


def _marks(items: list) -> str:
    return ",".join("?" * len(items))


def _entity_terms(named: dict[int, _Entity]) -> set[str]:
    out: set[str] = set()
    for e in named.values():
        for form in (e.name, *e.forms):
            out.update(analysis.terms(form))
    return out


def _words(text: str) -> dict[str, Counter[str]]:
    """A text analysed: each index term with the words (lower-cased) that gave it, counted."""
    forms: dict[str, Counter[str]] = {}
    for token in analysis.analyzer()(text, chars=True, positions=False):
        forms.setdefault(token.text, Counter())[text[token.startchar : token.endchar].lower()] += 1
    return forms


def _surface(words: dict[str, Counter[str]]) -> dict[str, str]:
    """Index term → the word the text writes it as most often."""
    return {t: c.most_common(1)[0][0] for t, c in words.items()}


def _best_per_article(found: list[_Candidate]) -> list[_Candidate]:
    best: dict[int, _Candidate] = {}
    for c in found:
        if c.article not in best or c.score > best[c.article].score:
            best[c.article] = c
    return sorted(best.values(), key=lambda c: c.score, reverse=True)


def _best_passage(paragraphs: list[str], weights: dict[str, float]) -> int:
    if len(paragraphs) <= 1:
        return 0
    scores = [sum(weights.get(t, 0.0) for t in set(analysis.terms(p))) for p in paragraphs]
    return max(range(len(paragraphs)), key=scores.__getitem__)


def _normalise(text: str) -> str:
    return _NORMALISE.sub(" ", text.casefold()).strip()


def _group_duplicates(
    source_title: str, source_text: str, found: list[_Candidate], texts: dict[int, str], rows: dict
) -> list[tuple[_Candidate, list[int]]]:
    """Keep the best of each group of near-identical texts (the same story syndicated twice),
    listing the others as its copies; drop copies of the source text itself."""
    source = (_normalise(source_text), _normalise(source_title))
    groups: list[tuple[_Candidate, list[int], tuple[str, str]]] = []
    for c in found:
        this = (_normalise(texts[c.article]), _normalise(rows[c.article]["title"]))
        if _same_story(this, source):
            continue
        for _, copies, other in groups:
            if _same_story(this, other):
                copies.append(c.article)
                break
        else:
            groups.append((c, [], this))
    return [(c, copies) for c, copies, _ in groups]


def _same_story(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (text, title), (other_text, other_title) = a, b
    cutoff = SAME_TITLE_RATIO if title and title == other_title else DUPLICATE_RATIO
    return fuzz.ratio(text, other_text, score_cutoff=cutoff) > 0
