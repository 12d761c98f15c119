"""Textual's Footer, composed without restyling every key twice."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeysFooter(Footer):
    """Each FooterKey starts `compact` and is then bound to the footer's `compact`: both changes
    toggle a class, and a class change restyles the key at once, on the key's first mount and
    again at every recompose (each change of focus). That was 15 % of the first frame's work.
    Giving each key the footer's value before it mounts leaves its classes as they end up."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # The command palette's key is not bound to the footer: it stays compact.
                palette = widget.has_class("-command-palette")
                compact = True if palette else self.compact
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget
