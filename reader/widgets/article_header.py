"""An article's header: its title, with the names found in it underlined as in its paragraphs,
then source, date, byline and URL."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from index.model import StoredArticle
from reader.text import one_line, safe

TITLE_CHARS = 500


def title_offsets(title: str) -> list[int] | None:
    """Where each character of `title` lands in the title as shown (one line: whitespace runs
    made one space, the ends trimmed); -1 for a character not shown. None when the shown title
    is cut, or control characters were stripped: offsets into the stored title no longer
    apply there."""
    if safe(title) != title:
        return None
    where: list[int] = []
    shown = 0
    pending_space = False
    for ch in title:
        if ch.isspace():
            pending_space = shown > 0
            where.append(-1)
            continue
        if pending_space:
            shown += 1
            pending_space = False
        where.append(shown)
        shown += 1
    return where if shown <= TITLE_CHARS else None


class ArticleHeader(Static):
    """The title in bold (names underlined like the paragraphs', `e` toggles them), details
    dim below it. Text is data: built as Text, never markup."""

    COMPONENT_CLASSES = {"entity--person", "entity--org", "entity--place", "entity--entity"}

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("Loading…", id=id)
        self.article: StoredArticle | None = None
        self.entities: list[tuple[int, int, str]] = []  # (start, end, component class)
        self.show_entities = True

    def show(self, article: StoredArticle) -> None:
        self.article = article
        self.refresh_text()

    def set_entities(self, entities: list[tuple[int, int, str]], show: bool) -> None:
        """Names in the title: offsets into the stored title."""
        self.entities, self.show_entities = entities, show
        self.refresh_text()

    def refresh_text(self) -> None:
        a = self.article
        if a is None:
            return
        title = Text(one_line(a.title, TITLE_CHARS), style="bold")
        where = title_offsets(a.title) if self.show_entities and self.entities else None
        if where is not None:
            for start, end, name in self.entities:
                if 0 <= start < end <= len(where) and where[start] >= 0 and where[end - 1] >= 0:
                    title.stylize(self.get_component_rich_style(name), where[start],
                                  where[end - 1] + 1)
        details = " · ".join(one_line(x, 120) for x in (a.source, (a.date or "")[:10], a.byline)
                             if x)
        parts: list[str | Text] = [title]
        if details:
            parts += ["\n", Text(details, style="dim")]
        if a.url:
            parts += ["\n", Text(one_line(a.url, 300), style="dim italic")]
        self.update(Text.assemble(*parts))
