"""The hand-written cues of the built-in extractor: words that mark organisations, places and
people, and words that look like names but are not. Lower-case sets; match with `.lower()`."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


# Capitalised at the start of a sentence, never a name on their own.
FUNCTION_WORDS = _words("""
the a an in on at but and or nor if when while after before this that these those it its he she
they we i you his her their our my your there here what which who whom whose why how where as for
from with without by of to since although though however meanwhile also according despite during
both each every all some many most several other another such no not yes so then now today
yesterday tomorrow last next first second third earlier later once until unless because whether
even just only still yet instead besides among between into onto upon over under about above
below against along around across behind beyond near than via per let please thanks thank
mr mrs ms dr st though otherwise overall finally indeed perhaps maybe however nevertheless
him them us me one two three four five six seven eight nine ten hundreds thousands millions
other others none nothing something anything everything someone anyone everyone nobody
although whereas whilst why did do does is are was were be been being has have had will would
can could shall should may might must said says added asked told unlike i'm i've i'll i'd
you're you've you'll you'd we're we've we'll we'd they're they've they'll they'd he's she's
it's that's there's let's
""")

# Capitalised inside a run of names, they end it: "When I", "Australia On Saturday".
SPLIT_WORDS = _words("""
on in at but or nor if when while after before this that these those it its he she they we i
you his her their our my your there here what which why how where as from with by to since
although however also despite during is are was were has have had would could should said says
did does do am be been not no yes so then now than via per i'm i've i'll i'd you're you've
you'll you'd we're we've we'll we'd they're they've they'll they'd he's she's it's that's
""")

MONTHS_DAYS = _words("""
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
saturday sunday mon tue tues wed thu thurs fri sat sun
""")
# A weekday starts no name: "on Saturday Sirhan Sirhan was stabbed" names Sirhan Sirhan
# (months are also first names: "June Carter").
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
# A caption's label before its colon ends the name it follows: "Mark Seidenberg Image: AIP."
CAPTION_LABELS = _words("image photo photograph picture video audio source credit caption map")

# Words that, right before a name, say it is a person; they are not part of the name.
TITLE_HEADS = _words("""
mr mrs ms miss mx dr prof professor sir dame lord lady president minister chancellor king queen
prince princess emperor empress pope cardinal archbishop bishop rev reverend father pastor sheikh
shaikh imam ayatollah rabbi senator sen rep representative congressman congresswoman
assemblyman assemblywoman councillor councilor councilman councilwoman governor gov mayor judge
justice general gen lt lieutenant colonel col major maj captain capt sgt sergeant corporal cpl
private pte admiral adm commander cmdr marshal officer detective det inspector constable chief
secretary undersecretary under-secretary ambassador spokesman spokeswoman spokesperson chairman
chairwoman chairperson chair director coach speaker premier sultan emir president-elect
secretary-general saint commissioner superintendent sheriff deputy dean rector provost
chancellor-elect ceo coo cfo adviser advisor emeritus
""")
# Words that may come before a title head ("Prime Minister", "Defense Secretary").
TITLE_MODIFIERS = _words("""
vice prime deputy foreign defense defence interior finance health justice state home trade
energy education environment agriculture transport transportation labor labour attorney chief
executive senior former acting interim opposition supreme crown grand first lord high assistant
associate former late then-president then senior junior lance staff master field rear
national general economy economic culture cultural information communications foreign-affairs
treasury commerce industry security homeland veterans housing immigration development
sports science technology tourism water oil petroleum affairs of the
""")

# Last word of an organisation's name.
ORG_HEADS = _words("""
inc inc. corp corp. corporation co co. company companies ltd ltd. llc plc ag sa gmbh nv group
holdings bank banks party parliament congress senate assembly council committee commission
ministry department agency bureau office authority administration service services institute
institution university college school academy foundation association associations society
union federation league organization organisation organizations alliance coalition front
movement army navy force forces guard guards police court tribunal church airlines airline
airways railway railways motors industries technologies technology systems network networks
media news times post journal herald tribune gazette magazine press review daily telegraph radio
tv television channel studios studio records entertainment pictures club fc team teams
observatory board cabinet government regime brigade brigades battalion regiment division corps
command fleet caucus trust fund exchange reserve laboratory laboratories labs orchestra band choir
ballet institute commission agency partnership consortium cooperative co-op federation ngo
unit units mission missions program programme project initiative network conference council
intelligence parliamentarians guardian chronicle observer independent examiner inquirer courier
sun star mirror express standard globe bulletin weekly monthly quarterly broadcasting broadcasts
clinic clinics
""")

# Last word of a public body's name: a country's, a state's or a town's institutions. A place
# before it is named too ("U.S. Department of Agriculture", "Irving Police Department").
PUBLIC_BODIES = _words("""
department ministry office agency bureau administration authority commission council
committee service force forces army navy guard police court government parliament congress
senate assembly party university college school institute academy district embassy
consulate military marines corps cabinet legislature
""")

# Last word of an event's name ("Winter Paralympics", "FIFA World Cup", "Gulf War"): MISC, no
# person ("Summer" is a first name), no organisation; the first three name one on their own.
EVENT_HEADS = _words("""
olympics paralympics olympiad games cup championship championships tournament festival
carnival expo exposition summit awards marathon derby regatta prix war revolution uprising
prize award medal trophy show
""")
# A storm is named after its kind: "Tropical Storm Humberto", "Hurricane Dorian" (MISC).
STORM_WORDS = _words("hurricane typhoon cyclone storm")

# First word of an organisation's name, when "of" follows ("University of Helsinki").
ORG_STARTS = _words("""
university ministry department bank board church bureau office institute federation association
union council committee commission court house academy college school society league
organization organisation order party agency friends sisters brothers knights congress
parliament senate chamber coalition alliance government cabinet army navy
""")

# Last word of a place's name.
PLACE_HEADS = _words("""
sea ocean river lake lakes mountain mountains mount hill hills valley desert island islands
isle isles peninsula bay gulf strait straits canal channel coast beach park square street st
avenue ave road boulevard blvd highway motorway bridge airport airfield airbase base station
port harbor harbour stadium arena center centre hall museum gallery palace castle cathedral
mosque temple shrine tower towers building plaza prison camp province county district region
territory territories city town village heights falls springs creek forest glacier volcano
reservoir dam zone oblast governorate prefecture municipality borough quarter memorial cemetery
monument hotel theater theatre library zoo garden gardens field fields lane way place court
crossing pass ridge plain plains delta basin reef wharf pier terminal campus state-park complex
hospital infirmary
""")

# First word of a place's name, when "of" follows ("Gulf of Mexico", "Republic of Ireland").
PLACE_STARTS = _words("""
republic kingdom state commonwealth province gulf bay isle island islands lake mount cape
strait sea city county port principality emirate sultanate duchy territory district
""")

# Right after a name: it is a person ("Bos said", "Smith, who").
PERSON_AFTER = _words("""
said says told added explained wrote stated noted announced argued claimed commented replied
asked insisted warned admitted recalled believes believed thinks thought ,who
""")

# Right before a name: it is a person ("actor Jason Beghe", "by Nick Bos").
PERSON_BEFORE = _words("""
actor actress singer rapper musician artist painter writer author novelist poet journalist
reporter photographer filmmaker director producer spokesman spokeswoman spokesperson leader
founder president minister chairman chairwoman professor researcher scientist economist
analyst lawyer attorney senator governor mayor judge candidate nominee coach player striker
midfielder defender goalkeeper pitcher quarterback driver rider boxer wrestler champion
teammate colleague wife husband son daughter brother sister mother father uncle aunt cousin
grandson granddaughter dr mr mrs ms miss sir dame lord lady king queen prince princess pope
cardinal bishop archbishop rabbi imam sheikh pastor reverend comedian host presenter anchor
editor columnist blogger activist campaigner historian biologist physicist chemist astronaut
astronomer engineer architect designer entrepreneur businessman businesswoman billionaire
ceo executive official officer soldier general colonel captain sergeant lieutenant inspector
detective constable sheriff prosecutor defendant suspect victim nurse doctor surgeon
manager owner chef dancer composer conductor pianist guitarist drummer vocalist
said says added asked
""")

# Leading a capitalised run, a word of the person's trade is not part of their name
# ("Biologist Nick Bos", "Australian wheelchair basketball player Tina McKenzie").
OCCUPATIONS = (
    PERSON_BEFORE
    - _words("""
wife husband son daughter brother sister mother father uncle aunt cousin grandson granddaughter
leader official officer executive manager owner champion driver player said says added asked
""")
) | _words("""
mathematician philosopher physician psychologist psychiatrist sociologist anthropologist
archaeologist geologist meteorologist ecologist zoologist botanist biochemist geneticist
academic scholar lecturer teacher student pupil sculptor cartoonist illustrator playwright
screenwriter broadcaster correspondent commentator pundit politician lawmaker legislator
diplomat activist philanthropist
""")

# Right after or before one unknown word, words that make it an organisation ("LibriVox
# founder", "a Mets fan", "joined Greenpeace"); the mentions without a cue follow (document).
ORG_AFTER = _words("""
founder founders co-founder cofounder ceo chairman chairwoman president spokesman spokeswoman
spokesperson officials executives employees staffers members member fans fan supporters
website headquarters subsidiary shareholders stockholders shares stock director directors unit
division
""")
ORG_BEFORE = _words("""
joined founded co-founded cofounded launched acquired against
""")
# Around a name of any length, words that make it a company, whatever the verb after it
# ("software company Red Hat announced", "Red Hat employees"): a person has no shareholders.
COMPANY_BEFORE = _words("""
company firm startup start-up retailer carmaker automaker manufacturer conglomerate insurer
lender airline chipmaker
""")
COMPANY_AFTER = _words("""
employees staffers shareholders stockholders subsidiary subsidiaries headquarters shares
executives
""")

# Right before a name: it is a place ("in Palmyra", "from Raqqa").
PLACE_BEFORE = _words("""
in at from near to across outside into towards toward throughout via inside within around
""")
# Before "to X", words that make "to" no place cue ("attributed to Einstein").
TO_NO_PLACE = _words("""
according attributed thanks due similar compared married spoke speaking talked talking
listened listening replied reply belongs belonged belonging related loyal dedicated devoted
grateful credited linked tied addressed opposed answer answered apologized apologised
responded respond tribute homage succeeded letter message owed donated awarded given
""")
# "the city of X", "the province of X".
PLACE_OF = _words("""
city town village province region state capital area district county island port country
municipality suburb neighbourhood neighborhood governorate prefecture
""")

# Before a country's name, words that make a region of it ("Northern Ireland"), not an
# organisation named after it ("Environment Canada").
REGION_WORDS = FUNCTION_WORDS | _words("""
north south east west northern southern eastern western central upper lower greater new old
inner outer mainland rural urban coastal continental metropolitan modern ancient neighbouring
neighboring independent occupied free democratic communist imperial colonial federal postwar
pre-war post-war medieval southeast southwest northeast northwest far near middle deep wider
""")

# All-capital words that are not organisations.
COMMON_CAPS = _words("""
tv ceo cfo coo cto am pm a.m. p.m. gmt utc est edt pst pdt cet ok id dna rna hiv aids covid
gdp co2 ufo vip phd mp mps usd eur gbp jpy it pr hr ai iq atm suv dvd cd pc url pdf faq lgbt
lgbtq lgbtq+ ngo ngos pow q&a ii iii iv vi vii viii ix xi xii xiii xiv xv xx mph kph km kg
mm cm ml bc ad ce bce vs nb ps rip asap diy fyi tba tbd usb gps sms led lcd hd
phd mba bsc msc pov xml html http https www api irc gnp qc kc sc isbn os vp svp evp cto eol
q1 q2 q3 q4 h1 h2 fm
""")

PERSON_PARTICLES = frozenset(
    {
        "al",
        "el",
        "ad",
        "as",
        "ash",
        "ar",
        "an",
        "at",
        "az",
        "bin",
        "ibn",
        "abu",
        "abd",
        "de",
        "del",
        "della",
        "da",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "le",
        "la",
        "dos",
        "das",
        "ter",
        "y",
        "bint",
        "ben",
    }
)
