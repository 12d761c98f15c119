"""The three corpora (read from ../shared/data, never copied into the project) and the one JSON
Lines file per corpus that every ingest run reads, so that newsreader and raw Whoosh get the
very same documents."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.common import CACHE, DATA, ROOT

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
    # Rows per JSON Lines file when converted into several (a folder): None, one file.
    shard_rows: int | None = None

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
        converted once into bench/.cache/corpora/ (before any timing); a folder of files of
        `shard_rows` rows each when the corpus has them."""
        if self.kind == "jsonl":
            return self.source
        out = CACHE / "corpora" / (self.name if self.shard_rows else f"{self.name}.jsonl")
        stamp = out.with_name(out.name.removesuffix(".jsonl") + ".stamp")
        if out.exists() and stamp.exists() and stamp.read_text() == self.stamp():
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        with open(self.source, newline="", encoding="utf-8") as f:
            rows = (
                json.dumps(agnews_article(n, cls, title, desc)) + "\n"
                for n, (cls, title, desc) in enumerate(csv.reader(f))
            )
            if not self.shard_rows:
                tmp.write_text("".join(rows), "utf-8")
            else:
                tmp.mkdir()
                for part in itertools.count():
                    chunk = list(itertools.islice(rows, self.shard_rows))
                    if not chunk:
                        break
                    (tmp / f"part-{part:03}.jsonl").write_text("".join(chunk), "utf-8")
        if out.is_dir():
            shutil.rmtree(out)
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


# The scale run's 1M corpus (python -m bench.scale_corpus writes it), beside the repository.
SCALE_DATA = Path(os.environ.get("NEWSREADER_SCALE_DATA", ROOT.parent / "scale-data"))
AGNEWS_1M = Corpus(
    "agnews_1m", SCALE_DATA / "agnews_1m.csv", "agnews", 7600, "agnews1m", shard_rows=100_000
)


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
    "agnews_1m": AGNEWS_1M,  # the scale run's (bench/scale.py)
}


def jsonl_files(path: Path) -> list[Path]:
    """The JSON Lines files of an ingest input: the file itself, or a folder's *.jsonl in
    order (the 1M corpus is split: `add` refuses a file over ingest.max_file_bytes)."""
    return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]


def count_lines(path: Path) -> int:
    """Documents in a JSON Lines file, or in a folder of them (non-blank lines)."""
    total = 0
    for file in jsonl_files(path):
        with open(file, "rb") as f:
            total += sum(1 for line in f if line.strip())
    return total
