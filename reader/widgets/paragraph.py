"""One paragraph of an article, rendered from plain text plus highlight spans."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Static

from reader.text import styled


class Paragraph(Static):
    """A passage. Hit styles are component classes, so themes restyle them."""

    COMPONENT_CLASSES = {
        "paragraph--hit", "paragraph--current-hit",
        "entity--person", "entity--org", "entity--place", "entity--entity",
    }
    DEFAULT_CSS = "Paragraph { height: auto; }"

    def __init__(self, n: int, text: str, spans: list[tuple[int, int]] | None = None) -> None:
        super().__init__(id=f"p{n}", classes="paragraph")
        self.n = n
        self.text = text
        self.spans = spans or []
        self.current: tuple[int, int] | None = None
        self.entities: list[tuple[int, int, str]] = []  # (start, end, component class)
        self.show_entities = True

    @dataclass
    class Clicked(Message):
        n: int

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.n))

    def on_mount(self) -> None:
        self.refresh_text()

    def set_hits(self, spans: list[tuple[int, int]], current: tuple[int, int] | None) -> None:
        self.spans, self.current = spans, current
        self.refresh_text()

    def set_entities(self, entities: list[tuple[int, int, str]], show: bool) -> None:
        self.entities, self.show_entities = entities, show
        self.refresh_text()

    def refresh_text(self) -> None:
        text = styled(self.text)
        if self.show_entities:
            length = len(text.plain)
            for start, end, name in self.entities:
                if 0 <= start < end <= length:
                    text.stylize(self.get_component_rich_style(name), start, end)
        hit = self.get_component_rich_style("paragraph--hit")
        for start, end in self.spans:
            text.stylize(hit, start, end)
        if self.current is not None:
            s, e = self.current
            text.stylize(self.get_component_rich_style("paragraph--current-hit"), s, e)
        self.update(text)
