"""Reading one article: paragraphs, a paragraph cursor, hits to step through with n/N, and the
reading position remembered across runs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from index.model import StoredArticle
from reader.messages import CoreReady
from reader.screens.article_bookmarks import ArticleBookmarks
from reader.text import one_line
from reader.widgets.article_header import ArticleHeader
from reader.widgets.footer import KeysFooter
from reader.widgets.panels import ENTITY_CLASSES, EntityPanel, RelatedPanel
from reader.widgets.paragraph import Paragraph


@dataclass
class ArticleLoaded(Message):
    article: StoredArticle | None
    spans: list[list[tuple[int, int]]]
    bookmarks: list
    mentions: list
    entity_counts: list


@dataclass
class RelatedFound(Message):
    passage: int
    items: list


@dataclass
class StrongPassages(Message):
    passages: set[int]


class ArticleScreen(ArticleBookmarks):
    BINDINGS = [
        Binding("escape", "back", "Back", id="article.back"),
        Binding("m", "bookmark", "Bookmark ¶", id="article.bookmark"),
        Binding("M", "edit_bookmark", "Note/tags", id="article.edit_bookmark"),
        Binding("B", "bookmark_article", "Bookmark article", show=False,
                id="article.bookmark_article"),
        Binding("r", "toggle_related", "Related", id="article.related"),
        Binding("E", "toggle_entity_panel", "Entities", id="article.entity_panel"),
        Binding("e", "toggle_entities", "Highlight entities", show=False,
                id="article.entities"),
        Binding("n", "next_hit", "Next hit", id="article.next_hit"),
        Binding("N", "previous_hit", "Prev hit", id="article.previous_hit"),
        Binding("u", "next_unread(1)", "Next unread", show=False, id="article.next_unread"),
        Binding("U", "next_unread(-1)", "Previous unread", show=False,
                id="article.previous_unread"),
        Binding("j,down", "cursor(1)", "Down", show=False, id="article.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="article.up"),
        Binding("space,pagedown", "page(1)", "Page down", show=False, id="article.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="article.page_up"),
        Binding("g,home", "edge(0)", "Top", show=False, id="article.top"),
        Binding("G,end", "edge(1)", "Bottom", show=False, id="article.bottom"),
    ]

    def __init__(self, article_id: int, passage: int | None = None,
                 terms: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.article_id = article_id
        self.passage = passage
        self.terms = terms
        self.article: StoredArticle | None = None
        self.hits: list[tuple[int, int, int]] = []  # (paragraph, start, end) in reading order
        self.hit_index = -1
        self.cursor = 0
        self.bookmarks: list = []
        self.entities_on = True
        self._related_for: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="article-main"):
            with VerticalScroll(id="article-body"):
                yield ArticleHeader(id="article-meta")
            with Vertical(id="article-side"):
                yield EntityPanel(id="entity-panel")
                yield RelatedPanel(id="related-panel")
        yield Static("", id="article-status")
        yield KeysFooter()


    def on_mount(self) -> None:
        self.sub_title = "article"
        self.query_one("#article-body").focus()
        if self.app.core is not None:
            self.load()

    def on_core_ready(self, message: CoreReady) -> None:
        if self.article is None:
            self.load()

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load(self) -> None:
        core = self.app.ready_core
        article = core.get(self.article_id)
        spans: list[list[tuple[int, int]]] = []
        if article is not None:
            if self.terms:
                spans = core.passage_spans(article.paragraphs, self.terms)
            core.mark_read(self.article_id)
        marks = core.bookmarks.for_article(self.article_id) if article is not None else []
        mentions = core.entities_for(self.article_id) if article is not None else []
        counts = core.entity_counts(self.article_id) if article is not None else []
        self.post_message(ArticleLoaded(article, spans, marks, mentions, counts))

    async def on_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        meta = self.query_one(ArticleHeader)
        if article is None:
            meta.update(f"Article {self.article_id} is no longer in the library.")
            return
        self.article = article
        self.sub_title = one_line(article.title, 80)
        meta.show(article)
        spans = message.spans or [[] for _ in article.paragraphs]
        self.hits = [(n, s, e) for n, para in enumerate(spans) for s, e in para]
        body = self.query_one("#article-body", VerticalScroll)
        await body.mount_all(
            Paragraph(n, text, spans[n] if n < len(spans) else [])
            for n, text in enumerate(article.paragraphs)
        )
        self._mark_bookmarks(message.bookmarks)
        self._show_entities(message.mentions, message.entity_counts)
        self.find_strong_passages()
        start = self.passage if self.passage is not None else article.position
        start = max(0, min(start, len(article.paragraphs) - 1))
        if self.hits and self.passage is not None:
            first = next((i for i, h in enumerate(self.hits) if h[0] >= start), 0)
            self._go_to_hit(first)
        else:
            self._move_cursor(start, top=True)
        self._update_status()

    # -- movement ----------------------------------------------------------------------------
    def _move_cursor(self, n: int, top: bool = False) -> None:
        paragraphs = self._paragraphs()
        if not paragraphs:
            return
        n = max(0, min(n, len(paragraphs) - 1))
        paragraphs[self.cursor].remove_class("-cursor") if self.cursor < len(paragraphs) else None
        self.cursor = n
        paragraphs[n].add_class("-cursor")
        body = self.query_one("#article-body", VerticalScroll)
        body.scroll_to_widget(paragraphs[n], animate=False, top=top)
        self._follow_cursor()

    def on_paragraph_clicked(self, message: Paragraph.Clicked) -> None:
        self._set_cursor_quietly(message.n)
        self._update_status()

    def action_cursor(self, delta: int) -> None:
        self._move_cursor(self.cursor + delta)
        self._update_status()

    def action_page(self, direction: int) -> None:
        body = self.query_one("#article-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)
        self.call_after_refresh(self._cursor_to_view)

    def _cursor_to_view(self) -> None:
        body = self.query_one("#article-body", VerticalScroll)
        top = body.scroll_y
        for p in self._paragraphs():
            if p.virtual_region.y + p.virtual_region.height > top:
                self._set_cursor_quietly(p.n)
                break
        self._update_status()

    def _set_cursor_quietly(self, n: int) -> None:
        paragraphs = self._paragraphs()
        if self.cursor < len(paragraphs):
            paragraphs[self.cursor].remove_class("-cursor")
        self.cursor = n
        paragraphs[n].add_class("-cursor")
        self._follow_cursor()

    def action_edge(self, end: int) -> None:
        paragraphs = self._paragraphs()
        if paragraphs:
            self._move_cursor(len(paragraphs) - 1 if end else 0, top=not end)
            body = self.query_one("#article-body", VerticalScroll)
            body.scroll_end(animate=False) if end else body.scroll_home(animate=False)
        self._update_status()

    # -- hits --------------------------------------------------------------------------------
    def action_next_hit(self) -> None:
        if self.hits:
            self._go_to_hit((self.hit_index + 1) % len(self.hits))

    def action_previous_hit(self) -> None:
        if self.hits:
            self._go_to_hit((self.hit_index - 1) % len(self.hits))

    def _go_to_hit(self, index: int) -> None:
        paragraphs = self._paragraphs()
        if self.hit_index >= 0:
            old = self.hits[self.hit_index][0]
            paragraphs[old].set_hits(paragraphs[old].spans, None)
        self.hit_index = index
        n, s, e = self.hits[index]
        paragraphs[n].set_hits(paragraphs[n].spans, (s, e))
        self._move_cursor(n)
        self._update_status()

    def _update_status(self) -> None:
        if self.article is None:
            return
        parts = [f"¶ {self.cursor + 1}/{len(self.article.paragraphs)}"]
        if self.hits:
            at = f"{self.hit_index + 1}" if self.hit_index >= 0 else "–"
            parts.append(f"hit {at}/{len(self.hits)} (n/N)")
        elif self.terms:
            parts.append("no hits in the text")
        self.query_one("#article-status", Static).update(" · ".join(parts))

    # -- entities ----------------------------------------------------------------------------
    def _show_entities(self, mentions: list, counts: list) -> None:
        per_passage: dict[int, list[tuple[int, int, str]]] = {}
        in_title: list[tuple[int, int, str]] = []
        for m in mentions:
            name = ENTITY_CLASSES.get(m.label)
            if name:
                where = in_title if m.part == "title" else per_passage.setdefault(m.passage, [])
                where.append((m.start, m.end, name))
        for p in self._paragraphs():
            p.set_entities(per_passage.get(p.n, []), self.entities_on)
        self.query_one(ArticleHeader).set_entities(in_title, self.entities_on)
        self.query_one(EntityPanel).show(counts)

    def action_toggle_entities(self) -> None:
        self.entities_on = not self.entities_on
        for p in self._paragraphs():
            p.set_entities(p.entities, self.entities_on)
        header = self.query_one(ArticleHeader)
        header.set_entities(header.entities, self.entities_on)
        self.notify("Entities highlighted" if self.entities_on else "Entity highlights off",
                    timeout=2)

    def action_toggle_entity_panel(self) -> None:
        self._toggle_panel(self.query_one(EntityPanel))

    def on_entity_panel_chosen(self, message: EntityPanel.Chosen) -> None:
        from reader.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(message.query))

    def _toggle_panel(self, panel) -> None:
        side = self.query_one("#article-side")
        showing = not panel.display
        panel.display = showing
        side.display = any(w.display for w in side.children)
        if showing:
            panel.focus()
        else:
            self.query_one("#article-body").focus()

    # -- related passages ----------------------------------------------------------------------
    def action_toggle_related(self) -> None:
        panel = self.query_one(RelatedPanel)
        self._toggle_panel(panel)
        if panel.display:
            self._related_for = None
            self._follow_cursor()
            self.query_one("#article-body").focus()

    def _follow_cursor(self) -> None:
        panel = self.query_one(RelatedPanel)
        if not panel.display or self.article is None or self._related_for == self.cursor:
            return
        self._related_for = self.cursor
        panel.show_loading(self.cursor)
        self.find_related(self.cursor)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False,
          name="finding related passages")
    def find_related(self, passage: int) -> None:
        items = self.app.ready_core.related(self.article_id, passage, limit=8)
        if not get_current_worker().is_cancelled:
            self.post_message(RelatedFound(passage, items))

    def on_related_found(self, message: RelatedFound) -> None:
        if message.passage == self._related_for:  # the cursor may have moved on since
            self.query_one(RelatedPanel).show(message.passage, message.items)

    def on_related_panel_chosen(self, message: RelatedPanel.Chosen) -> None:
        # A new screen on the stack: escape comes back exactly here, like a browser's back.
        self.app.open_article(message.article_id, message.passage)

    @work(thread=True, exclusive=True, group="strong", exit_on_error=False,
          name="marking related paragraphs")
    def find_strong_passages(self) -> None:
        found = self.app.ready_core.strong_passages(self.article_id)
        if not get_current_worker().is_cancelled:
            self.post_message(StrongPassages(found))

    def on_strong_passages(self, message: StrongPassages) -> None:
        for p in self._paragraphs():
            p.set_class(p.n in message.passages, "-related")

    # -- next unread ---------------------------------------------------------------------------
    def action_next_unread(self, step: int) -> None:
        """Open the next (step 1) or previous (-1) unread article of the library's list, in
        its order (sort, filter, feed), in place of this one: escape still goes back to where
        this one was opened from."""
        library = self.app.library_screen()
        if library is not None and self.app.library is not None:
            self.find_unread([i for i in library.around(self.article_id, step)
                              if i != self.article_id])

    @work(thread=True, exclusive=True, group="next-unread", exit_on_error=False,
          name="finding the next unread article")
    def find_unread(self, candidates: list[int]) -> None:
        # Read marks from the library, not the list's: articles read since it was shown count.
        read = self.app.ready_library.read_ids(candidates)
        found = next((i for i in candidates if i not in read), None)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._open_unread, found)

    def _open_unread(self, article_id: int | None) -> None:
        if article_id is None:
            self.notify("No unread articles left in the list.", timeout=3)
            return
        library = self.app.library_screen()
        if library is not None:
            library.follow(article_id)
        self.app.switch_screen(ArticleScreen(article_id))

    def action_back(self) -> None:
        """Back one level: close the side panels first, then leave the article."""
        side = self.query_one("#article-side")
        if side.display:
            for panel in side.children:
                panel.display = False
            side.display = False
            self.query_one("#article-body").focus()
            return
        self.dismiss()

    def on_unmount(self) -> None:
        core = self.app.ready_core
        if core is not None and self.article is not None:
            save = partial(core.save_position, self.article_id, self.cursor)
            if not self.app.is_running:
                # The app is quitting and closes the library next: a worker would race that
                # close (a lost position, or sqlite3 crashing the process), so save here.
                save()
                return
            # Off the UI thread; a failure is reported by the app's worker error handler.
            self.app.run_worker(save, thread=True, group="position", exit_on_error=False,
                                name="saving the reading position")
