"""The sides of a match, as a sports report names them: "Sweden 1 – 0 Korea Republic",
"Belgium defeated Panama 3 – 0", "Tunisia lost 1 – 2 to England". A country named as a side is
its national team, an organisation and another entity than the country (Wikipedia's "Sweden
national football team"); a town named as a side is its club ("Chelsea 2 – 1 Everton"). Asked
by the document-level look (index.entities.document), which types every mention of a side as
the team, except where a place cue says the country is meant ("a match in Sweden")."""

from __future__ import annotations

import re
from dataclasses import replace

from index.entities import gazetteer, rules
from index.entities.base import ORG, PLACE
from index.entities.runs import Run
from index.entities.tokens import CHUNK, STOP, words_before

_NAME = rf"(?<![\w'’.-]){CHUNK.pattern}"
_SCORE = r"(?<![\d.,])\d{1,2}[ \xa0]?[–—-][ \xa0]?\d{1,2}(?![\d.,%])"
_A_SCORE = re.compile(_SCORE)
_BEAT = (
    r"(?:defeated|defeats|beat|beats|edged|edges|thrashed|routed|overcame|downed|upset"
    r"|eliminated|drew[ \xa0]with|tied[ \xa0]with)"
)
_LOST = r"(?:lost|loses|won|wins|drew|draws|fell|went[ \xa0]down)"
_SIDES = (
    # "Sweden 1 – 0 Korea Republic" (a result line), "Chelsea 2-1 Everton"
    re.compile(rf"({_NAME})[ \xa0]+{_SCORE}[ \xa0]+({_NAME})"),
    # "Belgium defeated (debutants) Panama 3 – 0"
    re.compile(rf"({_NAME})[ \xa0]+{_BEAT}[ \xa0]+(?:[a-z]+[ \xa0]+)?({_NAME})[ \xa0]+{_SCORE}"),
    # "Tunisia lost 1 – 2 to England"
    re.compile(
        rf"({_NAME})[ \xa0]+{_LOST}[ \xa0]+{_SCORE}[ \xa0]+(?:to|against|with|over)[ \xa0]+"
        rf"({_NAME})"
    ),
)
# Without one of these words the text is no sports report: a score needs a game.
_SPORT = re.compile(
    r"(?i)\b(?:match|matches|goal|goals|scored|goalkeeper|striker|league|tournament|cup"
    r"|championship|innings|wicket|referee|stadium|semi-final|quarter-final|playoff|playoffs)\b"
)
# Before a side, the words that mean the country itself ("a match in Sweden"); "to", "for" and
# "against" are a side's words ("lost to England", "a goal for Belgium").
PLACE_CUES = frozenset({"in", "at", "from", "near", "inside", "within", "across", "throughout"})


def sides(text: str) -> set[str]:
    """Keys of the names the text gives as the sides of a scored match."""
    scores = list(_A_SCORE.finditer(text))
    if not scores or _SPORT.search(text) is None:
        return set()
    out: set[str] = set()
    for score in scores:
        # the names are near their score: read a window around it, not the whole text again
        lo, hi = max(0, score.start() - _REACH), score.end() + _REACH
        for pattern in _SIDES:
            for m in pattern.finditer(text, lo, hi):
                pair = [gazetteer.key(m.group(i)) for i in (1, 2)]
                if all(k.split(" ", 1)[0] not in STOP for k in pair):
                    out.update(pair)
    return out


_REACH = 100  # characters: two names of a few words and a verb


def play(run: Run, teams: set[str]) -> None:
    """Every mention of a side that the first reading typed as a place is the team, unless a
    place cue says the country is meant."""
    for start, sp in list(run.found.items()):
        if sp.label != PLACE or gazetteer.key(sp.text) not in teams:
            continue
        before, before2 = words_before(run.text, start)
        if before in PLACE_CUES or (before == "of" and before2 in rules.PLACE_OF):
            continue
        if run.place_follows(sp.end) or start in run.datelines:
            continue
        run.found[start] = replace(sp, label=ORG)
