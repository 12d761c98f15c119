"""Ranked search over the index: BM25F, best passage per hit, snippets with hit spans,
typo-tolerant retry and as-you-type completion of the word being typed."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from whoosh import query as Q
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from index.config import SearchSettings
from index.errors import SearchIndexError
from index.model import Hit, SearchResult
from index.search import expansion, matching, query, spelling, text_analysis
from index.search.expansion import replace_term
from index.search.fuzzy import Vocabulary
from index.search.indexing.search_index import SearchIndex
from index.search.ranking.ranker import PRELOAD_FILTER_POSTINGS, PRELOAD_POSTINGS, Ranker
from index.search.snippets import make_snippet
from index.storage.library import Library

_TEXT_FIELDS = ("title", "body")
# The warm-up reads no word in fewer articles than this: such a word reads fast enough cold,
# and without the floor a small library's warm-up read its whole vocabulary at each launch.
PRELOAD_MIN_ARTICLES = 1000
_T = TypeVar("_T")


@dataclass
class _Found:
    article: int
    score: float


class Search:
    def __init__(self, library: Library, index: SearchIndex, settings: SearchSettings) -> None:
        self.library = library
        self.index = index
        self.settings = settings
        self._vocab: Vocabulary | None = None
        self._vocab_rev = -1
        self._vocab_lock = threading.Lock()
        self._ranker_cache: Ranker | None = None
        self._ranker_key: tuple[int, int] | None = None

    # -- public -----------------------------------------------------------------------------
    def search(
        self,
        text: str,
        limit: int | None = None,
        sort: str = "relevance",
        prefix: bool = False,
        fuzzy: bool | None = None,
    ) -> SearchResult:
        """Search the library. `prefix`: the last word is still being typed, complete it.
        `fuzzy`: retry with typo-tolerant terms when (almost) nothing is found.
        Plain words are all required first; when few articles hold them all, those holding
        most of them follow (index.search.matching)."""
        limit = limit or self.settings.limit
        fuzzy = self.settings.fuzzy if fuzzy is None else fuzzy
        parsed = query.parse(text, self.settings.title_boost)
        if parsed.query is Q.NullQuery:
            return SearchResult(text, [], 0)
        typing = prefix and bool(text) and not text[-1].isspace()
        p = matching.plan(parsed)
        if p is not None and sort != "date":
            return self._search_words(p, parsed, text, limit, typing, fuzzy)
        q = self._expand_wildcards(parsed.query)
        if typing:
            q = self._complete_last_word(q, parsed.words)
        found, total = self._run(q, limit, sort)
        corrected = None
        if fuzzy and total < self.settings.fuzzy_min_hits:
            retry = self._correct(q, parsed.words, text)
            if retry is not None:
                fixed_q, fixed_text = retry
                fixed, fixed_total = self._run(fixed_q, limit, sort)
                if fixed_total > total:
                    q, found, total, corrected = fixed_q, fixed, fixed_total, fixed_text
        terms = _hit_terms(q)
        hits = self._hits(found, q, terms)
        return SearchResult(text, hits, total, corrected, terms)

    def _search_words(self, p: matching.Plan, parsed: query.ParsedQuery, text: str,
                      limit: int, typing: bool, fuzzy: bool) -> SearchResult:
        """A query with words that may be missing: every word first, then most of them."""
        p = p.rewrite(self._expand_wildcards)
        completing = None
        if typing:
            completed = p.rewrite(lambda n: self._complete_last_word(n, parsed.words))
            if completed.query() != p.query():
                completing = text_analysis.stem(parsed.words[-1].lower()) if parsed.words else None
            p = completed
        ranked = self._rank(p, limit)
        corrected = None
        def whole(r: matching.Ranked) -> int:  # articles matching the query as typed
            return r.total if p.any_of else r.complete

        if fuzzy and whole(ranked) < self.settings.fuzzy_min_hits:
            retry = self._respell(p, completing, text)
            if retry is not None:
                fixed_p, fixed_text = retry
                fixed = self._rank(fixed_p, limit)
                if whole(fixed) > whole(ranked):
                    p, ranked, corrected = fixed_p, fixed, fixed_text
        # Equal keys in article order, as a rebuilt index gives them (see _run).
        best = sorted(ranked.best, key=lambda b: ranked.articles[b.doc])
        best.sort(key=lambda b: b.key, reverse=True)
        found = [_Found(ranked.articles[b.doc], b.score) for b in best]
        q = p.query()
        terms = _hit_terms(q)
        hits = self._hits(found, q, terms)
        n = len(p.words)
        held_by = {ranked.articles[b.doc]: b.held for b in best}
        for hit in hits:
            # OR-ed words: every hit is a whole match of what was asked for.
            held = [True] * n if p.any_of else held_by.get(hit.id, [True] * n)
            hit.missing = [w.typed for w, has in zip(p.words, held, strict=True) if not has]
            hit.matched = matching.matched(n - len(hit.missing), n)
        labels = [h.matched for h in hits]
        return SearchResult(text, hits, ranked.total, corrected, terms,
                            matched=matching.weakest(labels), complete=ranked.complete)

    def _rank(self, p: matching.Plan, limit: int) -> matching.Ranked:
        def run(s: Searcher) -> matching.Ranked:
            ranked = matching.rank(self._ranker(s), p, limit, self.settings.partial_below)
            ranked.articles = {b.doc: int(s.stored_fields(b.doc)["article"])
                               for b in ranked.best}
            return ranked

        return self._read(run)

    def vocabulary(self) -> Vocabulary:
        """The library's words, cached until the library changes (another process included)."""
        with self._vocab_lock:
            rev = self.library.rev
            if self._vocab is None or self._vocab_rev != rev:
                self._vocab = Vocabulary(self.library.words())
                self._vocab_rev = rev
            return self._vocab

    def warm_up(self) -> int:
        """What the first keystrokes need, built before them: the vocabulary (typo and prefix
        lookups), the postings of the library's most common words, most common first, until
        PRELOAD_POSTINGS are read, then those of its most common filters (`source:World`,
        `place:"United States"`) until PRELOAD_FILTER_POSTINGS are. A word in thousands of
        articles takes tens of milliseconds to read the first time; it is also the word most
        searches hold; a filter in a quarter of the library takes longer than any search.
        Terms in fewer than PRELOAD_MIN_ARTICLES articles read fast enough cold and are left:
        in a small library nothing is. One term at a time, so that a search typed meanwhile
        waits for one term at most. Returns the postings read."""
        vocab = self.vocabulary()
        # Only the words it may read are sorted: a sort of the whole vocabulary (hundreds of
        # thousands of words at 1M articles) is one C call that holds the GIL, and the UI.
        freq = vocab.freq
        common = [i for i in range(len(freq)) if freq[i] >= PRELOAD_MIN_ARTICLES]
        common.sort(key=freq.__getitem__, reverse=True)
        # Where articles have several paragraphs, every search also reads the words'
        # passage postings to place each hit at its best paragraph (_best_passages).
        passages = self.library.passage_count() > self.library.count()
        read = 0
        for i in common:
            if read >= PRELOAD_POSTINGS:
                break
            q = query.parse(vocab.terms[i], self.settings.title_boost).query
            terms = [t for t in q.leaves() if isinstance(t, Q.Term)]
            if passages:
                terms += [Q.Term("ptext", t) for t in dict.fromkeys(
                    t.text for t in terms if t.fieldname == "body")]
            if terms:
                read += self._preload(terms)
        filters = self._read(lambda s: self._ranker(s).common_filters(PRELOAD_MIN_ARTICLES))
        read_filters = 0
        for term in filters:
            if read_filters >= PRELOAD_FILTER_POSTINGS:
                break
            read_filters += self._preload([term])
        return read + read_filters

    @property
    def ranker(self) -> Ranker | None:
        """The ranker of the searcher last used, with the postings its term cache holds; None
        before the first search and after forget_postings."""
        return self._ranker_cache

    def forget_postings(self) -> None:
        """Drop every term read so far: the next search starts cold, as in a reopened library."""
        self._ranker_cache = self._ranker_key = None

    def _preload(self, terms: list[Q.Term]) -> int:
        return self._read(lambda s: self._ranker(s).preload(terms))

    def passage_spans(
        self, paragraphs: list[str], terms: frozenset[str]
    ) -> list[list[tuple[int, int]]]:
        """Hit spans in each paragraph, for highlighting and n/N inside an article."""
        return [text_analysis.term_spans(p, terms) for p in paragraphs]

    # -- running ----------------------------------------------------------------------------
    def _run(self, q: Q.Query, limit: int, sort: str) -> tuple[list[_Found], int]:
        def run(s: Searcher) -> tuple[list[_Found], int]:
            if sort == "date":
                results = s.search(q, limit=limit, sortedby="day", reverse=True)
                # Sorted by date, Whoosh reports the sort key as the score: that is no
                # relevance. Counting the matches is a second, unscored pass.
                found = [_Found(int(hit["article"]), 0.0) for hit in results]
                return found, len(results)
            best, total = self._ranker(s).top(q, limit)
            found = [_Found(int(s.stored_fields(d)["article"]), score) for d, score in best]
            # Equal scores come back in index order, which updates shuffle; order them by
            # article id, as a rebuilt index does, so that reindexing changes nothing.
            found.sort(key=lambda f: (-f.score, f.article))
            return found, total

        return self._read(run)

    def _ranker(self, s: Searcher) -> Ranker:
        """The ranker of the searcher in use (it caches per-searcher statistics)."""
        s.weighting = BM25F()
        key = (self.index.generation, id(s))
        if self._ranker_key != key or self._ranker_cache is None:
            self._ranker_cache, self._ranker_key = Ranker(s), key
        return self._ranker_cache

    def _read(self, fn: Callable[[Searcher], _T]) -> _T:
        """Run `fn` on the index's searcher. Damage that only shows when postings are read
        (a segment that opens but holds garbage) rebuilds the index from the library, with a
        message, and `fn` runs once more: a search never ends in a traceback for that."""
        try:
            with self.index.searcher() as s:
                return fn(s)
        except SearchIndexError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever Whoosh raises on a damaged file
            self.index.notify(f"search index is damaged ({type(exc).__name__}); rebuilding it…")
            self.index.rebuild()
            with self.index.searcher() as s:
                return fn(s)

    def _hits(self, found: list[_Found], q: Q.Query, terms: frozenset[str]) -> list[Hit]:
        if not found:
            return []
        ids = [f.article for f in found]
        rows = self.library.article_rows(ids)
        offsets = self.library.passage_offsets(ids)
        best = self._best_passages(ids, terms, offsets)
        hits = []
        for f in found:
            row = rows.get(f.article)
            if row is None:  # removed from the library since the index saw it
                continue
            spans = offsets.get(f.article) or [(0, len(row["body"]))]
            n = best.get(f.article, 0)
            n = n if n < len(spans) else 0
            start, end = spans[n]
            passage = row["body"][start:end]
            snippet = make_snippet(passage, text_analysis.term_spans(passage, terms))
            hits.append(
                Hit(
                    id=f.article,
                    title=row["title"],
                    date=row["date"],
                    source=row["source"],
                    url=row["url"],
                    score=f.score,
                    snippet=snippet,
                    passage=n,
                    title_highlights=text_analysis.term_spans(row["title"], terms),
                )
            )
        return hits

    def _best_passages(
        self, ids: list[int], terms: frozenset[str], offsets: dict[int, list[tuple[int, int]]]
    ) -> dict[int, int]:
        """For each multi-paragraph article, the passage that best matches the query terms."""
        multi = [i for i in ids if len(offsets.get(i, ())) > 1]
        if not multi or not terms:
            return {}
        pq = Q.And(
            [
                Q.Or([Q.Term("article", str(i)) for i in multi]),
                Q.Or([Q.Term("ptext", t) for t in terms]),
            ]
        )

        def run(s: Searcher) -> dict[int, int]:
            scores = self._ranker(s).scores(pq)
            best: dict[int, tuple[float, int]] = {}
            for d, score in scores.items():
                fields = s.stored_fields(d)
                article, n = int(fields["article"]), int(fields["n"])
                # The highest score wins; equal scores go to the earlier passage.
                if article not in best or (score, -n) > (best[article][0], -best[article][1]):
                    best[article] = (score, n)
            return {article: n for article, (_, n) in best.items()}

        return self._read(run)

    # -- typing ------------------------------------------------------------------------------
    def _complete_last_word(self, q: Q.Query, words: list[str]) -> Q.Query:
        if not words:
            return q
        word = words[-1].lower()
        whole = text_analysis.stem(word)
        if len(word) < self.settings.prefix_min_chars or not whole:
            return q
        completions = self.vocabulary().completions(
            word, self.settings.prefix_expansions, budget=self.settings.expansion_budget
        )
        options = {whole} | {t for c in completions if (t := text_analysis.stem(c))}
        if options == {whole}:
            return q
        return replace_term(q, whole, sorted(options))

    def _correct(self, q: Q.Query, words: list[str], text: str) -> tuple[Q.Query, str] | None:
        """Swap each word the library does not know for its likeliest spellings. Returns the
        new query and the query text as it was effectively run, in the user's words."""
        vocab = self.vocabulary()
        fixed, shown = q, text
        for typed in dict.fromkeys(words):
            word = typed.lower()
            term = text_analysis.stem(word)
            if not term or vocab.frequency(word) > 0 or not word.isalpha() or len(word) < 3:
                continue
            similar = vocab.similar(word, self.settings.fuzzy_candidates)
            stems = list(dict.fromkeys(t for w in similar if (t := text_analysis.stem(w))))
            if not stems:
                continue
            fixed = replace_term(fixed, term, stems)
            shown = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", similar[0], shown, count=1)
        return (fixed, shown) if fixed is not q else None

    def _respell(self, p: matching.Plan, completing: str | None,
                 text: str) -> tuple[matching.Plan, str] | None:
        """The plan with its words respelt as the library supports best (index.search.spelling),
        and the query text as effectively run; None when no respelling helps. The word being
        completed as it is typed, and wildcards, are kept as they are."""
        vocab = self.vocabulary()
        choices = []
        for w in p.words:
            stem = matching.term_of(w.node)
            if stem is None or stem == completing:
                choices.append([spelling.Spelling(w.typed, w.typed, stem or w.typed, 0)])
                continue
            choices.append(spelling.options(w.typed, vocab, self.settings.fuzzy_candidates)
                           or [spelling.Spelling(w.typed, w.typed, stem, 0)])

        def docs_of(stem: str) -> dict[int, float]:
            return self._read(lambda s: self._ranker(s).scores(self._word_query(stem)))

        chosen = spelling.best(choices, docs_of)
        if chosen is None:
            return None
        combo, _ = chosen
        words, shown = [], text
        for w, s in zip(p.words, combo, strict=True):
            if not s.edits:
                words.append(w)
                continue
            words.append(matching.Word(s.word, self._word_query(s.stem)))
            shown = re.sub(rf"(?<!\w){re.escape(w.typed)}(?!\w)", s.word, shown, count=1)
        return matching.Plan(words, p.strict, p.any_of), shown

    def _word_query(self, stem: str) -> Q.Query:
        return Q.Or([Q.Term("title", stem, boost=self.settings.title_boost),
                     Q.Term("body", stem)])

    def _expand_wildcards(self, q: Q.Query) -> Q.Query:
        return expansion.expand_wildcards(
            q, self.vocabulary(), self.settings.prefix_expansions,
            self.settings.expansion_budget, self.settings.title_boost,
        )


def _hit_terms(q: Q.Query) -> frozenset[str]:
    return frozenset(t for f, t in _terms(q) if f in ("title", "body", "ptext", "source"))


def _terms(q: Q.Query) -> list[tuple[str, str]]:
    out = []
    for fieldname, text in q.iter_all_terms():
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        out.append((fieldname, text))
    return out
