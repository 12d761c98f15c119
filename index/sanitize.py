"""Make untrusted text safe to store and display: decoded, NFC, no control sequences."""

from __future__ import annotations

import codecs
import re
import unicodedata

# Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST), and two-byte ESC sequences. The 8-bit C1 forms (0x9b CSI, 0x9d OSC...)
# are covered too. An unterminated string sequence is only eaten to the end of its line, and an
# 8-bit introducer only with a terminator close by: a lone U+009D or U+0090 is common in
# mis-decoded text and must not swallow the rest of an article (the control itself is still
# removed by _CONTROLS).
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                          # CSI
    | \x1b\][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?           # OSC, terminated or not
    | \x9d[^\x07\x1b\x9c\n]{0,512}(?:\x07|\x1b\\|\x9c)        # 8-bit OSC
    | \x1b[PX^_][^\x1b\x9c\n]*(?:\x1b\\|\x9c)?                # DCS SOS PM APC
    | [\x90\x98\x9e\x9f][^\x1b\x9c\n]{0,512}(?:\x1b\\|\x9c)   # their 8-bit forms
    | \x1b[ -/]*[0-~]?                                        # other ESC sequences, lone ESC
    """,
    re.VERBOSE,
)
# C0 and C1 controls except tab and newline; also DEL. Bidi overrides/isolates are stripped too:
# they can reorder what the reader sees (the "Trojan Source" trick).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (keeping newline and tab)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not _CONTROLS.search(text):
        return text  # every escape sequence starts with a control: nothing to strip
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def clean_text(text: str) -> str:
    """Sanitize a piece of text for storage: controls stripped, NFC normalised."""
    return unicodedata.normalize("NFC", strip_controls(text))


def clean_line(text: str) -> str:
    """Like clean_text, for one-line fields (titles, sources): whitespace collapsed."""
    return " ".join(clean_text(text).split())


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class NotText(ValueError):
    """The bytes are binary data, not text in any encoding we read."""


def decode_bytes(data: bytes) -> str:
    """Decode bytes from a file or the network: BOM first, then UTF-8, then cp1252.

    Raises NotText for binary data (NUL bytes in what is not UTF-16/32).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    head = data[:4096]
    if head and b"\x00" in head:
        # UTF-16 without a BOM puts a NUL beside every ASCII character.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) * 0.4 and even == 0:
            return data.decode("utf-16-le", errors="replace")
        if even > len(head) * 0.4 and odd == 0:
            return data.decode("utf-16-be", errors="replace")
        # A stray NUL in real text (a bad export, a pasted control) is stripped later by
        # clean_text; only many NULs or many controls mean binary data.
        if head.count(0) > len(head) // 100 or _looks_binary(data):
            raise NotText("binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise NotText("binary data, not text")
    # cp1252 leaves five bytes undefined; map those to U+FFFD rather than failing the file.
    return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def split_paragraphs(text: str) -> list[str]:
    """Split body text into paragraphs on blank lines; lines inside a paragraph are joined.

    Hard-wrapped plain text reads as flowing paragraphs; a text with no blank lines but one
    paragraph per line keeps its lines as paragraphs.
    """
    text = text.strip("\n")
    blocks = re.split(r"\n[ \t]*\n", text)
    if len(blocks) == 1 and "\n" in text:
        lines = [line for line in text.split("\n") if line.strip()]
        # A hard-wrapped paragraph has lines of similar, long length; otherwise a line is a
        # paragraph.
        if not _hard_wrapped(lines):
            blocks = lines
    paragraphs = []
    for block in blocks:
        para = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if "  " in para or "\t" in para:  # a cheap test first: huge lines are common
            para = re.sub(r"[ \t]+", " ", para)
        if para:
            paragraphs.append(para)
    return paragraphs


def _hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 2:
        return False
    lengths = [len(line) for line in lines[:-1]]
    return min(lengths) >= 50 and max(lengths) <= 100
