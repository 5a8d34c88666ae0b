"""What a claim says, read from its words: the content words (stemmed, with the synonyms of a
newsroom's usual verbs folded together), the numbers (normalised: "20 %", "one in five" and "a
fifth" are all 0.2; "3m" and "three million" are 3,000,000), the period a figure is counted
over, the direction of a change (rose/fell, more/fewer, a negation), the places named and the
years. ``compare`` tells where two claims disagree on any of these: a near miss.

    read("Unemployment rose to 6 % in 2024") -> Features(stems={"unemploy", "rise"}, ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_stemmer = snowballstemmer.stemmer("english")


def listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --------------------------------------------------------------------------- words

STOPWORDS = listed(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing during each for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me my myself now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until very was we were what when where which
    while who whom why will with would you your yours yourself yourselves said says say saying
    told according claimed claims claim stated states insisted argued added noted suggested
    there's it's that's per cent percent %
    """
)
# Words whose meaning the features below carry: kept out of the lexical overlap so that they
# count once, as a feature (a negation is not a content word; "more" is a direction).
FEATURE_WORDS = listed("""not no never n't nor none neither without more fewer less lower higher""")

# Irregular forms and synonyms folded to one stem: the way the same claim is said again.
SYNONYMS = {
    # change up
    "rose": "rise",
    "risen": "rise",
    "rise": "rise",
    "increas": "rise",
    "grew": "rise",
    "grown": "rise",
    "grow": "rise",
    "growth": "rise",
    "climb": "rise",
    "jump": "rise",
    "soar": "rise",
    "surg": "rise",
    "went up": "rise",
    "gone up": "rise",
    "gain": "rise",
    "boost": "rise",
    "hike": "rise",
    "up": "rise",
    "higher": "rise",
    # change down
    "fell": "fall",
    "fallen": "fall",
    "fall": "fall",
    "drop": "fall",
    "declin": "fall",
    "decreas": "fall",
    "shrank": "fall",
    "shrunk": "fall",
    "shrink": "fall",
    "plung": "fall",
    "plummet": "fall",
    "slump": "fall",
    "tumbl": "fall",
    "sank": "fall",
    "sunk": "fall",
    "sink": "fall",
    "down": "fall",
    "lower": "fall",
    "reduc": "fall",
    "cut": "fall",
    # other verbs and nouns said many ways
    "spent": "spend",
    "spend": "spend",
    "spending": "spend",
    "paid": "pay",
    "built": "build",
    "made": "make",
    "gave": "give",
    "given": "give",
    "lost": "lose",
    "loss": "lose",
    "won": "win",
    "kill": "die",
    "death": "die",
    "dead": "die",
    "di": "die",
    "fatal": "die",
    "jobless": "unemploy",
    "unemploy": "unemploy",
    "kid": "child",
    "children": "child",
    "pupil": "student",
    "student": "student",
    "doctor": "doctor",
    "physician": "doctor",
    "car": "vehicl",
    "automobil": "vehicl",
    "peopl": "peopl",
    "person": "peopl",
    "resid": "peopl",
    "citizen": "peopl",
    "immigr": "migrant",
    "migrant": "migrant",
    "migrat": "migrant",
    "refuge": "migrant",
    "asylum": "migrant",
    "wage": "pay",
    "salari": "pay",
    "earn": "pay",
    "price": "price",
    "cost": "price",
    "inflat": "inflat",
    "govern": "govern",
    "govt": "govern",
    "administr": "govern",
    "hous": "hous",
    "home": "hous",
    "dwell": "hous",
    "nation": "countri",
    "countri": "countri",
    "murder": "homicid",
    "homicid": "homicid",
    "crime": "crime",
    "offenc": "crime",
    "offens": "crime",
    "vaccin": "vaccin",
    "jab": "vaccin",
    "shot": "vaccin",
    "immunis": "vaccin",
    "immuniz": "vaccin",
    "hospit": "hospit",
    "emiss": "emiss",
    "warm": "warm",
    "temperatur": "temperatur",
    "vote": "vote",
    "ballot": "vote",
    "voter": "vote",
    "elector": "vote",
    "turnout": "turnout",
    "rate": "rate",
    "level": "rate",
    "figur": "number",
    "number": "number",
    "total": "number",
    "amount": "number",
    "tripl": "tripl",
    "doubl": "doubl",
    "halv": "halv",
    "largest": "biggest",
    "biggest": "biggest",
    "highest": "highest",
    "record": "highest",
    "lowest": "lowest",
    "worker": "worker",
    "employe": "worker",
    "staff": "worker",
    "job": "job",
    "employ": "job",
    "firm": "compani",
    "compani": "compani",
    "busi": "compani",
    "budget": "budget",
    "fund": "fund",
    "financ": "fund",
    "billion": "",
    "million": "",
    "thousand": "",
    "hundr": "",
}
UP, DOWN = "rise", "fall"
NEGATIONS = listed("not no never n't nor none neither nobody nothing")

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The folded stem of one lowercase word ("" for a word that carries no meaning here)."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    s = _stemmer.stemWord(word)
    return SYNONYMS.get(s, s)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """The words a full-text search should look for (no stopwords, no numbers)."""
    return [
        w
        for w in words(text)
        if w not in STOPWORDS and w not in FEATURE_WORDS and not w.isdigit() and len(w) > 1
    ]


# --------------------------------------------------------------------------- numbers

SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a": 1,
    "an": 1,
    "dozen": 12,
}
SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "trn": 1e12,
}
# "a fifth", "two thirds", "one in five": the denominators said as words.
ORDINALS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "sixths": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "tenths": 10,
    "twentieth": 20,
    "hundredth": 100,
}
# How many times: "doubled" is a 100 % rise, "halved" a 50 % fall.
MULTIPLES = {
    "doubl": 2.0,
    "tripl": 3.0,
    "quadrupl": 4.0,
    "halv": 0.5,
    "twice": 2.0,
    "twofold": 2.0,
    "threefold": 3.0,
    "fourfold": 4.0,
    "fivefold": 5.0,
    "tenfold": 10.0,
}

# Units a figure is counted in, each folded to one name: 3.7 mm is not 3.7 cm, £3m is not $3m.
# ("m" is left out: a million far more often than a metre.)
UNITS = {
    **dict.fromkeys(["£", "pound", "pounds", "sterling", "gbp"], "gbp"),
    **dict.fromkeys(["$", "dollar", "dollars", "usd"], "usd"),
    **dict.fromkeys(["€", "euro", "euros", "eur"], "eur"),
    **dict.fromkeys(["yen", "jpy"], "jpy"),
    **dict.fromkeys(["yuan", "renminbi"], "cny"),
    **dict.fromkeys(["rupee", "rupees"], "inr"),
    **dict.fromkeys(["krona", "kronor", "kroner", "krone"], "krona"),
    **dict.fromkeys(["mm", "millimetre", "millimetres", "millimeter", "millimeters"], "mm"),
    **dict.fromkeys(["cm", "centimetre", "centimetres", "centimeter", "centimeters"], "cm"),
    **dict.fromkeys(["metre", "metres", "meter", "meters"], "metre"),
    **dict.fromkeys(["km", "kilometre", "kilometres", "kilometer", "kilometers"], "km"),
    **dict.fromkeys(["mile", "miles"], "mile"),
    **dict.fromkeys(["inch", "inches"], "inch"),
    **dict.fromkeys(["foot", "feet"], "foot"),
    **dict.fromkeys(["kg", "kilogram", "kilograms", "kilo", "kilos"], "kg"),
    **dict.fromkeys(["gram", "grams"], "gram"),
    **dict.fromkeys(["tonne", "tonnes", "ton", "tons"], "tonne"),
    **dict.fromkeys(["litre", "litres", "liter", "liters"], "litre"),
    **dict.fromkeys(["gallon", "gallons"], "gallon"),
    **dict.fromkeys(["mph"], "mph"),
    **{u: u for u in ("kwh", "mwh", "gwh", "twh", "kw", "mw", "gw")},
    **dict.fromkeys(["celsius", "centigrade"], "celsius"),
    **dict.fromkeys(["fahrenheit"], "fahrenheit"),
}


def units(text: str) -> set[str]:
    """The units of the figures in ``text`` (none if it states no figure)."""
    return {UNITS[t] for t in _tokens_for_numbers(text) if t in UNITS}


PERIODS = {
    "day": "day",
    "daily": "day",
    "week": "week",
    "weekly": "week",
    "month": "month",
    "monthly": "month",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "annum": "year",
    "decade": "decade",
    "hour": "hour",
    "hourly": "hour",
    "quarter": "quarter",
    "quarterly": "quarter",
}


@dataclass(frozen=True)
class Quantity:
    value: float
    share: bool  # a proportion (20 %, one in five, a fifth): value is 0.2


NUMBER_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)\s*(?P<suffix>%|per\s*cent\b|percent\b|pc\b|k\b|m\b|mn\b|mln\b|"
    r"bn\b|b\b|tn\b|trn\b)?",
    re.IGNORECASE,
)


def _number(raw: str) -> float | None:
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif "," in raw:
        raw = raw.replace(",", ".") if raw.count(",") == 1 and len(raw.split(",")[1]) != 3 else ""
    try:
        return float(raw)
    except ValueError:
        return None


def _tokens_for_numbers(text: str) -> list[str]:
    """Words and digit groups in order, with "%" and the currency signs as their own tokens."""
    text = text.replace("’", "'")
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    return re.findall(r"\d+(?:\.\d+)?|[A-Za-z]+|%|[£$€]", text.lower())


def quantities(text: str) -> tuple[list[Quantity], set[int], set[str]]:
    """The figures in ``text`` (years apart), the years, and the periods figures are counted
    over ("a month", "per year", "annual")."""
    tokens = _tokens_for_numbers(text)
    found: list[Quantity] = []
    years: set[int] = set()
    periods: set[str] = set()
    i, n = 0, len(tokens)

    def at(k):
        return tokens[k] if 0 <= k < n else ""

    while i < n:
        t = tokens[i]
        # periods: "a month", "per year", "each week", "monthly", "annual"
        before = at(i - 1)
        if (
            t in PERIODS
            and (t.endswith(("ly", "al")) or before in ("a", "an", "per", "each", "every"))
            and not (t == "year" and before == "the")
            and not (t == "quarter" and at(i + 1) == "of")
        ):
            periods.add(PERIODS[t])
        value = None
        share = False
        consumed = 1
        if t[0].isdigit():
            value = float(t)
            whole = t.isdigit()
            if whole and len(t) == 4 and 1800 <= value <= 2100 and at(i + 1) not in ("%",):
                # a year, unless a unit or scale says it is an amount
                nxt = at(i + 1)
                amount = nxt in SCALES or nxt in ("percent", "per", "people", "pc")
                if not amount and at(i - 1) not in ("£", "$", "€"):
                    years.add(int(value))
                    i += 1
                    continue
            if at(i + 1) in SCALES:
                value *= SCALES[at(i + 1)]
                consumed = 2
        elif (t in SMALL and t not in ("a", "an")) or (
            t in ("a", "an") and at(i + 1) in SCALES and at(i + 1) not in ("k", "m", "b")
        ):
            value, consumed = _spelled(tokens, i)
        elif t in ("a", "an", "one") and at(i + 1) in ORDINALS:
            value = 1.0
        elif t in ("half",) and at(i - 1) not in ("one", "a", "an"):
            value, share = 0.5, True
        if value is None:
            stemmed = stem(t)
            if stemmed in MULTIPLES:
                found.append(Quantity(MULTIPLES[stemmed], False))
            i += 1
            continue
        j = i + consumed
        # "one in five", "1 in 5", "one out of five", "one burglary in twenty", "three times
        # out of four"
        ratio = _ratio(tokens, j, value) if not share else None
        if ratio:
            found.append(Quantity(ratio[0], True))
            i = ratio[1]
            continue
        # "a fifth", "two thirds", "three quarters", "one half"; "three quarters of a million"
        if at(j) in ORDINALS and value <= 20:
            fraction = value / ORDINALS[at(j)]
            if at(j + 1) == "of" and at(j + 2) in ("a", "an") and at(j + 3) in SCALES:
                found.append(Quantity(fraction * SCALES[at(j + 3)], False))
                i = j + 4
                continue
            found.append(Quantity(fraction, True))
            i = j + 1
            continue
        if at(j) in ("%", "percent", "pc") or (at(j) == "per" and at(j + 1) == "cent"):
            share = True
            value /= 100
            j += 2 if at(j) == "per" else 1
        elif at(j) == "percentage" and at(j + 1) == "points":
            j += 2
        if value is not None and not (value == 1 and t in ("one",) and not share):
            found.append(Quantity(value, share))
        i = j
    return found, years, periods


def _ratio(tokens: list[str], j: int, value: float) -> tuple[float, int] | None:
    """``value`` in ``denominator`` from ``tokens[j]`` on (at most two words between): the
    share and where the phrase ends."""
    n = len(tokens)
    for skip in range(3):
        k = j + skip
        if k >= n or (skip and (tokens[k - 1][0].isdigit() or tokens[k - 1] in NUMBER_WORDS)):
            return None
        if tokens[k] == "in":
            d = k + 1
        elif tokens[k] == "out" and k + 1 < n and tokens[k + 1] == "of":
            d = k + 2
        else:
            continue
        if d >= n or not (tokens[d][0].isdigit() or tokens[d] in SMALL) or tokens[d] in ("a", "an"):
            return None
        denominator, used = (float(tokens[d]), 1) if tokens[d][0].isdigit() else _spelled(tokens, d)
        if denominator and value <= denominator and not 1800 <= denominator <= 2100:
            return value / denominator, d + used
        return None
    return None


def _spelled(tokens: list[str], i: int) -> tuple[float | None, int]:
    """A number said in words from ``tokens[i]``: ("three", "million") -> 3e6, 2 tokens."""
    total, current, j = 0.0, 0.0, i
    seen = False
    while j < len(tokens):
        t = tokens[j]
        if t in SMALL and not (seen and t in ("a", "an")):
            current += SMALL[t]
            seen = True
        elif t in SCALES and seen and t not in ("k", "m", "b"):
            scale = SCALES[t]
            if scale == 100:
                current *= 100
            else:
                total += current * scale
                current = 0
        elif t == "and" and seen and tokens[j + 1 : j + 3] == ["a", "half"]:
            current += 0.5
            j += 2
        elif t == "and" and seen and j + 1 < len(tokens) and tokens[j + 1] in SMALL:
            pass
        else:
            break
        j += 1
    if not seen:
        return None, 1
    return total + current, j - i


NUMBER_WORDS = frozenset({*SMALL, *SCALES, *ORDINALS, "hundred", "percent", "percentage"}) - {
    "a",
    "an",
}

# --------------------------------------------------------------------------- places

# Places and who lives there, each folded to one name; a claim about one is not a claim about
# another. (Capitalised words that are not listed only count as words.)
PLACES = {
    "uk": "uk",
    "britain": "uk",
    "briton": "uk",
    "britons": "uk",
    "british": "uk",
    "united kingdom": "uk",
    "england": "england",
    "english": "england",
    "scotland": "scotland",
    "scottish": "scotland",
    "wales": "wales",
    "welsh": "wales",
    "northern ireland": "northern ireland",
    "ireland": "ireland",
    "irish": "ireland",
    "us": "us",
    "usa": "us",
    "u.s.": "us",
    "america": "us",
    "american": "us",
    "americans": "us",
    "united states": "us",
    "canada": "canada",
    "canadian": "canada",
    "mexico": "mexico",
    "mexican": "mexico",
    "france": "france",
    "french": "france",
    "germany": "germany",
    "german": "germany",
    "spain": "spain",
    "spanish": "spain",
    "italy": "italy",
    "italian": "italy",
    "portugal": "portugal",
    "portuguese": "portugal",
    "netherlands": "netherlands",
    "dutch": "netherlands",
    "holland": "netherlands",
    "belgium": "belgium",
    "belgian": "belgium",
    "sweden": "sweden",
    "swedish": "sweden",
    "norway": "norway",
    "norwegian": "norway",
    "denmark": "denmark",
    "danish": "denmark",
    "finland": "finland",
    "finnish": "finland",
    "poland": "poland",
    "polish": "poland",
    "austria": "austria",
    "austrian": "austria",
    "switzerland": "switzerland",
    "swiss": "switzerland",
    "greece": "greece",
    "greek": "greece",
    "hungary": "hungary",
    "hungarian": "hungary",
    "romania": "romania",
    "romanian": "romania",
    "ukraine": "ukraine",
    "ukrainian": "ukraine",
    "russia": "russia",
    "russian": "russia",
    "turkey": "turkey",
    "turkish": "turkey",
    "china": "china",
    "chinese": "china",
    "japan": "japan",
    "japanese": "japan",
    "india": "india",
    "indian": "india",
    "pakistan": "pakistan",
    "bangladesh": "bangladesh",
    "indonesia": "indonesia",
    "korea": "korea",
    "korean": "korea",
    "australia": "australia",
    "australian": "australia",
    "new zealand": "new zealand",
    "brazil": "brazil",
    "brazilian": "brazil",
    "argentina": "argentina",
    "chile": "chile",
    "colombia": "colombia",
    "nigeria": "nigeria",
    "nigerian": "nigeria",
    "kenya": "kenya",
    "kenyan": "kenya",
    "south africa": "south africa",
    "egypt": "egypt",
    "israel": "israel",
    "iran": "iran",
    "iraq": "iraq",
    "saudi arabia": "saudi arabia",
    "eu": "europe",
    "european union": "europe",
    "european parliament": "europe",
    "meps": "europe",
    "mep": "europe",
    "europe": "europe",
    "european": "europe",
    "africa": "africa",
    "african": "africa",
    "asia": "asia",
    "london": "london",
    "paris": "paris",
    "berlin": "berlin",
    "new york": "new york",
    "california": "california",
    "texas": "texas",
    "florida": "florida",
    "manchester": "manchester",
    "birmingham": "birmingham",
    "glasgow": "glasgow",
    "edinburgh": "edinburgh",
    "dublin": "dublin",
    "luxembourg": "luxembourg",
    "croatia": "croatia",
    "croatian": "croatia",
    "estonia": "estonia",
    "estonian": "estonia",
    "latvia": "latvia",
    "lithuania": "lithuania",
    "czech republic": "czechia",
    "czechia": "czechia",
    "czech": "czechia",
    "slovakia": "slovakia",
    "slovenia": "slovenia",
    "serbia": "serbia",
    "bulgaria": "bulgaria",
    "bulgarian": "bulgaria",
    "iceland": "iceland",
    "tunisia": "tunisia",
    "morocco": "morocco",
    "algeria": "algeria",
    "ethiopia": "ethiopia",
    "ghana": "ghana",
    "vietnam": "vietnam",
    "thailand": "thailand",
    "philippines": "philippines",
    "malaysia": "malaysia",
    "singapore": "singapore",
    "taiwan": "taiwan",
    "hong kong": "hong kong",
    "peru": "peru",
    "venezuela": "venezuela",
    "cuba": "cuba",
    "syria": "syria",
    "afghanistan": "afghanistan",
    "lebanon": "lebanon",
    "jordan": "jordan",
    "qatar": "qatar",
    "uae": "uae",
    "united arab emirates": "uae",
    "lisbon": "lisbon",
    "madrid": "madrid",
    "rome": "rome",
    "warsaw": "warsaw",
    "moscow": "moscow",
    "beijing": "beijing",
    "tokyo": "tokyo",
    "sydney": "sydney",
    "melbourne": "melbourne",
    "toronto": "toronto",
    "washington": "washington",
    "chicago": "chicago",
    "los angeles": "los angeles",
    "brussels": "brussels",
    "amsterdam": "amsterdam",
    "vienna": "vienna",
    "nhs": "uk",
    "westminster": "uk",
    "bundestag": "germany",
    "congress": "us",
    "kremlin": "russia",
    "south korea": "korea",
    "north korea": "north korea",
    "saudi": "saudi arabia",
    "emirates": "uae",
    "mediterranean": "mediterranean",
    "arctic": "arctic",
    "antarctic": "antarctica",
    "antarctica": "antarctica",
    "nordic": "nordic",
    "scandinavia": "nordic",
    "balkans": "balkans",
    "latin america": "latin america",
}
_PLACE = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def _place_of(match: re.Match) -> str | None:
    raw = match.group(1)
    if raw.lower() == "us" and raw != "US":
        return None  # the pronoun
    if raw[0].islower() and raw.lower() != "u.s.":
        return None  # "english" lowercase is no place; "turkey" the bird
    return PLACES[raw.lower()]


def places(text: str) -> set[str]:
    return {p for m in _PLACE.finditer(text) if (p := _place_of(m))}


CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]+|[A-Z]{2,})\b")


def names(text: str) -> set[str]:
    """Capitalised words not at a sentence's start, and not places: the names of things."""
    out = set()
    for m in CAPITALISED.finditer(text.strip()):
        w = m.group(1).lower()
        if w in STOPWORDS or w in PLACES or w in MONTHS or len(w) < 2:
            continue
        out.add(stem(w))
    return out


MONTHS = listed(
    "january february march april may june july august september october november december"
)


# --------------------------------------------------------------------------- the features


@dataclass(frozen=True)
class Features:
    stems: frozenset[str]
    quantities: tuple[Quantity, ...]
    years: frozenset[int]
    periods: frozenset[str]
    units: frozenset[str]
    direction: int  # +1 up, -1 down, 0 none (or both)
    negated: bool
    places: frozenset[str]
    names: frozenset[str]
    hedged: bool  # "about", "nearly", "more than": its figures are approximate
    words: frozenset[str]


# "make up", "shut down": "up" and "down" that tell no change.
PARTICLE_VERBS = listed(
    "make makes made making set sets shut shuts shutting take takes took taken taking end "
    "ended ends show showed shows turn turned turns pick picked sum summed open opened light "
    "lit back backed sign signed break broke broken step stepped stepping sit sat use used "
    "look looked stand stood wind wound hold held give gave given bring brought brings clean "
    "cleaned crack cracked tear tore track tracked"
)
COMPARATIVE_UP = listed("more higher bigger larger greater highest biggest largest")
COMPARATIVE_DOWN = listed("fewer less lower smaller lowest smallest")
HEDGE_WORDS = listed(
    "about around almost nearly roughly approximately some over under topped tops exceeds "
    "exceeded exceed above below"
)
ANTONYM_PREFIXES = ("il", "un", "in", "ir", "im", "dis", "non")


@lru_cache(maxsize=4096)
def read(text: str) -> Features:
    found_places = set()

    def place(match):
        name = _place_of(match)
        if name is None:
            return match.group(0)
        found_places.add(name)
        return " "

    plain = _PLACE.sub(place, text)  # a place counts once, by its one name
    ws = words(plain)
    stems = {f"@{p}" for p in found_places}
    change_up = change_down = up = down = 0
    negated = hedged = False
    for i, w in enumerate(ws):
        before = ws[i - 1] if i else ""
        after = ws[i + 1 : i + 3]
        if w in NEGATIONS or w.endswith("n't"):
            negated = True
            continue
        s = stem(w)
        numeric_after = bool(after) and after[0] == "than" and _numeric(after[1:])
        if w in HEDGE_WORDS or numeric_after:
            hedged = True
        if s in (UP, DOWN) and not (w in ("up", "down") and before in PARTICLE_VERBS):
            if not numeric_after:
                change_up += s == UP
                change_down += s == DOWN
        elif not numeric_after and w in COMPARATIVE_UP:
            up += 1
        elif not numeric_after and w in COMPARATIVE_DOWN:
            down += 1
        if w in STOPWORDS or w in FEATURE_WORDS or w in NUMBER_WORDS or len(w) < 2 or not s:
            continue
        if any(ch.isdigit() for ch in w):
            continue
        stems.add(s)
    if change_up or change_down:
        up, down = change_up, change_down
    qs, years, periods = quantities(text)
    return Features(
        stems=frozenset(stems),
        quantities=tuple(qs),
        years=frozenset(years),
        periods=frozenset(periods),
        units=frozenset(units(text)) if qs else frozenset(),
        direction=(up > down) - (down > up),
        negated=negated,
        places=frozenset(found_places),
        names=frozenset(names(text)),
        hedged=hedged,
        words=frozenset(ws),
    )


def _numeric(tokens: list[str]) -> bool:
    return bool(tokens) and (
        tokens[0][:1].isdigit() or tokens[0] in NUMBER_WORDS or tokens[0] in ("a", "an", "half")
    )


HEDGES = listed(
    "about around almost nearly roughly approximately some over under more less fewer than "
    "close just up to topped tops exceeds exceeded exceed"
)


def same_value(a: float, b: float, tolerance: float = 0.02) -> bool:
    if a == b:
        return True
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


@dataclass(frozen=True)
class Agreement:
    """How two claims' features compare: each disagreement is a reason they are not the same
    claim; ``numbers_agree`` counts the figures both state alike."""

    numbers: str  # "agree", "differ", "one-sided", "none"
    years: str
    periods: str
    units: str
    direction: str
    negation: str
    places: str

    @property
    def mismatches(self) -> list[str]:
        return [
            name
            for name in (
                "numbers",
                "years",
                "periods",
                "units",
                "direction",
                "negation",
                "places",
            )
            if getattr(self, name) == "differ"
        ]


def _sets(a: frozenset | set, b: frozenset | set) -> str:
    """Two sets of years or places: each naming one the other does not is a difference
    (2019 and 2001 against 2024 and 2001); one naming none is only "one-sided"."""
    if not a and not b:
        return "none"
    if not a or not b:
        return "one-sided"
    return "differ" if (a - b) and (b - a) else "agree"


def _antonyms(a: frozenset[str], b: frozenset[str]) -> bool:
    """A word of one is the other's with a negating prefix: "illegally" and "legally"."""
    for one, other in ((a - b, b), (b - a, a)):
        for w in one:
            for prefix in ANTONYM_PREFIXES:
                if w.startswith(prefix) and len(w) > len(prefix) + 3 and w[len(prefix) :] in other:
                    return True
    return False


def compare(query: Features, candidate: Features) -> Agreement:
    qa, ca = query.quantities, candidate.quantities
    if not qa and not ca:
        numbers = "none"
    elif not qa or not ca:
        numbers = "one-sided"
    else:
        # "nearly 30 %" for 29.4 %, "more than a third" for 35 %: a hedged figure is near
        tol = 0.1 if query.hedged or candidate.hedged else 0.02
        matched_q = sum(any(same_value(q.value, c.value, tol) for c in ca) for q in qa)
        matched_c = sum(any(same_value(c.value, q.value, tol) for q in qa) for c in ca)
        numbers = "agree" if matched_q == len(qa) or matched_c == len(ca) else "differ"
    years = _sets(query.years, candidate.years)
    periods = _sets(query.periods, candidate.periods)
    if periods == "one-sided":
        # A figure for a named year is that year's: "grew 2.5 % in 2022" is not "per quarter".
        said, unsaid = (query, candidate) if query.periods else (candidate, query)
        if unsaid.years and unsaid.quantities and "year" not in said.periods:
            periods = "differ"
    if query.direction and candidate.direction:
        direction = "agree" if query.direction == candidate.direction else "differ"
    else:
        direction = "none" if not (query.direction or candidate.direction) else "one-sided"
    negation = "differ" if query.negated != candidate.negated else "agree"
    if _antonyms(query.words, candidate.words):
        negation = "differ" if negation == "agree" else "agree"
    places_ = _sets(query.places, candidate.places)
    if (
        places_ == "agree"
        and not candidate.places <= query.places
        and query.places - candidate.places
    ):
        places_ = "differ"  # another country beside the same one: the figure is another's
    units_ = _sets(query.units, candidate.units)
    return Agreement(numbers, years, periods, units_, direction, negation, places_)
