"""People named without their names, as news writes them: a group named by its nationality or
faith ("the Syrians", "Arabs"), and an office standing for its holder ("the Governor of
Virginia", "Malaysia's Prime Minister", "The President has"). Asked by the built-in
extractor's reading of a run (index.entities.runs)."""

from __future__ import annotations

import re

from index.entities import gazetteer, rules
from index.entities.tokens import Token, words_before

_NEXT_WORD = re.compile(r"[ \xa0]+(\w[\w'’-]*)")  # the word next: what a word may qualify
_FORMS_OF_ADDRESS = frozenset(("mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "madam"))
_ENDS_A_GROUP = frozenset(("", ".", ",", ";", ":", "!", "?", ")", '"', "”", "'", "’", "—", "–"))


def group_of_people(text: str, g: gazetteer.Gazetteer, toks: list[Token], k: str) -> bool:
    """A nationality or faith (`k`, a demonym's key) that names a group of people: a plural
    ("Arabs", "the Syrians"), or a word after "the" that qualifies no noun ("the Rohingya,
    who"; not "the British government")."""
    if _plural(g, k):
        return True
    before, before2 = words_before(text, toks[0][0])
    if before in ("and", "or") and before2 in g.demonyms and _plural(g, before2):
        return True  # "Bangladeshis and Rohingya"
    if before != "the":
        return False
    end = toks[-1][1]
    m = _NEXT_WORD.match(text, end)
    if m is None:  # punctuation next ("the Rohingya, who"), not markup ("<Airbus>")
        return text[end : end + 1] in _ENDS_A_GROUP
    after = m.group(1).lower()
    if after in ("and", "or"):  # "the British and Italian navies"
        m = _NEXT_WORD.match(text, m.end())
        return m is None or not m.group(1)[:1].isupper()
    return after in rules.FUNCTION_WORDS or after in rules.PERSON_AFTER


def _plural(g: gazetteer.Gazetteer, k: str) -> bool:
    return k.endswith("s") and (k[:-1] in g.demonyms or gazetteer.key(g.demonyms[k][0]) != k)


def office(lower: list[str]) -> bool:
    """The words are a title and nothing else ("Prime Minister", "Attorney General")."""
    return (
        lower[-1] in rules.TITLE_HEADS
        and lower[0] not in ("of", "the")
        and all(w in rules.TITLE_HEADS or w in rules.TITLE_MODIFIERS for w in lower)
    )


def holder(text: str, toks: list[Token]) -> bool:
    """An office written alone after "the", capitalised, stands for its holder: "The President
    has", "the Home Secretary and I"; not "the president" (a word), nor a name that follows
    ("the President Ali", one run), nor a role ("served as CEO")."""
    if not toks or len(toks) > 3 or gazetteer.key(toks[-1][2]) not in rules.TITLE_HEADS:
        return False  # (most runs: the cheap test first)
    lower = [gazetteer.key(t[2]) for t in toks]
    if not office(lower) or not toks[-1][2][:1].isupper():
        return False
    if lower[-1] in _FORMS_OF_ADDRESS or toks[-1][2].endswith("."):
        return False  # "the Mr." is no office
    before, _ = words_before(text, toks[0][0])
    return before == "the" and not text[toks[-1][1] : toks[-1][1] + 2].startswith(
        ("'s", "’s")
    )
