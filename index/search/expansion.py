"""Query rewriting that widens a word into several: typo candidates and completions
(`replace_term`), and explicit wildcards expanded the way as-you-type completion is."""

from __future__ import annotations

from whoosh import query as Q

from index.search import text_analysis
from index.search.fuzzy import Vocabulary

WORD_FIELDS = ("title", "body")


def replace_term(q: Q.Query, old: str, new: list[str]) -> Q.Query:
    """Rewrite every Term(field, old) in `q` as an Or of Term(field, each of `new`)."""
    if isinstance(q, Q.Term) and q.text == old and q.fieldname in ("title", "body", "source"):
        return _either([Q.Term(q.fieldname, t, boost=q.boost) for t in new])
    if isinstance(q, Q.Phrase):
        return q  # a phrase stays exact
    if q.is_leaf():
        return q
    return q.apply(lambda child: replace_term(child, old, new))


def expand_wildcards(
    q: Q.Query, vocab: Vocabulary, limit: int, budget: int, title_boost: float
) -> Q.Query:
    """`palm*`, `m?n*` over titles and text, as the `limit` most used words matching them that
    fit in `budget` articles' worth of postings, as as-you-type completion does (Whoosh's own
    expansion reads every matching term, a cost that grows with the library). A wildcard
    nothing matches matches nothing."""
    if isinstance(q, Q.Prefix | Q.Wildcard) and q.fieldname in WORD_FIELDS:
        pattern = q.text.lower()
        words = (
            vocab.completions(pattern, limit, budget)
            if isinstance(q, Q.Prefix)
            else vocab.matching(pattern, limit, budget)
        )
        boost = title_boost if q.fieldname == "title" else 1.0
        stems = list(dict.fromkeys(t for w in words if (t := text_analysis.stem(w))))
        if not stems:
            return Q.NullQuery
        return _either([Q.Term(q.fieldname, t, boost=boost) for t in stems])
    if q.is_leaf():
        return q
    return q.apply(lambda child: expand_wildcards(child, vocab, limit, budget, title_boost))


def _either(alternatives: list[Q.Term]) -> Q.Query:
    if len(alternatives) == 1:
        return alternatives[0]
    either = Q.Or(alternatives)
    # Whoosh's default for an Or is a binary tree of union matchers that re-balances on every
    # step: seconds for dozens of frequent terms. Pre-loading their postings into an array is
    # one pass over each list.
    if len(alternatives) > 4:
        either.matcher_type = Q.Or.ARRAY_MATCHER
    return either
