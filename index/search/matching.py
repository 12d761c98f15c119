"""Query semantics that degrade gracefully. The plain words of a query are required first; when
fewer than a few articles hold every one of them, the articles holding most of the words are
ranked after those (more words first, then BM25F), so that a question or a pasted sentence
still finds what it is about. Everything else typed stays strict: phrases, filters (`title:`,
`source:`, dates, entities), `+word`, `NOT`, and a query with an explicit `AND`. A query of
words joined by `OR` matches any of them, ranked the same way.

Each hit knows which of the words it lacks, so the UI and `--json` can say so."""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from whoosh import query as Q

from index.search import proximity, text_analysis
from index.search.query import ParsedQuery
from index.search.text_analysis import FUNCTION_WORDS

WORD_FIELDS = frozenset({"title", "body"})
# The share of the words a hit must hold to be a "most" match (more than this); fewer: "any".
MOST = 0.5
# OR-ed words: a hit's BM25F is multiplied by (1 + COVERAGE_WEIGHT · the idf-weighted share of
# the words it holds). Tuned on CISI (bench/eval_search.py): holding more of the query's rare
# words is evidence BM25F's sum under-counts.
COVERAGE_WEIGHT = 3.0
# Function words (text_analysis.FUNCTION_WORDS) say nothing of a question's subject: when matching
# degrades they count this much of a word, in scores and coverage alike; typed alone or with
# words that all match, they are words like any other.
FUNCTION_WEIGHT = 0.2
# Added to the key of a hit holding every word, so that it ranks before every partial match.
ALL_FIRST = 1e12


@dataclass
class Word:
    """A plain word typed (or a wildcard), which a hit may lack when matching degrades."""

    typed: str  # as typed, for "lacks …"
    node: Q.Query  # its query: Or(title, body) of its term(s)


@dataclass
class Plan:
    """A query split into what every hit must match and the words that may be missing."""

    words: list[Word]
    strict: list[Q.Query] = field(default_factory=list)
    any_of: bool = False  # the words were joined with OR: any of them makes a match

    def query(self) -> Q.Query:
        """The query requiring every word (for `any_of`: any one), with the strict part."""
        nodes = [w.node for w in self.words]
        words: Q.Query = (
            nodes[0] if len(nodes) == 1 else (Q.Or(nodes) if self.any_of else Q.And(nodes))
        )
        return Q.And([*self.strict, words]) if self.strict else words

    def rewrite(self, fn) -> Plan:
        """The plan with `fn` applied to every node (word nodes keep their typed text)."""
        return Plan(
            [Word(w.typed, fn(w.node)) for w in self.words],
            [fn(s) for s in self.strict],
            self.any_of,
        )


def plan(parsed: ParsedQuery) -> Plan | None:
    """The words and the strict part of a parsed query; None when the query has no words that
    may be missing (it is then run as it is)."""
    q = parsed.query
    if q is Q.NullQuery:
        return None
    typed: dict[str, str] = {}
    for w in parsed.words:
        stem = text_analysis.stem(w.lower())
        if stem:
            typed.setdefault(stem, w)
    if isinstance(q, Q.Or) and q.boost == 1.0 and not q.minmatch:
        # The parser flattens `a OR b` into one Or of every word's field terms: regroup them.
        groups: dict[str, list[Q.Query]] = {}
        for c in q.subqueries:
            groups.setdefault(_key(c) + "\0" + type(c).__name__, []).append(c)
        words = [_word(Q.Or(g), typed, '"' not in parsed.text) for g in groups.values()]
        if len(words) >= 2 and all(words):
            return Plan([w for w in words if w], any_of=True)
        return None
    children = _flatten_and(q)
    out: list[Word] = []
    strict: list[Q.Query] = []
    seen: dict[str, int] = {}
    for c in children:
        word = None if parsed.explicit_and else _word(c, typed, '"' not in parsed.text)
        if word is None or _key(c) in parsed.required:
            strict.append(c)
        elif _key(c) not in seen:  # "missile missiles": one word
            seen[_key(c)] = len(out)
            out.append(word)
        else:
            # A word a question repeats weighs as many times (as OR-ed copies of it would).
            again = out[seen[_key(c)]]
            again.node = Q.Or(list(again.node.children()), boost=again.node.boost + 1)
    return Plan(out, strict) if out else None


@dataclass
class Best:
    doc: int
    score: float  # BM25F of what it matched
    key: float  # what it is ranked by (best largest)
    held: list[bool]  # which of the plan's words it holds


@dataclass
class Ranked:
    """The matches of a plan: the best, how many articles match at all, and how many hold
    every word."""

    best: list[Best]
    total: int
    complete: int
    articles: dict[int, int] = field(default_factory=dict)  # document -> article (search)


def rank(ranker, p: Plan, limit: int, partial_below: int) -> Ranked:
    """Every word; when fewer than `partial_below` articles hold them all (or the words are
    OR-ed), the articles holding any of them (and the strict part): those holding every word
    first (unless OR-ed), then by BM25F weighed by the share of the words held."""
    n = len(p.words)
    full = ranker.scores(p.query()) if not p.any_of else None
    if full is not None and (len(full) >= partial_below or n < 2):
        docs = max(ranker.doc_count, 1)
        dfs = [ranker.doc_frequency("body", stem) if (stem := term_of(w.node)) else 0
               for w in p.words]
        keys = _closer(ranker, p, full, [_idf(df, docs) for df in dfs])
        best = heapq.nlargest(limit, keys.items(), key=itemgetter(1))
        return Ranked([Best(d, full[d], k, [True] * n) for d, k in best], len(full), len(full))
    per_word = [ranker.scores(w.node) for w in p.words]
    if p.strict:
        strict = ranker.scores(Q.And(p.strict) if len(p.strict) > 1 else p.strict[0])
        per_word = [_within(scores, strict) for scores in per_word]
    docs = max(ranker.doc_count, 1)
    factors = [FUNCTION_WEIGHT if w.typed.lower() in FUNCTION_WORDS else 1.0 for w in p.words]
    idfs = [f * _idf(len(scores), docs) for scores, f in zip(per_word, factors, strict=True)]
    # The Python loops run over all but the largest word's postings (results may be cached:
    # never changed in place).
    order = sorted(range(n), key=lambda i: len(per_word[i]), reverse=True)
    first = order[0]
    summed = _scaled(per_word[first], factors[first])
    held = dict.fromkeys(per_word[first], idfs[first])  # the idf of the words each holds
    get, held_get = summed.get, held.get
    for i in order[1:]:
        f, idf = factors[i], idfs[i]
        for d, sc in per_word[i].items():
            summed[d] = get(d, 0.0) + sc * f
            held[d] = held_get(d, 0.0) + idf
    if p.strict:
        summed = {d: sc + strict[d] for d, sc in summed.items()}
    smallest = per_word[order[-1]]
    every = set(smallest).intersection(*(per_word[i] for i in order[:-1]))
    # A hit's key: BM25F times (1 + COVERAGE_WEIGHT × the idf-weighted share of the words it
    # holds); unless the words were OR-ed, those holding every word come first.
    weight = COVERAGE_WEIGHT / (sum(idfs) or 1.0)
    first_tier = 0.0 if p.any_of else ALL_FIRST
    # A key is at most (1 + COVERAGE_WEIGHT) times BM25F: only the articles whose BM25F could
    # reach the limit-th best BM25F's key need one.
    floor = min(heapq.nlargest(limit, summed.values()), default=0.0) / (1 + COVERAGE_WEIGHT)
    keys = {
        d: sc * (1 + weight * held[d]) + (first_tier if d in every else 0.0)
        for d, sc in summed.items()
        if sc >= floor or d in every
    }
    keys = _closer(ranker, p, keys, [_idf(len(scores), docs) for scores in per_word],
                   lambda d: first_tier if d in every else 0.0, per_word)
    best = heapq.nlargest(limit, keys.items(), key=itemgetter(1))
    return Ranked(
        [Best(d, summed[d], k, [d in scores for scores in per_word]) for d, k in best],
        len(summed),
        len(every),
    )


def _idf(df: int, docs: int) -> float:
    return math.log(1 + docs / (1 + df))


def _closer(ranker, p: Plan, keys: dict[int, float], idfs: list[float],
            tier: Callable[[int], float] = lambda d: 0.0,
            holders: list[dict[int, float]] | None = None) -> dict[int, float]:
    """The keys with the best raised by how close together they hold the plain words
    (index.search.proximity); function words weigh little there too. `holders`: the documents
    holding each word, when not all hold every word (their positions alone are read)."""
    top = max(idfs, default=0.0) or 1.0
    words = [
        (term_of(w.node), idf / top * (FUNCTION_WEIGHT if w.typed.lower() in FUNCTION_WORDS
                                       else 1.0))
        for w, idf in zip(p.words, idfs, strict=True)
    ]

    stems: list[str | None] = [stem for stem, _ in words]

    def positions_of(stem: str, docs: list[int]) -> dict[int, list[int]]:
        if holders is not None:
            held = holders[stems.index(stem)]
            docs = [d for d in docs if d in held]
        return ranker.positions("body", stem, docs)

    return proximity.rerank(keys, words, positions_of, tier)


def _within(scores: dict[int, float], allowed: dict[int, float]) -> dict[int, float]:
    if len(allowed) < len(scores):
        return {d: scores[d] for d in allowed if d in scores}
    return {d: sc for d, sc in scores.items() if d in allowed}


def _scaled(scores: dict[int, float], factor: float) -> dict[int, float]:
    return dict(scores) if factor == 1.0 else {d: sc * factor for d, sc in scores.items()}


def term_of(node: Q.Query) -> str | None:
    """The stem of a plain word's node (an Or of one term per field); None for others."""
    leaves = list(node.children()) if isinstance(node, Q.Or) else []
    if leaves and all(isinstance(t, Q.Term) for t in leaves):
        texts = {t.text for t in leaves}
        if len(texts) == 1:
            return str(next(iter(texts)))
    return None


def matched(held: int, words: int) -> str:
    """ "all", "most" (more than half the words) or "any"."""
    if held >= words:
        return "all"
    return "most" if held > MOST * words else "any"


def weakest(labels: list[str]) -> str:
    for label in ("any", "most"):
        if label in labels:
            return label
    return "all"


def _flatten_and(q: Q.Query) -> list[Q.Query]:
    if isinstance(q, Q.And) and q.boost == 1.0:
        return [c for child in q.subqueries for c in _flatten_and(child)]
    return [q]


def _key(node: Q.Query) -> str:
    """A word node's text (the stem, or the wildcard's pattern)."""
    leaf = next(iter(node.leaves()), node) if not node.is_leaf() else node
    if isinstance(leaf, Q.Phrase):
        return "-".join(leaf.words)
    return str(getattr(leaf, "text", ""))


def _word(node: Q.Query, typed: dict[str, str], loose_phrases: bool = False) -> Word | None:
    """A plain word (or wildcard) over title and body, as the parser makes it: an Or of one
    term (prefix, wildcard) per field, all of the same text. Without quotes typed, a word the
    analyzer splits ("inter-document", "e.g.") is one too: a phrase, or an And of terms."""
    if node.is_leaf() or not isinstance(node, Q.Or) or node.minmatch or node.boost != 1.0:
        return None
    shapes = {_shape(c, loose_phrases) for c in node.children()}
    if len(shapes) != 1 or None in shapes:
        return None
    kind, text = next(iter(shapes))  # type: ignore[misc]
    if kind is Q.Prefix:
        return Word(text + "*", node)
    if kind is Q.Term:
        return Word(typed.get(text, text), node)
    return Word(text, node)


def _shape(child: Q.Query, loose_phrases: bool) -> tuple[type, str] | None:
    """(kind, text) of one field's part of a word, or None when it is no part of a word."""
    if getattr(child, "fieldname", None) not in WORD_FIELDS and child.is_leaf():
        return None
    if isinstance(child, Q.Term | Q.Prefix | Q.Wildcard):
        return type(child), str(child.text)
    if loose_phrases and isinstance(child, Q.Phrase):
        return Q.Phrase, "-".join(child.words)
    if (
        loose_phrases
        and isinstance(child, Q.And)
        and all(isinstance(t, Q.Term) and t.fieldname in WORD_FIELDS for t in child.subqueries)
        and len({t.fieldname for t in child.subqueries}) == 1
    ):
        return Q.Phrase, "-".join(str(t.text) for t in child.subqueries)
    return None
