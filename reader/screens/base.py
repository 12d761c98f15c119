"""What every screen shares."""

from __future__ import annotations

from textual.worker import Worker


class ReportsWorkerFailures:
    """Worker.StateChanged does not bubble from a screen to the app: hand it to the app's one
    failure handler, so a failed worker is always a visible notification."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.on_worker_state_changed(event)  # type: ignore[attr-defined]
