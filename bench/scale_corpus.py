"""The 1M-article AG News-shaped corpus of the scale run, derived as the 127.6k one was
(../shared/data/agnews/README.txt), and written outside the repository.

    python -m bench.scale_corpus [--rows 1000000] [--out /work/scale-data/agnews_1m.csv]

Rows 0..127,599 are agnews_127k.csv unchanged (so the 1M library holds the 127.6k one and the
growth between them is the growth of one library); each further row: class uniform over 1-4,
title = word-level splice of two real titles of that class, description = splice of two real
descriptions (real = the 7,600 genuine rows). Novel pseudo-words (pieces of two real words
joined) are injected so that the number of distinct lowercase [a-z0-9]+ tokens keeps following
the Heaps' law of the smaller corpora (beta 0.553 from 104k tokens at 127.6k rows: ~325k at
1M), and pseudo-words already made are reused, the earlier ones more often, so that about as
many tokens stay hapaxes as in the 127.6k corpus (~42%). Seeded: the same file every time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
from pathlib import Path

from bench.common import DATA, say
from bench.corpora import AGNEWS_1M

BETA = 0.553
BASE = DATA / "agnews" / "agnews_127k.csv"
REAL_ROWS = 7600
DEFAULT_OUT = AGNEWS_1M.source
TOKEN = re.compile(r"[a-z0-9]+")
WORD = re.compile(r"\S+")
# Reuses of earlier pseudo-words per derived row: tuned so that the hapax share at 1M stays
# near the 127.6k corpus's (the derived rows' real words never become new tokens).
REUSE_PER_ROW = 0.55


def splice(rng: random.Random, a: str, b: str) -> str:
    """The words of `a` up to a random cut, then those of `b` from another."""
    wa, wb = a.split(), b.split()
    if not wa or not wb:
        return a or b
    cut_a = rng.randint(1, len(wa))
    cut_b = rng.randint(0, len(wb) - 1)
    return " ".join(wa[:cut_a] + wb[cut_b:])


class Vocabulary:
    """Distinct tokens so far, and the pseudo-words that can be injected or reused."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()
        self.pieces: list[str] = []  # real alphabetic words to cut pseudo-words from
        self.pool: list[str] = []  # pseudo-words made so far, oldest first

    def add_text(self, text: str) -> None:
        self.seen.update(TOKEN.findall(text.lower()))

    def fresh(self) -> str:
        """A pseudo-word no row holds yet: the start of one real word and the end of another."""
        while True:
            a, b = self.rng.choice(self.pieces), self.rng.choice(self.pieces)
            head = a[: self.rng.randint(2, max(2, len(a) - 1))]
            word = head + b[self.rng.randint(1, len(b) - 2) :]
            if len(word) >= 4 and word not in self.seen:
                self.seen.add(word)
                self.pool.append(word)
                return word

    def reused(self) -> str:
        """An earlier pseudo-word; the older, the likelier (a skewed, Zipf-like reuse)."""
        i = int(len(self.pool) * self.rng.random() ** 2.2)
        return self.pool[min(i, len(self.pool) - 1)]


def inject(rng: random.Random, text: str, words: list[str]) -> str:
    """`text` with some of its words replaced by `words` (capitalised like the word replaced)."""
    parts = WORD.findall(text)
    if not parts:
        return " ".join(words)
    for w in words:
        i = rng.randrange(len(parts))
        old = parts[i]
        parts[i] = w.capitalize() if old[:1].isupper() else w
    return " ".join(parts)


def generate(rows: int, out: Path, seed: int = 19) -> dict[str, float]:
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    real_vocab: set[str] = set()
    real: dict[str, list[tuple[str, str]]] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    with (
        open(BASE, newline="", encoding="utf-8") as f,
        open(tmp, "w", newline="", encoding="utf-8") as w,
    ):
        writer = csv.writer(w, quoting=csv.QUOTE_ALL, lineterminator="\n")
        for n, (cls, title, desc) in enumerate(csv.reader(f)):
            if written >= rows:
                break
            if n < REAL_ROWS:
                real.setdefault(cls, []).append((title, desc))
                real_vocab.update(TOKEN.findall(f"{title} {desc}".lower()))
            vocab.add_text(f"{title} {desc}")
            writer.writerow([cls, title, desc])
            written += 1
        base_rows = written
        base_vocab = len(vocab.seen)
        # The base corpus's own pseudo-words can be reused too (oldest first is unknown: sorted).
        vocab.pool = sorted(t for t in vocab.seen - real_vocab if t.isalpha())
        rng.shuffle(vocab.pool)
        vocab.pieces = sorted(t for t in real_vocab if t.isalpha() and len(t) >= 4)
        classes = sorted(real)
        debt = 0.0
        while written < rows:
            cls = rng.choice(classes)
            (t1, d1), (t2, d2) = rng.choice(real[cls]), rng.choice(real[cls])
            title, desc = splice(rng, t1, t2), splice(rng, d1, d2)
            target = base_vocab * ((written + 1) / base_rows) ** BETA
            new = [vocab.fresh() for _ in range(max(0, int(target) - len(vocab.seen)))]
            debt += REUSE_PER_ROW
            old = []
            while debt >= 1:
                old.append(vocab.reused())
                debt -= 1
            injected = new + old
            rng.shuffle(injected)
            in_title = [x for x in injected if rng.random() < 0.25]
            in_desc = [x for x in injected if x not in in_title]
            writer.writerow([cls, inject(rng, title, in_title), inject(rng, desc, in_desc)])
            written += 1
            if written % 100_000 == 0:
                say(f"  {written:,} rows, {len(vocab.seen):,} distinct tokens")
    os.replace(tmp, out)
    return {"rows": written, "distinct_tokens": len(vocab.seen)}


def token_stats(path: Path) -> dict[str, float]:
    """Distinct tokens, hapax share and tokens per row of a corpus file (to check it)."""
    from collections import Counter

    counts: Counter[str] = Counter()
    rows = 0
    with open(path, newline="", encoding="utf-8") as f:
        for _, title, desc in csv.reader(f):
            rows += 1
            counts.update(TOKEN.findall(f"{title} {desc}".lower()))
    hapax = sum(1 for v in counts.values() if v == 1)
    return {
        "rows": rows,
        "distinct_tokens": len(counts),
        "hapax_share": round(hapax / len(counts), 3),
        "tokens_per_row": round(sum(counts.values()) / rows, 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scale_corpus", description=__doc__)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--stats", action="store_true", help="print the token statistics after")
    args = p.parse_args(argv)
    say(f"writing {args.rows:,} rows to {args.out}…")
    say(str(generate(args.rows, args.out)))
    if args.stats:
        say(str(token_stats(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
