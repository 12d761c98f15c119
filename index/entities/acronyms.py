"""What an article says its acronyms stand for, when that is a thing, not an organisation: "the
VM (virtual microscope)", "liquefied natural gas (LNG)". An acronym is read as an organisation
unless the text spells it out in lower case (index.entities.document); once spelled out, every
mention of it is that thing. Spelled out in capitals it stays an organisation: "Reactive Oxygen
Species (ROS)" and "European Monetary System (EMS)" are things, but "General Agreement on
Tariffs and Trade (GATT)" and "Market & Opinion Research International (MORI)" are not, and
their words do not tell them apart."""

from __future__ import annotations

import re

from index.entities import gazetteer
from index.entities.canon import abbreviates

_ACRONYM = r"[A-Z][A-Za-z&.]{1,7}"
_SPELLED_AFTER = re.compile(rf"(?<![\w.-])({_ACRONYM})[ \xa0]*[(\[]([^()\[\],;:\n]{{3,80}})")
_SPELLED_BEFORE = re.compile(rf"[(\[]({_ACRONYM})[)\]]")
_WORD = re.compile(r"[\w'’&-]+")


def things(text: str) -> set[str]:
    """Keys of the acronyms `text` spells out in lower case."""
    out: set[str] = set()
    if "(" not in text and "[" not in text:
        return out
    for m in _SPELLED_AFTER.finditer(text):
        short, long = m.group(1), m.group(2).strip()
        if abbreviates(short, long) and _lower_case(long.split()):
            out.add(gazetteer.key(short))
    for m in _SPELLED_BEFORE.finditer(text):
        short = m.group(1)
        words = _WORD.findall(text[max(0, m.start() - 120) : m.start()])
        n = sum(c.isalpha() for c in short)
        for size in range(n, min(len(words), n + 4) + 1):
            long = words[-size:]
            if abbreviates(short, " ".join(long)):
                if _lower_case(long):
                    out.add(gazetteer.key(short))
                break
    return out


def _lower_case(words: list[str]) -> bool:
    return all(w[:1].islower() for w in words)
