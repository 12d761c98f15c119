"""KeysFooter: the same keys as Textual's Footer, without restyling each key as it mounts."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from reader.widgets.footer import KeysFooter


class FooterApp(App):
    BINDINGS = [
        Binding("a", "noop('a')", "Alpha"),
        Binding("b", "noop('b')", "Beta"),
        Binding("c", "noop('c')", "Gamma"),
    ]

    def __init__(self, footer: type[Footer]) -> None:
        super().__init__()
        self.footer = footer
        self.restyled: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.footer()

    def update_styles(self, node, animate: bool = True) -> None:
        if isinstance(node, FooterKey):
            self.restyled.append(node.key)
        super().update_styles(node, animate)

    def action_noop(self, key: str) -> None:
        pass


def keys(app: App) -> list[tuple[str, str, bool]]:
    return [(k.key, k.description, k.has_class("-compact")) for k in app.query(FooterKey)]


async def footer_state(footer: type[Footer], compact_later: bool = False):
    app = FooterApp(footer)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        shown, restyled = keys(app), list(app.restyled)
        if compact_later:
            app.query_one(Footer).compact = True
            await pilot.pause()
            shown = keys(app)
        return shown, restyled


@pytest.mark.parametrize("compact_later", [False, True])
def test_same_keys_as_textual_footer_without_restyling_them(compact_later: bool) -> None:
    ours, ours_restyled = asyncio.run(footer_state(KeysFooter, compact_later))
    theirs, theirs_restyled = asyncio.run(footer_state(Footer, compact_later))
    assert ours == theirs
    assert [k for k, _, _ in ours][:3] == ["a", "b", "c"]
    # The footer's own keys follow its `compact`; the palette's key is always compact.
    assert [compact for key, _, compact in ours if key != "ctrl+p"] == [compact_later] * 3
    assert ("ctrl+p", "palette", True) in ours
    assert theirs_restyled  # Textual's keys restyle themselves as they mount…
    assert ours_restyled == []  # …ours start with the classes they end up with
