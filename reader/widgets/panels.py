"""Side panels of the article screen: the article's entities, and passages elsewhere related
to the paragraph under the cursor."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.text import one_line

# Entity labels → the query field that searches for them, and the legend's names.
LABEL_FIELD = {"PERSON": "person", "ORG": "org", "PLACE": "place", "MISC": "entity"}
LABEL_NAME = {"PERSON": "People", "ORG": "Organisations", "PLACE": "Places", "MISC": "Other"}
ENTITY_CLASSES = {label: f"entity--{field}" for label, field in LABEL_FIELD.items()}


class EntityPanel(OptionList):
    """The article's entities grouped by type, with mention counts; enter searches for one."""

    COMPONENT_CLASSES = {"panel--heading", *ENTITY_CLASSES.values()}
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="entities.down"),
        Binding("k", "cursor_up", "Up", show=False, id="entities.up"),
    ]

    @dataclass
    class Chosen(Message):
        query: str

    def show(self, counts: list) -> None:
        self._queries: dict[str, str] = {}
        heading = self.get_component_rich_style("panel--heading")
        options: list[Option | None] = []
        for label in LABEL_FIELD:
            group = [c for c in counts if c.label == label]
            if not group:
                continue
            style = self.get_component_rich_style(ENTITY_CLASSES[label])
            # The headings double as the legend: each in its type's style.
            options.append(Option(Text(f"{LABEL_NAME[label]} ({len(group)})",
                                       style=heading + style), disabled=True))
            for c in group:
                key = f"e{c.entity_id}"
                name = c.canonical.replace('"', "")
                self._queries[key] = f'{LABEL_FIELD[label]}:"{name}"'
                options.append(Option(Text.assemble((one_line(c.canonical, 60), style),
                                                    f"  ×{c.count}"), id=key))
        if not options:
            options.append(Option("No people, organisations or places found.", disabled=True))
        self.set_options(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        query = self._queries.get(event.option_id or "")
        if query:
            self.post_message(self.Chosen(query))


class RelatedPanel(OptionList):
    """Related passages for the paragraph under the cursor, each with why it is related."""

    COMPONENT_CLASSES = {"panel--heading", "related--why", "related--title"}
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="related.down"),
        Binding("k", "cursor_up", "Up", show=False, id="related.up"),
    ]

    @dataclass
    class Chosen(Message):
        article_id: int
        passage: int

    def show(self, passage: int, items: list) -> None:
        self._targets: dict[str, tuple[int, int]] = {}
        heading = self.get_component_rich_style("panel--heading")
        why_style = self.get_component_rich_style("related--why")
        title_style = self.get_component_rich_style("related--title")
        options: list[Option] = [Option(Text(f"Related to ¶ {passage + 1}", style=heading),
                                        disabled=True)]
        for i, r in enumerate(items):
            key = f"r{i}"
            self._targets[key] = (r.id, r.passage)
            # Entities first; a key term that only repeats an entity's name adds nothing.
            reasons = list(r.why.get("entities", []))
            named = {x.casefold() for x in reasons}
            reasons += [t for t in r.why.get("terms", []) if t.casefold() not in named]
            lines = [Text(one_line(r.title, 120), style=title_style),
                     Text(one_line(r.text, 220))]
            if reasons:
                lines.append(Text("shares: " + ", ".join(one_line(x, 40) for x in reasons[:6]),
                                  style=why_style))
            if getattr(r, "also_in", None):
                lines.append(Text(f"also in {len(r.also_in)} near-identical article(s)",
                                  style=why_style))
            options.append(Option(Text("\n").join(lines), id=key))
        if not items:
            options.append(Option("Nothing elsewhere in the library speaks of this.",
                                  disabled=True))
        self.set_options(options)

    def show_loading(self, passage: int) -> None:
        # Not `loading`: that name is Widget's loading-indicator reactive.
        self.set_options([Option(f"Finding passages related to ¶ {passage + 1}…",
                                 disabled=True)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self._targets.get(event.option_id or "")
        if target:
            self.post_message(self.Chosen(*target))
