"""The small library's articles, and writing articles as the input files an ingest reads."""

from __future__ import annotations

import json
from pathlib import Path

# The small library, one entry per article: (file, title, date, source, url, paragraphs).
# Words the tests rely on: "zeppelin" appears only in paragraph 3 of the Palmyra article;
# "Palmyra" is in two articles; dates straddle the month and year boundaries date: tests use.
SMALL_ARTICLES: list[dict] = [
    {
        "file": "palmyra.txt",
        "title": "Syrian troops retake Palmyra",
        "date": None,
        "source": None,
        "url": None,
        "paragraphs": [
            "Syrian troops backed by Russian airstrikes entered the ancient city of Palmyra "
            "on Thursday, the defense ministry in Moscow said.",
            "The city changed hands several times during the long war.",
            "Archaeologists fear for the Roman colonnade and the temple ruins.",
            "Witnesses said a slow zeppelin drifted above the desert at dawn.",
        ],
    },
    {
        "file": "election.txt",
        "title": "Austria votes in a snap election",
        "date": None,
        "source": None,
        "url": None,
        "paragraphs": [
            "Voters in Vienna and across Austria chose a new parliament on Sunday.",
            "Turnout was higher than at the previous election, officials said.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Russian warships fire cruise missiles at Syria",
        "date": "2017-05-31",
        "source": "Reuters",
        "url": "https://example.com/news/missiles",
        "paragraphs": [
            "Russian warships in the Mediterranean Sea fired four cruise missiles at targets "
            "near Palmyra, the ministry said on Wednesday.",
            "The submarine Krasnodar took part in the strike.",
            "Analysts said the launch was also a message to Washington.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Heatwave grips southern Europe",
        "date": "2017-06-30",
        "source": "BBC News",
        "url": "https://example.com/news/heatwave",
        "paragraphs": [
            "Temperatures above forty degrees were recorded in Seville and Athens.",
            "Firefighters battled wildfires in the hills outside Lisbon.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Vienna opera ball is cancelled",
        "date": "2017-05-01",
        "source": "Reuters",
        "url": "https://example.com/news/opera-ball",
        "paragraphs": [
            "The Vienna State Opera called off its annual ball for the first time in decades.",
            "Ticket holders will be refunded, the organisers said.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "Telescope photographs a distant galaxy",
        "date": "2018-01-20",
        "source": "Associated Press",
        "url": "https://example.com/news/galaxy",
        "paragraphs": [
            "Astronomers released images of a spiral galaxy twelve billion light years away.",
            "The telescope was launched two years ago from French Guiana.",
            "Its mirror is made of eighteen hexagonal segments.",
        ],
    },
    {
        "file": "wire.jsonl",
        "title": "England win the cricket world cup",
        "date": "2019-07-14",
        "source": "Wikinews",
        "url": "https://example.com/news/cricket",
        "paragraphs": [
            "England beat New Zealand in a super over at Lord's to win the world cup.",
            "The final was described as the greatest one-day match ever played.",
        ],
    },
]


def write_articles(folder: Path, articles: list[dict]) -> list[Path]:
    """Write articles as files an ingest understands: .txt (title line, blank line, body) or
    .jsonl rows (title, date, source, url, body). Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    for a in articles:
        body = "\n\n".join(a["paragraphs"])
        if a["file"].endswith(".jsonl"):
            row = {k: a[k] for k in ("title", "date", "source", "url") if a.get(k)}
            written.setdefault(a["file"], []).append(json.dumps(row | {"body": body}))
        else:
            written[a["file"]] = [a["title"], "", body]
    for name, lines in written.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [folder / name for name in written]
