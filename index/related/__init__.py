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
