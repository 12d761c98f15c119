"""BM25F ranking term at a time: the ranker, a term's scored postings, their cache, phrases
from their words' reads, and date ranges from the index's numeric column."""
