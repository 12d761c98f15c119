"""One entity, many names: the normal form ("key") of a name, the small table of well-known
aliases, and the Whoosh analysis that lets `place:US` and `place:"United States"` meet.

Kept free of the gazetteer so that search never loads it."""

from __future__ import annotations

import re

from whoosh.analysis import Filter, RegexTokenizer

# Well-known names that do not look alike. Each line: LABEL: canonical | aliases...
_ALIAS_TABLE = """
PLACE: United States|U.S.|US|USA|U.S.A.|United States of America|America
PLACE: United Kingdom|U.K.|UK|Britain|Great Britain
PLACE: United Kingdom|United Kingdom of Great Britain and Northern Ireland
ORG: United Nations|U.N.|UN
ORG: European Union|E.U.|EU
PLACE: Soviet Union|USSR|U.S.S.R.|Union of Soviet Socialist Republics
PLACE: Russia|Russian Federation
PLACE: North Korea|DPRK|Democratic People's Republic of Korea
PLACE: South Korea|Republic of Korea|ROK
PLACE: China|People's Republic of China|PRC|Mainland China
PLACE: Taiwan|Republic of China|ROC
PLACE: United Arab Emirates|UAE|U.A.E.
PLACE: Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa
PLACE: Myanmar|Burma
PLACE: Czechia|Czech Republic
PLACE: Netherlands|Holland|The Netherlands
PLACE: Ivory Coast|Côte d'Ivoire|Cote d'Ivoire
PLACE: Vatican City|Vatican|Holy See
PLACE: Washington, D.C.|Washington DC|Washington D.C.|District of Columbia
PLACE: New York City|NYC|New York, New York
PLACE: Los Angeles|L.A.
PLACE: Southeast Asia|South East Asia|South-East Asia
PLACE: Czechoslovakia
PLACE: Yugoslavia
PLACE: East Germany|German Democratic Republic|GDR
PLACE: West Germany
PLACE: Austria-Hungary
PLACE: Rhodesia
PLACE: Zaire
PLACE: Prussia
PLACE: Persia
PLACE: Ceylon
PLACE: Siam
ORG: Islamic State|ISIS|ISIL|IS|Daesh|Islamic State group|Islamic State of Iraq and Syria
ORG: Islamic State|Islamic State of Syria and Iraq|Islamic State of Iraq and the Levant
ORG: al-Qaeda|al-Qaida|Al Qaeda|Al-Qaeda|al Qaeda
ORG: Hezbollah|Hizbollah|Hizballah
ORG: North Atlantic Treaty Organization|NATO|N.A.T.O.
ORG: World Health Organization|WHO
ORG: European Commission|EC
ORG: Federal Bureau of Investigation|FBI
ORG: Central Intelligence Agency|CIA
ORG: National Aeronautics and Space Administration|NASA
ORG: British Broadcasting Corporation|BBC
ORG: Associated Press|AP
ORG: Agence France-Presse|AFP
ORG: Democratic Party|Democrats
ORG: Republican Party|Republicans|GOP
"""


def _base(name: str) -> str:
    """Case, periods, apostrophes, hyphens, spacing and a leading "the" do not tell names apart;
    a trailing possessive is not part of the name."""
    s = name.casefold().replace("’", "'").replace("‘", "'")
    s = s.replace(".", "")
    if s.endswith("'s"):
        s = s[:-2]
    elif s.endswith("'"):
        s = s[:-1]
    s = " ".join(s.replace("-", " ").replace(",", " ").split())
    if s.startswith("the ") and len(s) > 4:
        s = s[4:]
    return s


def _load_aliases() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    to_key: dict[str, str] = {}
    to_name: dict[str, tuple[str, str]] = {}  # key -> (canonical, label)
    for line in _ALIAS_TABLE.strip().splitlines():
        label, _, names = line.partition(":")
        canonical, *aliases = (part.strip() for part in names.split("|"))
        ckey = _base(canonical)
        to_name[ckey] = (canonical, label.strip())
        for alias in aliases:
            to_key[_base(alias)] = ckey
    return to_key, to_name


ALIAS_KEY, ALIAS_NAME = _load_aliases()
# First words of every alias, so that most names can skip the look-up.
ALIAS_STARTS = frozenset(k.split()[0] for k in (*ALIAS_KEY, *ALIAS_NAME)) | {"the"}


def name_key(name: str) -> str:
    """The normal form two names of one entity share: "U.S." / "US" / "the United States" →
    "united states"; "MOSCOW" / "Moscow's" → "moscow"."""
    key = _base(name)
    return ALIAS_KEY.get(key, key)


def alias(name: str) -> tuple[str, str] | None:
    """(canonical, label) for a name in the alias table ("U.K." → ("United Kingdom", "PLACE"))."""
    key = _base(name)
    return ALIAS_NAME.get(ALIAS_KEY.get(key, key))


class NameKeyFilter(Filter):
    """Turns each comma-separated name into its key, at indexing and at query time alike."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = name_key(t.text)
            if t.text:
                yield t


_COMMA_LIST = re.compile(r"[^,]+")


def name_analyzer():
    """For the person/org/place/entity index fields: a comma-separated list of names."""
    return RegexTokenizer(_COMMA_LIST.pattern) | NameKeyFilter()
