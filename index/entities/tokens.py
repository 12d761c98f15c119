"""The lexical layer of the built-in extractor: what a capitalised run of words looks like in
the text (the regexes), and the small questions asked about the text around it (is this the start
of a sentence, which word comes before or after)."""

from __future__ import annotations

import re

from index.entities import gazetteer, rules

_UPPER = "".join(
    ch
    for ch in map(
        chr, list(range(0x41, 0x250)) + list(range(0x370, 0x530)) + list(range(0x1E00, 0x1F00))
    )
    if ch.isupper()
)
_CAP = f"[{re.escape(_UPPER)}]"
_ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Mt",
    "Ft",
    "Jr",
    "Sr",
    "Inc",
    "Corp",
    "Co",
    "Ltd",
    "Gen",
    "Sen",
    "Rep",
    "Gov",
    "Lt",
    "Col",
    "Sgt",
    "Capt",
    "Prof",
    "Rev",
    "Adm",
    "Cpl",
    "Maj",
)
_ABBR_END = "|".join(f"(?<={a})" for a in _ABBREVIATIONS)
_PREFIX = r"(?:al|el|ad|as|ash|ar|an|at|az|bin|ibn|abu|abd)[-‐]"
# One capitalised word. Every alternative starts with the capital, so the regex engine skips
# quickly to the next capital (ten times faster than alternatives with different starts).
_TOKEN = (
    rf"{_CAP}(?:"
    rf"\.(?:{_CAP}\.)*{_CAP}\.?(?!\w)"  # U.S., U.N., D.C., and "U.S" without its last period
    rf"|\.(?=[ \xa0]{_CAP})"  # an initial: George W. Bush
    rf"|\w*(?:['’]\w+)*(?:-\w+)*(?:(?:{_ABBR_END})\.)?"  # Assad, O'Brien, Palmyra's, Mr.
    ")"
)
_CONNECTOR = (
    r"(?:of|the|for|and|on|de|del|della|da|di|du|des|van|von|der|den|la|le|y|bin|ibn|al|el|dos"
    r"|das|&)"
)
CHUNK = re.compile(rf"{_TOKEN}(?:[ \xa0]+(?:{_CONNECTOR}[ \xa0]+)*(?:{_PREFIX})?{_TOKEN})*")
PIECE = re.compile(rf"(?:{_PREFIX})?{_TOKEN}|{_CONNECTOR}(?=[ \xa0])")
PREFIX_BEFORE = re.compile(rf"(?<![\w'’-]){_PREFIX}$")
# A dateline: "MOSCOW --", "BEIRUT, Lebanon (AP) —" at the start of a paragraph.
DATELINE = re.compile(
    # Words in capitals, each separated by spaces or punctuation: linear, whatever the text.
    rf"(?m)^[ \t]*({_CAP}{{2,}}(?:[ .'-]+{_CAP}{{2,}})*)"
    r"(?:,[^\n,(—–-]{2,30})?[ \t]*(?:\([^)\n]{1,30}\)[ \t]*)?(?:--|—|–|-|:)[ \t]"
)
# A name written surname first, as book lists write it, at the start of a line: "Austen, Jane.
# Pride and Prejudice", "Macaulay, Thomas Babington. History of England".
INVERTED = re.compile(
    rf"(?m)^[ \t]*({_CAP}[\w'’-]+(?:[ ]{_CAP}[\w'’-]+)?), ({_CAP}[\w'’-]+)((?:[ ]{_CAP}\w*\.?)*)"
    r"(?=\.[ \t]|[ ]and[ ])"
)
# ... and the second author of the book: "Marx, Karl and Engels, Friedrich."
INVERTED_AND = re.compile(
    rf"[ ]and[ ]({_CAP}[\w'’-]+(?:[ ]{_CAP}[\w'’-]+)?), ({_CAP}[\w'’-]+)((?:[ ]{_CAP}\w*\.?)*)"
    r"(?=\.[ \t])"
)
_WORD_AFTER = re.compile(r"[ \xa0]*[,]?[ \xa0]*([\w'’]+)")

_SPLIT_AT = frozenset({"and", "&", "of", "for", "the", "on"})
OF = frozenset({"of", "for", "on"})
STOP = rules.FUNCTION_WORDS | rules.MONTHS_DAYS

Token = tuple[int, int, str]  # start, end, text (a connector's text is lower case)

INITIALS = re.compile(r"(?:[A-Z]\.){1,3}")
ACRONYM_DEF = re.compile(r"[ \xa0]*\(((?:[A-Z][A-Za-z&.-]*){2,8})\)")


def tokens_key(toks: list[Token]) -> str:
    return " ".join(gazetteer.key(t[2]) for t in toks)


def trim(toks: list[Token]) -> list[Token]:
    """Drop connectors at either end ("of the" left over after a split)."""
    i, j = 0, len(toks)
    while i < j and toks[i][2][:1].islower() and not _prefixed(toks[i][2]):
        i += 1
    while j > i and toks[j - 1][2][:1].islower() and not _prefixed(toks[j - 1][2]):
        j -= 1
    while i < j and toks[i][2] in ("&",):
        i += 1
    while j > i and toks[j - 1][2] in ("&",):
        j -= 1
    return toks[i:j]


def after_weekdays(toks: list[Token]) -> list[Token]:
    """The run without the weekdays that start it: a weekday starts no name ("on Saturday
    Sirhan Sirhan was stabbed"); it may end one ("Super Tuesday")."""
    i = 0
    while i < len(toks) and toks[i][2].lower() in rules.WEEKDAYS:
        i += 1
    return trim(toks[i:]) if i else toks


def all_caps_around(text: str, start: int) -> bool:
    """The words around `start` are mostly in capitals (a shouted headline, a table)."""
    line = text[max(0, start - 40) : start + 40]
    upper = sum(map(str.isupper, line))
    letters = upper + sum(map(str.islower, line))
    return letters > 0 and upper > 0.6 * letters


def caption(word: str) -> bool:
    """A caption's label, before its colon: "Mark Seidenberg Image: AIP." ends at the name."""
    return word.lower() in rules.CAPTION_LABELS


def _prefixed(word: str) -> bool:
    return (
        len(word) > 3
        and ("-" in word[:5] or "'" in word[:3] or "’" in word[:3])
        and any(c.isupper() for c in word)
    )


def split_at_glue(toks: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for tok in toks:
        if tok[2] in _SPLIT_AT:
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]


def title_length(lower: list[str]) -> int:
    """How many leading words are a title ("Prime Minister", "Secretary of State", "Dr")."""
    end = 0
    for i, w in enumerate(lower[:-1]):
        if w in rules.TITLE_HEADS or (i == 0 and len(lower) > 2 and w in rules.OCCUPATIONS):
            end = i + 1
        elif w in rules.TITLE_MODIFIERS:
            # "Secretary of State", but not "President of the" United States
            if end and w not in ("of", "the"):
                end = i + 1
        else:
            break
    return end


def shouting(word: str) -> bool:
    return word.isupper()


def acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return (
        2 <= len(letters) <= 6
        and letters.isupper()
        and letters.isalnum()
        and word.lower() not in rules.COMMON_CAPS
    )


def sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\xa0\"“”‘'([«*":
        j -= 1
    if j < 0:
        return True
    c = text[j]
    if c in ".!?\n:;—–…":
        return True
    return c == "-" and j > 0 and text[j - 1] in "- "


def words_before(text: str, i: int) -> tuple[str, str]:
    words = text[max(0, i - 40) : i].split()
    w1 = words[-1].strip(".,;:\"'“”‘’()").lower() if words else ""
    w2 = words[-2].strip(".,;:\"'“”‘’()").lower() if len(words) > 1 else ""
    if words and words[-1][-1:] in ",.;:)":
        return "", ""  # punctuation between: no cue
    return w1, w2


def word_after(text: str, i: int) -> str:
    m = _WORD_AFTER.match(text, i)
    if not m:
        return ""
    if text[i : m.start(1)].strip() == ",":
        return "," + m.group(1).lower() if m.group(1).lower() == "who" else ""
    return m.group(1).lower()
