"""The reader's search screen shows partial matches for what they are: the status line says how
many articles have every word, and each partial hit names the words it lacks."""

from __future__ import annotations

from reader_helpers import screen_text, status
from reader_pilot_helpers import app_for, drive, search
from textual.pilot import Pilot

ELECTION = "Austria votes in a snap election"
OPERA = "Vienna opera ball is cancelled"


def test_partial_matches_say_what_they_lack(no_seed_settings, library):
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await search(pilot, "vienna parliament ")
        assert screen.result is not None
        assert [h.title for h in screen.result.hits][:1] == [ELECTION]
        line = status(app, "#search-status")
        assert line.startswith("1 article has every word; then those with some of them")
        text = screen_text(app)
        assert OPERA in text and "lacks parliament" in text
        # The complete match names nothing it lacks.
        election_row = next(row for row in text.splitlines() if ELECTION in row)
        assert "lacks" not in election_row

    drive(app, scenario)
