"""Security (issue 8, part 5), what is shown and written: terminal control sequences are stripped
at ingest and again at render, article text never becomes markup, a link or a click action,
and exports escape HTML and neutralise spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console
from security_helpers import assert_clean, rss_feed, rss_item

from index.config import Settings
from index.core import Newsreader
from index.export.renderers import render
from index.sanitize import strip_controls
from reader.text import one_line, safe, styled

# -- terminal control sequences -----------------------------------------------------------------
HOSTILE = {
    "osc52": "\x1b]52;c;cm0gLXJmIH4K\x07",
    "osc52-st": "\x1b]52;c;cm0gLXJmIH4K\x1b\\",
    "osc8": "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "clear": "\x1b[2J\x1b[H",
    "c1-csi": "\x9b2J",
    "c1-osc": "\x9d0;pwned\x9c",
    "title": "\x1b]0;pwned\x07",
    "bell": "\x07\x07",
    "dcs": "\x1bP+q544e\x1b\\",
    "bidi": "\u202eevil\u202c",
    "nul-bs": "a\x00b\x08c",
}
ALL_HOSTILE = "".join(f" {v} " for v in HOSTILE.values())


def test_control_sequences_are_stripped_at_ingest(
    tmp_path: Path, lib: Path, no_seed_config: Path, no_seed_settings: Settings, run_cli
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    rows = [
        {
            "title": f"Row {name} {seq} end",
            "url": f"https://x.example/{name}",
            "source": f"Src {seq}",
            "author": f"By {seq}",
            "body": f"Para {seq} one.\n\nTwo {seq}.",
        }
        for name, seq in HOSTILE.items()
    ]
    (inputs / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    # (A text file made mostly of controls is binary data; these sit in an ordinary article.)
    filler = "Officials met in the capital on Tuesday to discuss the budget. " * 40
    (inputs / "plain.txt").write_text(
        f"Plain {ALL_HOSTILE} title\n\n{filler}\n\nBody {ALL_HOSTILE} text.\n\n{filler}\n"
    )
    # In XML a raw ESC is not allowed, but a character reference to one is.
    ref = "&#x1b;]52;c;cm0gLXJmIH4K&#x07; &#x1b;[2J &#x9b;2J &#x1b;]8;;http://evil.example/&#x07;"
    (inputs / "feed.xml").write_text(
        rss_feed(rss_item(f"Feed {ref} title", f"Feed {ref} body", "https://x.example/feed"))
    )
    result = run_cli("--library", lib, "--config", no_seed_config, "add", inputs)
    assert result.code == 0, result.err
    assert "added 13," in result.out
    core = Newsreader.open(lib, no_seed_settings)
    try:
        for summary in core.list():
            a = core.get(summary.id)
            for text in (a.title, *a.paragraphs, a.source or "", a.byline or ""):
                assert_clean(text)
    finally:
        core.close()
    # And nothing of them in what the command line prints.
    for command in (["list"], ["search", "row"], ["show", "1"], ["show", "1", "--json"]):
        out = run_cli("--library", lib, "--config", no_seed_config, *command)
        assert out.code == 0 and "\x1b" not in out.out + out.err, command
        assert_clean(out.out)


@pytest.mark.parametrize("name", HOSTILE)
def test_render_strips_controls_again(name: str) -> None:
    """Text from an older library (or any path that missed ingest) is cleaned at render."""
    seq = HOSTILE[name]
    text = f"Before {seq} after"
    expected = strip_controls(text)
    assert_clean(safe(text))
    assert_clean(one_line(text))
    rendered = styled(text, [(0, 6)], style="bold")
    assert rendered.plain == expected
    assert_clean(rendered.plain)
    assert [(s.start, s.end, str(s.style)) for s in rendered.spans] == [(0, 6, "bold")]
    # What reaches the terminal: no control character beyond Rich's own styling.
    console = Console(
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        width=300,
        legacy_windows=False,
    )
    console.print(rendered)
    for segment in console.render(rendered):
        if not segment.control:
            assert_clean(segment.text)


MARKUP = (
    "[bold red]Not markup[/] [@click=app.quit]click me[/] [link=http://evil.example]x[/link]"
    " [/] [b] :smile: $accent \\[escaped] [on red]bg[/on red] <script>alert(1)</script>"
)


def test_article_text_never_becomes_markup() -> None:
    text = styled(MARKUP, base="italic")
    assert text.plain == MARKUP
    assert text.spans == []  # no style from the text's brackets
    console = Console(file=io.StringIO(), force_terminal=True, width=400, record=True)
    console.print(text)
    assert console.export_text().rstrip("\n") == MARKUP
    for segment in console.render(text):
        style = segment.style
        if style is not None:
            assert style.link is None and not style.meta, segment  # no link, no @click
    line = one_line(MARKUP)
    assert line == MARKUP


def test_markup_in_titles_is_stored_and_printed_verbatim(
    tmp_path: Path, lib: Path, no_seed_config: Path, run_cli
) -> None:
    title = "[bold]Bold?[/bold] [link=http://evil.example]no[/link] [@click=app.quit]q[/]"
    feed = tmp_path / "m.jsonl"
    feed.write_text(json.dumps({"title": title, "body": "[red]body[/red] text"}) + "\n")
    assert run_cli("--library", lib, "--config", no_seed_config, "add", feed).code == 0
    shown = run_cli("--library", lib, "--config", no_seed_config, "show", "1", "--json").json()
    assert shown["title"] == title
    assert shown["passages"][0]["text"] == "[red]body[/red] text"


# -- exports ------------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\t=tab", "\r=cr"]


@pytest.fixture
def hostile_bookmarks(
    tmp_path: Path, lib: Path, no_seed_settings: Settings
) -> Iterator[Newsreader]:
    rows = [
        {
            "title": "<script>alert('t')</script> & \"quotes\" <b>bold</b>",
            "url": "javascript:alert(1)",
            "body": "<img src=x onerror=alert(1)> first paragraph.\n\nSecond paragraph.",
        },
        *(
            {
                "title": f"{f} title",
                "url": f"https://x.example/{i}",
                "author": f,
                "body": f"{f} passage text.\n\n{f}",
            }
            for i, f in enumerate(FORMULAS)
        ),
    ]
    feed = tmp_path / "hostile.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    core = Newsreader.open(lib, no_seed_settings)
    try:
        assert core.add([str(feed)]).added == len(rows)
        for a in core.list():
            core.bookmarks.add(a.id, passage=0, note="=cmd|' /C calc'!A0 <i>note</i>", tags=["x"])
            core.bookmarks.add(a.id, note='@evil " onmouseover="alert(1)')
        yield core
    finally:
        core.close()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_export_is_escaped(hostile_bookmarks: Newsreader, tmp_path: Path) -> None:
    out = tmp_path / "bookmarks.html"
    count = hostile_bookmarks.export_bookmarks("html", out)
    assert count == 2 * (1 + len(FORMULAS))
    html = out.read_text()
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    parser = _Tags()
    parser.feed(html)
    assert {t for t, _ in parser.tags} <= {"meta", "title", "h1", "dl", "p", "dt", "a", "dd"}
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith(("https://", "http://", "newsreader://")), attrs
    text = "".join(parser.text)
    # The hostile text is there as text: escaped in the file, itself once parsed.
    assert "<script>alert('t')</script> & \"quotes\" <b>bold</b>" in text
    assert '@evil " onmouseover="alert(1)' in text


def test_csv_export_neutralises_formulas(hostile_bookmarks: Newsreader, tmp_path: Path) -> None:
    out = tmp_path / "bookmarks.csv"
    hostile_bookmarks.export_bookmarks("csv", out)
    rows = list(csv.reader(io.StringIO(out.read_text(), newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == "Highlight" and len(body) == 2 * (1 + len(FORMULAS))
    cells = [cell for row in body for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Neutralised, not dropped: the text is all there behind the apostrophe.
    for formula in FORMULAS:  # (ingest made the tab and CR of the last two a space)
        assert "'" + " ".join(f"{formula} title".split()) in cells, formula
    assert "'=cmd|' /C calc'!A0 <i>note</i>" in cells
    assert '\'@evil " onmouseover="alert(1)' in cells


def test_no_export_links_a_javascript_url(hostile_bookmarks: Newsreader) -> None:
    """A javascript: article URL never becomes a link in an export (the lossless JSON keeps
    it as data, as the Markdown front matter does)."""
    items = hostile_bookmarks.bookmarks.list()
    urls = [b["article"]["url"] for b in json.loads("".join(render("json", items)))["bookmarks"]]
    assert "javascript:alert(1)" in urls
    markdown = "".join(render("markdown", items))
    assert not re.search(r"\]\(\s*javascript:|<\s*javascript:|Source: .*javascript:", markdown)
    html = "".join(render("html", items))
    assert "javascript:" not in html
    rows = list(csv.DictReader(io.StringIO("".join(render("csv", items)), newline="")))
    assert not [r for r in rows if "javascript:" in r["URL"]]
