"""Plain data shapes shared by every layer of the core."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Article:
    """A parsed article, sanitized, not yet stored."""

    title: str
    paragraphs: list[str]
    date: str | None = None  # ISO 8601: "2017-05-31" or "2017-05-31T10:00:00+00:00"
    source: str | None = None
    url: str | None = None
    byline: str | None = None
    # Where it came from (a file path, a feed URL) — used to update a re-added file in place.
    origin: str | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class ArticleSummary:
    id: int
    title: str
    date: str | None
    source: str | None
    url: str | None
    read: bool = False


@dataclass
class StoredArticle:
    id: int
    title: str
    date: str | None
    source: str | None
    url: str | None
    byline: str | None
    paragraphs: list[str]
    added: str = ""
    read: bool = False
    position: int = 0  # the passage the reader was last at


@dataclass
class Snippet:
    """A fragment of passage text with hit spans as (start, end) offsets into `text`."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Hit:
    id: int
    title: str
    date: str | None
    source: str | None
    url: str | None
    score: float
    snippet: Snippet
    passage: int
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    # "all" the plain words typed, "most" (more than half) or "any"; and the words it lacks.
    matched: str = "all"
    missing: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "url": self.url,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.highlights],
            "passage": self.passage,
            "matched": self.matched,
            "missing": list(self.missing),
        }


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int
    # The query actually run when the typed one found (almost) nothing, else None.
    corrected: str | None = None
    # Stemmed terms the hits matched on; the reader highlights them inside an article.
    terms: frozenset[str] = frozenset()
    # The weakest match among the hits ("all", "most", "any": index.search.matching), and how many
    # articles hold every plain word (None: the query had no words that may be missing).
    matched: str = "all"
    complete: int | None = None


@dataclass
class Feed:
    """A subscription, its fetch state and (when listed with them) its article and unread
    counts."""

    id: int
    url: str
    title: str | None
    group: str
    site_url: str | None
    full_text: bool
    added: str
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    failures: int = 0
    next_due: str | None = None
    articles: int = 0
    unread: int = 0

    @property
    def name(self) -> str:
        return self.title or self.url

    def to_json(self) -> dict:
        out = asdict(self)
        out.pop("etag")
        out.pop("last_modified")
        return out


@dataclass
class IngestFailure:
    path: str
    reason: str


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    skipped: int = 0  # files of a type we do not read, found while walking a directory

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        line = (
            f"added {self.added}, updated {self.updated}, "
            f"duplicates {self.duplicates}, failed {self.failed}"
        )
        if self.skipped:
            line += f" (skipped {self.skipped} files of other types)"
        return line
