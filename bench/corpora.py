"""The three corpora (read from ../shared/data, never copied into the project) and the one JSON
Lines file per corpus that every ingest run reads, so that newsreader and raw Whoosh get the
very same documents."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from bench.common import CACHE, DATA

AGNEWS_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}
# AG News rows get these URLs; the number is the CSV row, so the genuine rows (the first 7,600)
# can be found again in a library.
AGNEWS_URL = "https://agnews.invalid/"


@dataclass(frozen=True)
class Corpus:
    """One corpus: where it is, which of its rows are genuine (queries are drawn only from
    those; AG News's larger files add derived rows after the 7,600 real ones), and the folder
    of its cached library for the latency measurements."""

    name: str
    source: Path
    kind: str  # "agnews" (CSV) or "jsonl"
    real_rows: int | None  # None: every row is genuine
    cache_name: str  # folder under bench/.cache holding its library

    def available(self) -> bool:
        return self.source.is_file()

    @property
    def library_cache(self) -> Path:
        return CACHE / self.cache_name

    def stamp(self) -> str:
        """Changes when the corpus file does: a cached library or JSONL of another is rebuilt."""
        st = self.source.stat()
        return f"{st.st_size}:{int(st.st_mtime)}"

    def jsonl(self) -> Path:
        """The JSON Lines file the ingest runs read: the corpus itself when it is one, else
        converted once into bench/.cache/corpora/ (before any timing)."""
        if self.kind == "jsonl":
            return self.source
        out = CACHE / "corpora" / f"{self.name}.jsonl"
        stamp = out.with_suffix(".stamp")
        if out.exists() and stamp.exists() and stamp.read_text() == self.stamp():
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        with (
            open(self.source, newline="", encoding="utf-8") as f,
            open(tmp, "w", encoding="utf-8") as w,
        ):
            for n, (cls, title, desc) in enumerate(csv.reader(f)):
                w.write(json.dumps(agnews_article(n, cls, title, desc)) + "\n")
        os.replace(tmp, out)
        stamp.write_text(self.stamp())
        return out


def agnews_article(n: int, cls: str, title: str, desc: str) -> dict[str, str | None]:
    """An AG News row as an article. Backslashes stand for the line breaks of hard-wrapped
    text, so they join words (a space), as the 127.6k library cached by earlier runs has it."""
    return {
        "title": title,
        "body": desc.replace("\\", " "),
        "source": AGNEWS_CLASSES.get(cls),
        "url": f"{AGNEWS_URL}{n}",
    }


def _agnews(name: str, file: str) -> Corpus:
    cache = {"agnews_127k": "agnews127k", "agnews_10k": "agnews10k"}[name]
    return Corpus(name, DATA / "agnews" / file, "agnews", 7600, cache)


CORPORA: dict[str, Corpus] = {
    "agnews_10k": _agnews("agnews_10k", "agnews_10k.csv"),
    "reuters21578": Corpus(
        "reuters21578",
        DATA / "reuters21578" / "articles.jsonl",
        "jsonl",
        None,
        # bench/eval_related.py's cache: one Reuters library for both.
        "related-reuters21578",
    ),
    "agnews_127k": _agnews("agnews_127k", "agnews_127k.csv"),
}


def count_lines(path: Path) -> int:
    """Documents in a JSON Lines file (non-blank lines)."""
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())
