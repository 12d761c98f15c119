"""What every screen shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from textual import getters

    from reader.app import NewsreaderApp

ResultT = TypeVar("ResultT")


class NewsreaderScreen(Screen[ResultT]):
    """A screen of this app. `self.app` is typed as the NewsreaderApp, so `self.app.core` and
    the app's other attributes are checked; only for the type checker (Textual's descriptor,
    the way its docs type an app): at run time Textual's own `app` property answers, and no
    import of reader.app is needed here."""

    if TYPE_CHECKING:
        app = getters.app(NewsreaderApp)


class ReportsWorkerFailures(NewsreaderScreen[ResultT]):
    """Worker.StateChanged does not bubble from a screen to the app: hand it to the app's one
    failure handler, so a failed worker is always a visible notification."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.on_worker_state_changed(event)
