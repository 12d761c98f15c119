"""The search results list: title, source and date (and, for a partial match, the words it
lacks), and a snippet with the hits highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from index.model import Hit
from reader.text import one_line, styled


class ResultList(OptionList):
    COMPONENT_CLASSES = {"results--hit", "results--title", "results--meta"}
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="results.down"),
        Binding("k", "cursor_up", "Up", show=False, id="results.up"),
        Binding("g", "first", "First", show=False, id="results.first"),
        Binding("G", "last", "Last", show=False, id="results.last"),
    ]

    def show(self, hits: list[Hit]) -> None:
        hit_style = self.get_component_rich_style("results--hit")
        title_style = self.get_component_rich_style("results--title")
        meta_style = self.get_component_rich_style("results--meta")
        options = []
        for hit in hits:
            title = styled(hit.title, hit.title_highlights, hit_style, base=title_style)
            lacks = "lacks " + ", ".join(hit.missing) if hit.missing else ""
            meta = " · ".join(x for x in (one_line(hit.source or "", 40), (hit.date or "")[:10],
                                          one_line(lacks, 60)) if x)
            snippet = styled(" ".join(hit.snippet.text.split("\n")), hit.snippet.highlights,
                             hit_style)
            lines = [title, Text(meta, style=meta_style)] if meta else [title]
            prompt = Text("\n").join([*lines, snippet])
            options.append(Option(prompt, id=str(hit.id)))
        self.set_options(options)
        if options:
            self.highlighted = 0
