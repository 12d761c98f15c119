"""The names of an article underlined where they stand: in its paragraphs and in its title (the
title's names are the article's entities too), one style per type; `e` turns them off and on."""

from __future__ import annotations

from reader_helpers import until
from reader_pilot_helpers import app_for, drive, open_from_library
from rich.text import Text
from textual.pilot import Pilot

from reader.widgets.article_header import ArticleHeader, title_offsets
from reader.widgets.paragraph import Paragraph

TITLE = "Russian warships fire cruise missiles at Syria"


def underlined(text: Text) -> set[str]:
    """The stretches of `text` shown underlined."""
    return {
        text.plain[s.start : s.end]
        for s in text.spans
        if not isinstance(s.style, str) and s.style.underline
    }


def header_text(header: ArticleHeader) -> Text:
    content = header.content
    assert isinstance(content, Text)
    return content


def test_title_offsets_follow_the_title_as_shown() -> None:
    assert title_offsets("Oil in  Iraq ") == [0, 1, 2, -1, 4, 5, -1, -1, 7, 8, 9, 10, -1]
    assert title_offsets("\tLead") == [-1, 0, 1, 2, 3]
    assert title_offsets("Bad \x1b[2J title") is None  # stripped when shown: offsets move
    assert title_offsets("x" * 501) is None  # cut when shown


def test_names_in_the_title_and_the_text_are_underlined_and_e_toggles_them(
    no_seed_settings, library
) -> None:
    app = app_for(no_seed_settings, library)

    async def scenario(pilot: Pilot) -> None:
        screen = await open_from_library(pilot, TITLE)
        header = screen.query_one(ArticleHeader)
        await until(pilot, lambda: header.entities, "the title's names")
        shown = header_text(header)
        assert shown.plain.startswith(TITLE)
        assert "Syria" in underlined(shown)
        [syria] = [s for s in shown.spans if shown.plain[s.start : s.end] == "Syria"]
        place = header.get_component_rich_style("entity--place")
        assert syria.style == place  # the style paragraphs give a place
        body = [p for p in screen.query(Paragraph) if p.entities]
        assert body, "names in the text"
        await pilot.press("e")
        await until(pilot, lambda: not underlined(header_text(header)), "title highlights off")
        assert not any(underlined(p.content) for p in body if isinstance(p.content, Text))
        await pilot.press("e")
        await until(pilot, lambda: "Syria" in underlined(header_text(header)), "highlights on")

    drive(app, scenario)
