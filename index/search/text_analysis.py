"""The one text analyzer shared by indexing, querying and highlighting, so that a highlighted
word is exactly a word the index matched."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import StemmingAnalyzer

# English function words the analyzer keeps (its stop list is short), and news's verbs of
# reporting: in a question, a pasted sentence or a text's key terms ("what", "how", "there",
# "was", "said") they say nothing of a subject.
_FUNCTION_TEXT = """about above after again against all also am any because been
before being below between both but could did do does doing down during each few further
had has having he her here hers herself him himself his how i into its itself just me
might more most must my myself no nor now off once only other ought our ours ourselves out
over own same shall she should so some such than their theirs them themselves then there
these they those through too under until up upon very was were what whatever where whether
which while who whom whose why would said says say told"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())


@lru_cache(maxsize=1)
def function_terms() -> frozenset[str]:
    """The index terms of FUNCTION_WORDS."""
    return frozenset(t for w in FUNCTION_WORDS if (t := stem(w)))


@lru_cache(maxsize=1)
def analyzer():
    # An unbounded stem cache: the same few thousand stems come back in every article, and
    # Whoosh's default LRU bookkeeping costs more than the memory it saves.
    return StemmingAnalyzer(cachesize=-1)


def terms(text: str) -> list[str]:
    """The index terms of `text` (lower-cased, stop words dropped, stemmed)."""
    return [t.text for t in analyzer()(text)]


def stem(word: str) -> str:
    """The index term for one word, or "" for a stop word."""
    found = terms(word)
    return found[0] if found else ""


def term_spans(text: str, wanted: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """(start, end) offsets of the words of `text` whose index term is in `wanted`.

    Snippets and highlights call this on every hit of every keystroke's search, so it runs
    the analyzer's tokenizer alone and looks each token's term up in a memo: a token's term
    depends on the token only, and the whole analyzer chain is slow beside a dict lookup."""
    if not wanted or not text:
        return []
    memo = _terms_of
    out = []
    for match in _tokens().finditer(text):
        term = memo.get(match.group())
        if term is None:
            term = _term_of(match.group())
        if term in wanted:
            out.append(match.span())
    return out


# Token text -> its index term ("" when the analyzer drops it). Cleared when full.
_terms_of: dict[str, str] = {}
_MEMO_WORDS = 200_000


@lru_cache(maxsize=1)
def _tokens() -> re.Pattern[str]:
    # Whoosh's tokenizer pattern without its redundant optional dot (which makes it
    # backtrack): the same tokens, a quarter faster. Any other pattern is used as it is.
    own = analyzer().items[0].expression
    if own.pattern == r"[\w\*]+(\.?[\w\*]+)*":
        return re.compile(r"[\w*]+(?:\.[\w*]+)*")
    return own


def _term_of(token: str) -> str:
    # Run alone, the tokenizer gives the token back whole (its pattern is greedy), so the
    # analyzer's term for it is the term it gets inside any text.
    term = stem(token)
    if len(_terms_of) >= _MEMO_WORDS:
        _terms_of.clear()
    _terms_of[token] = term
    return term

