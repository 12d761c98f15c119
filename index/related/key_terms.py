"""Key terms: what a passage or an article is about, as weighted index terms. tf-idf over its
analysed words with article-level document frequencies; numbers, function words and terms
no other article has are left out."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable

from index.search import text_analysis

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

_NUMBERISH = re.compile(r"^[\d.,_/-]+$")

# Each candidate term (with the words as written that gave it) → how many articles have it.
ArticleDfs = Callable[[dict[str, set[str]]], dict[str, int]]


def analyse(text: str) -> dict[str, Counter[str]]:
    """A text analysed: each index term with the words (lower-cased) that gave it, counted."""
    forms: dict[str, Counter[str]] = {}
    for token in text_analysis.analyzer()(text, chars=True, positions=False):
        forms.setdefault(token.text, Counter())[text[token.startchar : token.endchar].lower()] += 1
    return forms


def surface(words: dict[str, Counter[str]]) -> dict[str, str]:
    """Index term → the word the text writes it as most often."""
    return {t: c.most_common(1)[0][0] for t, c in words.items()}


def key_terms(
    words: dict[str, Counter[str]],
    count: int,
    idf_power: float,
    article_dfs: ArticleDfs,
    total: int,
    required: Iterable[str] = (),
) -> dict[str, float]:
    """The `count` most distinctive index terms of an analysed text (tf-idf over the `total`
    articles), weighed for the query (the strongest weighs 1), plus those of `required` it
    has (the words of the entities it names). Numbers and function words are skipped, and
    terms no other article has (df ≤ 1): they cannot find anything."""
    skip = text_analysis.function_terms()
    tf = {t: c.total() for t, c in words.items()
          if len(t) > 1 and t not in skip and not _NUMBERISH.match(t)}
    if not tf:
        return {}
    # A long text's candidates are its most repeated words (longer ones first among
    # equals: they tend to be rarer).
    candidates = heapq.nlargest(KEY_CANDIDATES, tf.items(), key=lambda kv: (kv[1], len(kv[0])))
    required = {t for t in required if t in tf}
    candidates += [(t, tf[t]) for t in required - {t for t, _ in candidates}]
    dfs = article_dfs({t: set(words[t]) for t, _ in candidates})
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


def best_passage(paragraphs: list[str], weights: dict[str, float]) -> int:
    """The paragraph whose terms weigh most in the query."""
    if len(paragraphs) <= 1:
        return 0
    scores = [sum(weights.get(t, 0.0) for t in set(text_analysis.terms(p))) for p in paragraphs]
    return max(range(len(paragraphs)), key=scores.__getitem__)
