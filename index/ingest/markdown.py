"""Markdown: front matter for metadata, the first `# heading` as title, syntax stripped lightly.

A Markdown library would render HTML we would then have to strip again; news in Markdown
uses a small subset, so a line scanner plus a few inline rules reads it well enough.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from index.ingest.common import Context, Parsed, build_article
from index.ingest.dates import normalize_date
from index.sanitize import clean_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MAX_FRONT_MATTER = 64 * 1024  # YAML aliases can blow up; metadata is never this long

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")

_HTML_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
# Only tags that look like real HTML (a known name, attributes written name="value") are
# removed, so prose such as "a <b and c> d" survives.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|br|center|cite|code|del|div|em|figcaption|figure|font|hr|i|img|ins|"
    r"kbd|mark|p|q|s|small|span|strong|sub|sup|u|video|audio|source|iframe|picture)"
    r"(?:\s+[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*\s*/?>",
    re.IGNORECASE,
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:\s+[\"'(][^)]*)?\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def load_markdown(text: str, ctx: Context) -> Iterator[Parsed]:
    text = clean_text(text).lstrip("\n")
    meta = {}
    if m := _FRONT_MATTER.match(text):
        meta = _front_matter(m.group(1))
        text = text[m.end() :]
    blocks = _blocks(_HTML_BLOCKS.sub("", text))

    title = _scalar(meta.get("title"))
    if not title:
        for i, (kind, content) in enumerate(blocks):
            if kind == "h1":
                title = content
                del blocks[i]
                break
    if not title and blocks:
        # No heading: the first line is the title, as in a plain text file.
        first, _, rest = blocks[0][1].partition("\n")
        title = first
        if rest.strip():
            blocks[0] = (blocks[0][0], rest)
        else:
            del blocks[0]

    author = meta.get("author") or meta.get("byline") or meta.get("authors")
    if isinstance(author, list):
        author = ", ".join(a for a in (_scalar(x) for x in author) if a)
    yield Parsed.ok(
        build_article(
            title,
            [content for _, content in blocks],
            ctx.limits,
            date=normalize_date(meta.get("date") or meta.get("published")),
            source=_scalar(meta.get("source") or meta.get("publisher") or meta.get("site")),
            url=_scalar(meta.get("url") or meta.get("link")),
            byline=_scalar(author),
            origin=ctx.origin,
        )
    )


def _front_matter(block: str) -> dict[str, Any]:
    if len(block) > _MAX_FRONT_MATTER:
        return {}
    import yaml  # only files with front matter pay for it

    try:
        data = yaml.safe_load(block)
    except (yaml.YAMLError, ValueError, RecursionError):
        return {}  # bad front matter is dropped, the article is still worth reading
    if not isinstance(data, dict):
        return {}
    return {str(k).lower(): v for k, v in data.items()}


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value).strip() or None
    return None


def _blocks(text: str) -> list[tuple[str, str]]:
    """Split Markdown into ("h1" | "text" | "code", content) blocks, inline syntax stripped."""
    refs: dict[str, str] = {}
    lines = text.split("\n")
    kept: list[str] = []
    in_code = False
    for line in lines:
        if _FENCE.match(line):
            in_code = not in_code
        elif not in_code and (m := _REF_DEF.match(line)):
            refs[m.group(1).lower()] = m.group(2)
            continue
        kept.append(line)

    blocks: list[tuple[str, str]] = []
    para: list[str] = []
    code: list[str] | None = None
    fence = ""

    def flush() -> None:
        if para:
            joined = " ".join(p for p in (_inline(line, refs) for line in para) if p)
            if joined.strip():
                blocks.append(("text", joined))
            para.clear()

    for line in kept:
        if code is not None:
            if _FENCE.match(line) and line.strip().startswith(fence):
                # Code is kept as text, one line per line, without the blank lines that
                # would split it into separate paragraphs.
                body = "\n".join(c for c in code if c.strip())
                if body:
                    blocks.append(("code", body))
                code = None
            else:
                code.append(line.rstrip())
            continue
        if m := _FENCE.match(line):
            flush()
            code, fence = [], m.group(1)[:3]
            continue
        if not line.strip() or _RULE.match(line) and not (para and _SETEXT.match(line)):
            flush()
            continue
        if m := _ATX.match(line):
            flush()
            content = _inline(m.group(2) or "", refs)
            if content:
                blocks.append(("h1" if len(m.group(1)) == 1 else "text", content))
            continue
        if para and (m := _SETEXT.match(line)):
            content = _inline(" ".join(para), refs)
            para.clear()
            if content:
                blocks.append(("h1" if m.group(1)[0] == "=" else "text", content))
            continue
        if _TABLE_RULE.match(line) and "|" in line:
            continue
        if line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            blocks.append(("text", _inline(" | ".join(c for c in cells if c), refs)))
            continue
        if _LIST_ITEM.match(line):
            flush()  # each list item reads as its own paragraph
            line = _LIST_ITEM.sub("", line, count=1)
        para.append(_QUOTE.sub("", line))
    flush()
    if code:
        blocks.append(("code", "\n".join(c for c in code if c.strip())))
    return [(kind, content) for kind, content in blocks if content.strip()]


def _inline(text: str, refs: dict[str, str]) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    if refs:
        text = re.sub(
            r"\[([^\]]+)\]\[([^\]]*)\]",
            lambda m: m.group(1) if (m.group(2) or m.group(1)).lower() in refs else m.group(0),
            text,
        )
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE_SPAN.sub(lambda m: m.group(2).strip(), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _STRIKE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return text.strip()
