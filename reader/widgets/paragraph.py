"""One paragraph of an article, rendered from plain text plus highlight spans."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Static

from reader.text import styled


class Paragraph(Static):
    """A passage. Hit styles are component classes, so themes restyle them."""

    COMPONENT_CLASSES = {"paragraph--hit", "paragraph--current-hit"}
    DEFAULT_CSS = "Paragraph { height: auto; }"

    def __init__(self, n: int, text: str, spans: list[tuple[int, int]] | None = None) -> None:
        super().__init__(id=f"p{n}", classes="paragraph")
        self.n = n
        self.text = text
        self.spans = spans or []
        self.current: tuple[int, int] | None = None

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

    def refresh_text(self) -> None:
        text = styled(self.text, self.spans, self.get_component_rich_style("paragraph--hit"))
        if self.current is not None:
            s, e = self.current
            text.stylize(self.get_component_rich_style("paragraph--current-hit"), s, e)
        self.update(text)
