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

_ACRONYM = r"[A-Z][A-Z&.]{1,7}"  # capitals: "(LNG)", not "(Reuters)"
_OPEN = re.compile(r"[(\[]")
_ACRONYM_BEFORE = re.compile(rf"(?<![\w.-])({_ACRONYM})[ \xa0]*$")  # "LNG (" ...
_SPELLED = re.compile(r"[^()\[\],;:\n]{3,80}")  # ... "liquefied natural gas"
_ACRONYM_INSIDE = re.compile(rf"[(\[]({_ACRONYM})[)\]]")  # "(LNG)"
_WORD = re.compile(r"[\w'’&-]+")


def things(text: str) -> set[str]:
    """Keys of the acronyms `text` spells out in lower case."""
    out: set[str] = set()
    for p in _OPEN.finditer(text):
        i = p.start()
        inside = _ACRONYM_INSIDE.match(text, i)
        if inside:  # "liquefied natural gas (LNG)"
            short = inside.group(1)
            words = _WORD.findall(text[max(0, i - 120) : i])
            n = sum(c.isalpha() for c in short)
            for size in range(n, min(len(words), n + 4) + 1):
                if words[-size][:1].upper() != short[0]:
                    continue
                if abbreviates(short, " ".join(words[-size:])):
                    if _lower_case(words[-size:]):
                        out.add(gazetteer.key(short))
                    break
            continue
        before = _ACRONYM_BEFORE.search(text, max(0, i - 12), i)
        spelled = _SPELLED.match(text, i + 1) if before else None
        if before and spelled:  # "the VM (virtual microscope)"
            short, long = before.group(1), spelled.group().strip()
            if abbreviates(short, long) and _lower_case(long.split()):
                out.add(gazetteer.key(short))
    return out


def _lower_case(words: list[str]) -> bool:
    return all(w[:1].islower() for w in words)
