"""English rules of the detector: quotation marks, reporting cues, sources, speakers,
occasions and check-worthy author sentences.

The pipeline, one pass each, all offsets code points of ``text``:
1. ``find_quotes``: pair quotation marks (straight, curly, « », „ “, single quotes where they
   are quotes), carry a quote over a paragraph break when the next paragraph opens with a mark;
2. ``sentences``: sentence spans, computed with quote contents masked so a full stop inside a
   quote does not split the sentence that holds it;
3. per sentence: the cue (a reporting verb or "according to"), the source mention next to it
   and its speaker (``Speakers``: names, roles, pronouns, the registry), the occasion
   (``Occasions``: "in a statement", "told a press conference on 16 June"), then the kind:
   direct, mixed (a paraphrase holding a quoted fragment) or indirect speech;
4. quoted words nobody said (scare quotes, titles, nicknames) are dropped;
5. the author's own sentences that state checkable facts, scored by ``check_worthiness``.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import KnownSpeaker, KnownStatement, Part, Proposal, SpeakerGuess, StatementGuess

# --- lexicons ---------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


CUE_VERBS = _words(
    """said says say saying told tells telling added adds adding stated states stating
    explained explains explaining argued argues arguing claimed claims claiming warned warns
    warning insisted insists insisting noted notes noting wrote writes writing asked asks
    replied replies answered answers responded declared declares announced announces
    acknowledged acknowledges admitted admits conceded concedes stressed stresses emphasised
    emphasized emphasises emphasizes suggested suggests predicted predicts promised promises
    pledged vowed vows maintained maintains contended contends confirmed confirms denied
    denies recalled recalls observed remarked continued concluded concludes cautioned
    cautions urged urges reiterated reiterates countered complained complains boasted joked
    quipped conceded estimated estimates reported reports found finds showed shows announced
    assured assures objected retorted disputed accused accuses pointed"""
)
CUE_VERB_SET = frozenset(CUE_VERBS)
# Verbs that report speech only when a person or a body is their subject ("the study found").
WEAK_CUES = frozenset(
    _words(
        """found finds showed shows estimated estimates reported reports continued agreed agrees
    recalled recalls observed"""
    )
)
# Verbs whose quoted object is an epithet the subject used ("called the plan "reckless"").
LABEL_VERBS = frozenset(
    _words(
        """called calls calling described describes describing labelled labeled branded dismissed
    hailed condemned praised"""
    )
)
AUX = frozenset(
    _words(
        """has have had was were is are be been will would could can may might also later then
    again once previously repeatedly already further simply only publicly privately recently
    firmly flatly bluntly openly never not did does do"""
    )
)
PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "org", "we": "any", "i": "person"}
ROLE_NOUNS = frozenset(
    _words(
        """minister spokeswoman spokesman spokesperson president chancellor mayor councillor
    councilor governor secretary director chief head chair chairman chairwoman chairperson
    leader official officials economist economists analyst analysts doctor doctors
    researcher researchers professor scientist scientists author authors expert experts
    commissioner ambassador envoy senator lawmaker mp deputy adviser advisor ceo executive
    manager officer inspector prosecutor judge lawyer ministry government department agency
    council commission bank company union committee office study report survey statement
    communique communiqué campaigners residents opposition critics host interviewer
    presenter presidency kremlin administration mayor's nurse nurses teacher teachers farmer
    farmers owner owners founder treasurer auditor auditors regulator regulators police
    spokesperson board delegation side cabinet premier epidemiologist virologist physician
    surgeon organisers organizers organiser organizer protesters union's association
    institute federation fund trust hospital university authority chamber companies firm
    firms workers operators insurers landlords airlines audit inquiry centre center service
    watchdog charity operator supplier body"""
    )
)
ORG_WORDS = frozenset(
    _words(
        """ministry government council commission office department agency bank fund institute
    university party union association committee house kremlin parliament assembly court inc
    ltd group corporation company authority board cabinet treasury federation trust hospital
    service services organisation organization foundation centre center league police
    presidency administration secretariat bureau senate congress authority chamber agency"""
    )
)
GOVERNMENT_WORDS = frozenset(
    _words(
        """ministry government council commission department treasury kremlin cabinet parliament
    presidency administration senate congress"""
    )
)
MEDIA_NAMES = frozenset(
    _words(
        """bbc nbc cnn cbs abc reuters afp ap bloomberg times post guardian herald tribune radio
    television tv news gazette journal"""
    )
)
DEMONYMS = {
    "russian": "Russia",
    "american": "United States",
    "chinese": "China",
    "french": "France",
    "german": "Germany",
    "british": "United Kingdom",
    "ukrainian": "Ukraine",
    "japanese": "Japan",
    "indian": "India",
    "italian": "Italy",
    "spanish": "Spain",
    "polish": "Poland",
    "dutch": "Netherlands",
    "canadian": "Canada",
    "brazilian": "Brazil",
    "turkish": "Turkey",
}
COUNTRIES = frozenset(set(DEMONYMS.values()) | {"U.S.", "US", "EU", "UK", "European Union"})
# Occasion nouns: the statement kind they imply (Statement.Kind values).
OCCASIONS = [
    (r"joint (?:statement|declaration|communiqu[ée])", "joint_statement", "joint statement"),
    (r"communiqu[ée]", "communique", "communiqué"),
    (r"press release|news release", "press_release", "press release"),
    (r"(?:press|news) conference|(?:press |news )?briefing", "other", "press conference"),
    (
        r"interview|told (?:the )?(?:BBC|NBC|CNN|CBS|ABC|Reuters)|on air|programme|podcast",
        "interview",
        "interview",
    ),
    (r"speech|address|keynote|lecture", "speech", "speech"),
    (r"op-ed|column|article|essay|blog", "article", "article"),
    (
        r"post(?:ed)? on|tweet|wrote on (?:X|Twitter|Facebook|Instagram)|social media",
        "social_post",
        "post",
    ),
    (r"study|paper|journal", "article", "study"),
    (r"report|survey|review|audit|assessment|forecast", "other", "report"),
    (
        r"(?:council |board |committee )?meeting|session|hearing|debate|summit|talks",
        "other",
        "meeting",
    ),
    (r"statement|declaration|letter|notice", "press_release", "statement"),
]
OCCASION_RE = re.compile(r"\b(" + "|".join(f"(?:{p})" for p, _, _ in OCCASIONS) + r")\b", re.I)
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        _words(
            """january february march april may june july august september october november
            december"""
        )
    )
}
MONTH_RE = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December)"
)
DATE_RES = [
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {MONTH_RE},? (\d{{4}})\b"),
    re.compile(rf"\b{MONTH_RE} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b"),
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {MONTH_RE}\b"),
    re.compile(rf"\b{MONTH_RE} (\d{{1,2}})(?:st|nd|rd|th)?\b"),
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
]
# Words after which a quoted Title Case phrase is a name, not a quote.
TITLE_TRIGGERS = re.compile(
    r"\b(?:titled|entitled|called|named|dubbed|nicknamed|known as|so-called|"
    r"report|book|film|documentary|series|campaign|programme|program|show|album|song|"
    r"novel|play|slogan|motto|plan|strategy|operation|initiative|project|scheme|act|bill|"
    r"law|exhibition|festival|magazine|newspaper|column|podcast|headline|the word|the term|"
    r"the phrase|the label)\W*$",
    re.I,
)
NICKNAME_TRIGGERS = re.compile(
    r"\b(?:known as|nicknamed|dubbed|so-called|the word|the term|the phrase|the label|"
    r"what (?:\w+ ){0,2}call(?:s|ed)?(?: (?:it|them|this))?(?: an?| the)?|"
    r"what is called|as it is called)\W*$",
    re.I,
)
STOP_START = frozenset(
    _words(
        """the a an he she it they we i but and or so yet in on at after before during when while
    as if then also however meanwhile still this that these those there here his her its
    their our my your for from by with without to of into over under about between since
    until yesterday today tomorrow last next earlier later monday tuesday wednesday thursday
    friday saturday sunday according asked speaking following despite although though
    because unlike like what who whom which where why how instead not no"""
    )
)
NP_STOP = frozenset(
    _words(
        """in on at after before during when while as that which who and but then yesterday today
    tomorrow monday tuesday wednesday thursday friday saturday sunday morning evening night
    week month year earlier later also again since if because where than though although so"""
    )
)
ABBREVIATIONS = frozenset(
    _words(
        """mr mrs ms dr prof st gen col lt sgt rep sen gov jr sr vs etc inc ltd co corp no fig jan
    feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n e.u"""
    )
)

OPEN_CLOSE = {"“": "”", "„": "“", "«": "»", "‹": "›", '"': '"', "‘": "’", "'": "'", "‚": "‘"}
DOUBLE_OPENERS = frozenset('“„«‹"')
WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*\.?|[^\W_]", re.UNICODE)
CUE_RE = re.compile(
    r"\b(?:[Aa]ccording to|[Ii]n the words of|quoted as saying|(?:" + "|".join(CUE_VERBS) + r"))\b"
)
LABEL_RE = re.compile(r"\b(?:" + "|".join(LABEL_VERBS) + r")\b", re.I)


# Titles written before a name ("Health Minister Ana Ruiz").
TITLES = _words(
    r"""Minister Secretary President Chancellor Mayor Councillor Governor Director Chief
    Spokeswoman Spokesman Spokesperson Senator Commissioner Professor Dr\. Ambassador
    Chair Chairman Chairwoman Premier Prime Minister"""
)


@functools.lru_cache(maxsize=8192)
def fold(value: str) -> str:
    """Case- and diacritics-insensitive form of a name."""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = value.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", value).strip().casefold()


# --- quotes -----------------------------------------------------------------------------


@dataclass
class Quote:
    open: int  # index of the opening mark
    close: int  # index just after the closing mark (or the paragraph end, when unclosed)
    start: int  # content start
    end: int  # content end
    closed: bool = True
    pieces: list[tuple[int, int]] = field(default_factory=list)

    def words(self, text: str) -> int:
        return sum(len(WORD.findall(text[s:e])) for s, e in self.pieces)


def _is_space(ch: str) -> bool:
    return ch.isspace()


_STOPS = {
    closer: re.compile("[\n" + re.escape(closer) + "]") for closer in set(OPEN_CLOSE.values())
}


def find_quotes(text: str) -> list[Quote]:
    """Pair quotation marks. A paragraph that ends inside a quote continues it when the next
    paragraph opens with the same mark; otherwise the quote ends with its paragraph."""
    quotes: list[Quote] = []
    n = len(text)
    i = 0
    # a single mark that found no closer up to a point: later ones before it will not either
    no_closer_until: dict[str, int] = {}
    while i < n:
        ch = text[i]
        opener = _opens(text, i)
        if not opener:
            i += 1
            continue
        closer = OPEN_CLOSE[opener] if ch != "”" else "”"
        single = opener in "‘'‚"
        if single and i < no_closer_until.get(closer, -1):
            i += 1
            continue
        j = i + 1
        pieces = []
        piece_start = j
        found = None
        stops = _STOPS[closer]
        while j < n:
            hit = stops.search(text, j)
            if hit is None:
                j = n
                break
            j = hit.start()
            if single and j - i > 600:
                break
            c = text[j]
            if c == "\n":
                if single:
                    break  # an apostrophe, not a quote
                pieces.append((piece_start, j))
                k = j
                while k < n and text[k].isspace():
                    k += 1
                if k < n and text[k] == ch and k - j < 5:
                    piece_start = k + 1
                    j = k + 1
                    continue
                found = ("unclosed", j)
                break
            if c == closer and _closes(text, j, single):
                found = ("closed", j)
                break
            j += 1
        if found is None and not single and j >= n:
            pieces.append((piece_start, n))
            found = ("unclosed", n)
        if found is None:
            if single:
                no_closer_until[closer] = j
            i += 1
            continue
        how, at = found
        if how == "closed":
            pieces.append((piece_start, at))
            q = Quote(i, at + 1, i + 1, at, True, pieces)
        else:
            q = Quote(i, at, i + 1, at, False, pieces)
        while q.end > q.start and text[q.end - 1].isspace():
            q.end -= 1
        if q.end > q.start:
            quotes.append(q)
        i = q.close
    return quotes


def _opens(text: str, i: int) -> str | None:
    ch = text[i]
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch in "“„«‹":
        return ch if not after.isspace() or ch in "«‹" else None
    if ch == "”":  # a closing mark used to open (Nordic style, or a typo)
        return "“" if (before.isspace() or before in "([—–-") and after.isalnum() else None
    if ch == '"':
        return ch if not after.isspace() and after else None
    if ch in "‘'‚":
        return ch if (before.isspace() or before in '([—–-“"') and after.isalpha() else None
    return None


def _closes(text: str, j: int, single: bool) -> bool:
    if not single:
        return True
    after = text[j + 1] if j + 1 < len(text) else " "
    before = text[j - 1]
    return not after.isalnum() and not before.isspace()


# --- sentences and words -----------------------------------------------------------------


# After a quote ending in "?" or "!": its source and cue, and at most a short object or
# adverb before the sentence ends ("Ana Ruiz, the mayor, asked the crowd."); "Critics said the
# plan was flawed." is a sentence of its own.
SOURCE_THEN_CUE = re.compile(
    r"(?:[A-Z][\w’'.-]*,?\s+)(?:[\w’'.-]+,?\s+){0,5}?(?:also\s+|then\s+)?(?:"
    + "|".join(CUE_VERBS)
    + r")\b(?![’'-])(?!\s+that\b)(?=(?:\s+[\w’'-]+){0,3}\s*[.,;:!?])"
)


def sentences(text: str, quotes: Sequence[Quote]) -> list[tuple[int, int]]:
    """Sentence spans; quote contents are masked so punctuation inside them splits nothing."""
    masked = list(text)
    for q in quotes:
        for k in range(q.start, q.end):
            masked[k] = "x"
        last = text[q.end - 1] if q.end > q.start else ""
        if last in ".?!" and q.closed:
            masked[q.end - 1] = last
    m = "".join(masked)
    spans = []
    start = 0
    for match in re.finditer(r"[.?!…][\"”’»)]*\s+|\n+|[:]\n", m):
        end = match.start() + len(match.group().rstrip())
        if "\n" not in match.group():
            # abbreviations and initials do not end a sentence
            word = re.search(r"([\w.]+)[.]$", m[max(start, match.start() - 24) : match.start() + 1])
            if word and (fold(word.group(1)) in ABBREVIATIONS or len(word.group(1)) == 1):
                continue
            nxt = m[match.end() : match.end() + 1]
            if nxt and not (nxt.isupper() or nxt in "\"“‘'‚«„(-—" or nxt.isdigit()):
                continue
            if (
                match.group()[0] in "?!"
                and re.search(r"[\"”’»]", match.group())
                and SOURCE_THEN_CUE.match(text, match.end())
            ):
                continue  # "“Who pays?” Ana Ruiz asked.": the quote's own sentence goes on
        if end > start:
            spans.append((start, end))
        start = match.end()
    if start < len(text) and text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [
        (s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()
    ]


def tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(start + m.start(), start + m.end(), m.group()) for m in WORD.finditer(text[start:end])]


# --- speakers ---------------------------------------------------------------------------


@dataclass
class Entity:
    name: str
    kind: str
    id: int | None = None
    roles: set[str] = field(default_factory=set)
    last: int = -1  # offset of the last mention


# Introductions of a speaker with a role. Every part starts at a word boundary, so a long
# run of letters costs linear time.
_NAME = (
    r"(\b(?:[A-Z][\w'’-]+|[A-Z]\.)"
    r"(?: (?:de |da |van |von |der |al-|el-)?(?:[A-Z][\w'’-]+|[A-Z]\.)){1,3})"
)
_ROLE = r"(\b(?:[a-z][\w-]+ ){0,3}(?:" + "|".join(sorted(ROLE_NOUNS, key=len, reverse=True)) + r"))"
INTRO_NAME_ROLE = re.compile(rf"{_NAME}, (?:the|a|an|its|their|his|her) {_ROLE}\b(?![’']s\b)")
INTRO_ROLE_NAME = re.compile(rf"(?:\b(?:the|its|their) )?{_ROLE}, {_NAME},")
INTRO_TITLE_NAME = re.compile(rf"\b((?:[A-Z][a-z]+ ){{0,2}}(?:{'|'.join(TITLES)})) {_NAME}")
INTRO_LOWER_ROLE_NAME = re.compile(
    r"\b((?:"
    + "|".join(r for r in sorted(ROLE_NOUNS, key=len, reverse=True) if r.isalpha())
    + rf")) {_NAME}"
)


# A one-word name that is a body: "Northgrid, which …", "Northgrid’s chief executive".
BODY_HINT = re.compile(
    r"\b([A-Z][\w-]+)(?:, which\b|(?:’s|'s) (?:\w+ )?(?:chief executive|executive|board|"
    r"shares?|share price|customers|staff|employees|headquarters|spokes\w+|chairman|"
    r"chairwoman|chief|directors?|profits?|revenue|website))"
)
# Role nouns that stand for whichever body the text last named ("the company said").
GENERIC_BODIES = frozenset(
    _words(
        """company firm group organisation organization agency authority body operator
        supplier business regulator watchdog charity centre center service institute"""
    )
)


UNNAMED_BODY = re.compile(
    r"(?:The|the)\s+((?:[a-z]+\s+){1,3}("
    + "|".join(sorted(GENERIC_BODIES, key=len, reverse=True))
    + r"))\b(?!’s|'s)"
)


class Speakers:
    """The speakers met so far: registry first, then names and roles introduced in the text."""

    def __init__(self, text: str, registry: Sequence[KnownSpeaker]):
        self.text = text
        self.registry = list(registry)
        self.entities: list[Entity] = []
        self.by_name: dict[str, Entity] = {}
        self.introductions = self._introductions()
        self.bodies = {fold(m.group(1)) for m in BODY_HINT.finditer(text)}

    def _introductions(self) -> list[tuple[int, str, str]]:
        """(offset, name, role) for "Health Minister Ana Ruiz" and "Ana Ruiz, the minister"."""
        found = []
        for m in INTRO_NAME_ROLE.finditer(self.text):
            found.append((m.start(1), m.group(1), m.group(2)))
        for m in INTRO_ROLE_NAME.finditer(self.text):
            found.append((m.start(2), m.group(2), m.group(1)))
        for m in INTRO_TITLE_NAME.finditer(self.text):
            found.append((m.start(2), m.group(2), m.group(1).lower()))
        for m in INTRO_LOWER_ROLE_NAME.finditer(self.text):
            found.append((m.start(2), m.group(2), m.group(1)))
        return sorted(found)

    def _registry_match(self, mention: str) -> KnownSpeaker | None:
        key = fold(mention)
        if not key:
            return None
        for s in self.registry:
            if key == fold(s.name) or key in (fold(a) for a in s.aliases if a):
                return s
        for s in self.registry:
            if s.kind == "person":
                names = [s.name, *s.aliases]
                if any(fold(n).split()[-1:] == [key] for n in names if n.strip()):
                    return s
        return None

    def learn(self, upto: int) -> None:
        """Register the role introductions that happen before ``upto``."""
        while self.introductions and self.introductions[0][0] < upto:
            at, name, role = self.introductions.pop(0)
            entity = self.named(name, at)
            entity.roles.add(role.split()[-1].lower())
            entity.roles.add(fold(role))

    def named(self, name: str, at: int, kind: str | None = None) -> Entity:
        name = name.strip(" ,.;:'’")
        key = fold(name)
        if key in self.by_name:
            e = self.by_name[key]
            e.last = max(e.last, at)
            return e
        known = self._registry_match(name)
        if known is not None:
            for e in self.entities:
                if e.id == known.id:
                    self.by_name[key] = e
                    e.last = max(e.last, at)
                    return e
            e = Entity(known.name, known.kind, known.id, last=at)
            self._add(e, key)
            return e
        # a surname (or given name) of someone met earlier
        if " " not in key:
            for e in sorted(self.entities, key=lambda e: -e.last):
                if e.kind == "person" and key in fold(e.name).split():
                    self.by_name[key] = e
                    e.last = max(e.last, at)
                    return e
        if kind is None and key in self.bodies:
            kind = "organisation"
        e = Entity(name, kind or guess_kind(name), None, last=at)
        self._add(e, key)
        return e

    def _add(self, e: Entity, key: str) -> None:
        self.entities.append(e)
        self.by_name[key] = e
        self.by_name.setdefault(fold(e.name), e)

    def resolve(self, mention: str, at: int) -> Entity | None:
        """The speaker a source mention refers to."""
        self.learn(at + len(mention))
        words = mention.strip().split()
        if not words:
            return None
        low = fold(mention)
        if low in PRONOUNS:
            want = PRONOUNS[low]
            if low == "we" or low == "i":
                return self._recent(lambda e: True)
            return self._recent(
                lambda e: (
                    want == "any"
                    or (want == "person" and e.kind == "person")
                    or (want == "org" and e.kind != "person")
                )
            )
        name = extract_name(mention)
        if name:
            kind = None
            if any(w.lower() in ("ministry", "government") for w in mention.split()):
                kind = "government"
            return self.named(name, at, kind)
        demonym = next((DEMONYMS[w.lower()] for w in words if w.lower() in DEMONYMS), None)
        if demonym:
            return self.named(demonym, at, "government")
        # a role: the latest speaker introduced with it, else a new speaker named by the role
        role_words = [re.sub(r"(?:’s|'s)$", "", w.lower().strip(",.;:")) for w in words]
        head = next((w for w in reversed(role_words) if w in ROLE_NOUNS), None)
        if head is None:
            return None
        if head in ("study", "report", "survey", "statement", "communique", "communiqué"):
            return None  # a document is not a speaker; the detector finds its issuer
        role = " ".join(
            w for w in role_words if w not in ("the", "a", "an", "its", "their", "his", "her")
        )
        candidates = [
            e
            for e in self.entities
            if fold(role) in e.roles
            or head in e.roles
            or (e.kind != "person" and head in fold(e.name).split())
        ]
        if not candidates and head in GENERIC_BODIES and role == head:
            # a bare "the company": the body the text last named; "the grid operator" is new
            candidates = [e for e in self.entities if e.kind == "organisation"]
        if candidates:
            e = max(candidates, key=lambda e: e.last)
            e.last = at
            return e
        kind = (
            "government"
            if head in GOVERNMENT_WORDS
            else "organisation"
            if head in ORG_WORDS
            else "person"
        )
        label = role[:1].upper() + role[1:]
        e = self.named(label, at, kind)
        e.roles.add(head)
        return e

    def _recent(self, ok) -> Entity | None:
        fitting = [e for e in self.entities if ok(e) and e.last >= 0]
        return max(fitting, key=lambda e: e.last) if fitting else None

    def touch(self, e: Entity, at: int) -> None:
        e.last = max(e.last, at)


NAME_RE = re.compile(
    r"(?:[A-Z][\w’'.-]+)(?:\s+(?:[A-Z][\w’'.-]+|de|van|von|(?:of|for|of the|and)(?=\s+[A-Z])))*"
)


def extract_name(mention: str) -> str | None:
    """The proper name inside a mention ("Health Minister Ana Ruiz" → "Ana Ruiz")."""
    for org in NAME_RE.finditer(mention):
        raw = re.sub(r"^(?:The|A|An)\s+", "", org.group()).strip()
        head = re.split(r" (?:of|for)\b", raw)[0]
        if raw != head and guess_kind(head) != "person":
            return re.sub(r"(?:’s|'s)$", "", raw)
    toks = re.findall(r"[\w'’.-]+", mention)
    if (
        len(toks) >= 2
        and toks[0][:1].isupper()
        and toks[1].lower() in ROLE_NOUNS
        and toks[1].islower()
    ):
        toks = toks[1:]  # "Shipping companies": a sentence-initial adjective, not a name
    runs, run = [], []
    for t in toks:
        bare = t.rstrip(".") if not re.fullmatch(r"(?:[A-Z]\.)+", t) else t
        if (bare[:1].isupper() or bare in ("de", "van", "von", "da", "der")) and (
            fold(bare) not in STOP_START or run
        ):
            run.append(bare)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    best = None
    for r in runs:
        while r and r[-1] in ("de", "van", "von", "da", "der"):
            r.pop()
        # drop a leading title: "Health Minister Ana Ruiz" → "Ana Ruiz"
        cut = 0
        for k, w in enumerate(r):
            if w.lower() in ROLE_NOUNS or w.lower() in (
                "prime",
                "health",
                "finance",
                "foreign",
                "dr.",
                "dr",
                "mr",
                "mrs",
                "ms",
                "prof",
                "deputy",
                "mr.",
                "mrs.",
                "ms.",
            ):
                cut = k + 1
        if cut and cut < len(r) and not any(w.lower() in ORG_WORDS for w in r):
            r = r[cut:]
        if r and not (
            len(r) == 1 and r[0].lower() in ROLE_NOUNS and r[0].lower() not in ("kremlin",)
        ):
            cand = " ".join(r)
            cand = re.sub(r"[’']s$", "", cand)
            if cand.lower() in DEMONYMS:
                cand = DEMONYMS[cand.lower()]
            elif len(r) == 1 and fold(cand) in STOP_START:
                continue
            return cand
    return best


_FOLDED_COUNTRIES = frozenset(fold(c) for c in COUNTRIES)


def guess_kind(name: str) -> str:
    words = {w.lower().strip(".") for w in name.replace("’s", "").split()}
    if name in COUNTRIES or fold(name) in _FOLDED_COUNTRIES:
        return "government"
    if words & MEDIA_NAMES:
        return "media"
    if words & GOVERNMENT_WORDS or "white" in words and "house" in words:
        return "government"
    if words & ORG_WORDS:
        return "organisation"
    if name.isupper() and len(name) <= 6:
        return "organisation"
    return "person"


# --- occasions --------------------------------------------------------------------------


@dataclass
class Occasion:
    kind: str
    noun: str
    date: datetime.date | None
    date_text: str
    at: int
    speaker: Entity | None = None


def explicit_date(sentence: str) -> tuple[datetime.date | None, str]:
    """An explicit date ("on 16 June 2026", "June 16, 2026"); day and month without a year
    give their text but no date (nothing is resolved relative to today)."""
    for k, rx in enumerate(DATE_RES):
        m = rx.search(sentence)
        if not m:
            continue
        try:
            if k == 0:
                return datetime.date(int(m[3]), MONTHS[m[2].lower()], int(m[1])), m.group()
            if k == 1:
                return datetime.date(int(m[3]), MONTHS[m[1].lower()], int(m[2])), m.group()
            if k == 4:
                return datetime.date(int(m[1]), int(m[2]), int(m[3])), m.group()
            if k == 2 and 1 <= int(m[1]) <= 31:
                return None, m.group()
            if k == 3 and 1 <= int(m[2]) <= 31:
                return None, m.group()
        except ValueError:
            continue
    return None, ""


# Occasion words that are verbs after "to", "will", …
VERB_OCCASIONS = frozenset(
    _words("review report study survey audit forecast debate interview address lecture tweet post")
)
TO_VERB = re.compile(r"\b(?:to|will|would|could|can|must|should|may|might|not)\s+$", re.I)


def occasion_in(text: str, start: int, end: int) -> Occasion | None:
    sentence = text[start:end]
    best = None
    for m in OCCASION_RE.finditer(sentence):
        if m.group(1).lower() in VERB_OCCASIONS and TO_VERB.search(sentence, 0, m.start()):
            continue  # "asked officials to review the contract": a verb, not a review
        for pattern, kind, noun in OCCASIONS:
            if re.fullmatch(pattern, m.group(1), re.I):
                best = (m, kind, noun)
                break
        if best and best[2] not in ("meeting",):
            break
    if not best:
        return None
    m, kind, noun = best
    date, date_text = explicit_date(sentence)
    return Occasion(kind, noun, date, date_text, start + m.start())


# --- check-worthiness -------------------------------------------------------------------

NUMBER_RE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|half|third|quarter|twice|"
    r"double|doubled|tripled|halved|dozen|percent|per cent)\b",
    re.I,
)
COMPARE_RE = re.compile(
    r"\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|faster|slower|cheaper|"
    r"rose|risen|fell|fallen|increased?|decreased?|grew|grown|dropped|declined?|cut|"
    r"than|compared|record|highest|lowest|largest|biggest|smallest|most|least|first|only|"
    r"every|since|worst|best|fastest|slowest|outnumber\w*|exceed\w*|surpass\w*)\b",
    re.I,
)
CAUSAL_RE = re.compile(
    r"\b(?:because|due to|caused?|causes|led to|leads to|resulted in|result of|as a result|"
    r"thanks to|driven by|blamed on|linked to|responsible for|so that|therefore)\b",
    re.I,
)
OPINION_RE = re.compile(
    r"\b(?:I think|I believe|in my view|should|must|ought|perhaps|maybe|might|seems?|"
    r"hope|we need|let us|let's|would be|could be)\b|\?$",
    re.I,
)


def check_worthiness(sentence: str) -> float:
    score = 0.0
    numbers = len(NUMBER_RE.findall(sentence))
    if numbers:
        score += 0.35 + min(numbers, 4) * 0.07
    if re.search(rf"\b{MONTH_RE}\b|\b(?:1[89]|20)\d\d\b", sentence):
        score += 0.15
    if COMPARE_RE.search(sentence):
        score += 0.2
    if CAUSAL_RE.search(sentence):
        score += 0.2
    if OPINION_RE.search(sentence):
        score -= 0.25
    words = len(sentence.split())
    if words < 6:
        score -= 0.3
    return round(max(0.0, min(1.0, score)), 3)


# --- the detector -----------------------------------------------------------------------


@dataclass
class Found:
    kind: str
    start: int
    end: int
    cue: Part | None
    mention: Part | None
    speaker: Entity | None
    occasion: Occasion | None
    confidence: float
    worth: float = 0.0


# Longer "sentences" are lists, tables or text without punctuation: no indirect speech there.
MAX_SENTENCE = 1500

DOCUMENT_RE = re.compile(
    r"\b(?:statement|communiqu[ée]|report|study|survey|review|audit|inquiry|release|"
    r"declaration)\b",
    re.I,
)


def _part(text: str, start: int, end: int) -> Part | None:
    while start < end and text[start] in " ,:;—–-\n":
        start += 1
    while end > start and text[end - 1] in " ,:;—–-\n.":
        end -= 1
    if end <= start:
        return None
    return Part(start, end, text[start:end])


def find_cue(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first reporting cue in text[start:end], with its object for "told reporters" and
    "asked the reporter rhetorically"."""
    for m in CUE_RE.finditer(text, start, end):
        word = m.group().lower()
        s, e = m.start(), m.end()
        # right after a closing mark the cue is inverted ("“…?” asked Ana Ruiz"): no object
        inverted = re.search(r"[”\"’»][\s,—–-]*$", text[max(0, s - 6) : s]) is not None
        if not inverted and word in (
            "told",
            "tells",
            "telling",
            "asked",
            "asks",
            "replied",
            "answered",
        ):
            obj = re.match(
                r"(?: (?:the |a |an )?[\w.'’-]+){1,3}?(?: rhetorically)?"
                r"(?=[,:.;]| that\b| \"| “| when\b| on\b| in\b| during\b| after\b| at\b|$)",
                text[e:end],
            )
            if obj and len(obj.group().split()) <= 4:
                e += len(obj.group())
        if word == "pointed":
            out = re.match(r" out\b", text[e:end])
            if not out:
                continue
            e += len(out.group())
        nxt = re.match(r" (?:rhetorically|bluntly|firmly|flatly|sharply|quietly)\b", text[e:end])
        if nxt:
            e += len(nxt.group())
        return s, e
    return None


def mention_before(text: str, lo: int, cue_start: int) -> Part | None:
    """The source mention just before a cue: the noun phrase ending there ("Ana Ruiz, the
    health minister,", "the spokeswoman", "He")."""
    lo = max(lo, cue_start - 300)
    rel = re.search(r",\s+(?:who|which|whose)\b[^,]*,\s*$", text[lo:cue_start])
    if rel:
        cue_start = lo + rel.start()
    appos = re.search(
        r"((?:[A-Z][\w’'.-]+\s+){0,3}[A-Z][\w’'.-]+),\s+(?:the\s+|a\s+|an\s+)?[a-z][^,]{1,60},\s*$",
        text[lo:cue_start],
    )
    if appos and extract_name(appos.group(1)):
        return _part(text, lo + appos.start(1), cue_start)
    window = text[lo:cue_start]
    # cut at the last quote mark or clause boundary
    cut = max(window.rfind(c) for c in '”"»“„«')
    window_start = lo + cut + 1 if cut >= 0 else lo
    toks = tokens(text, window_start, cue_start)
    # strip auxiliaries and adverbs before the cue ("He also said", "has warned")
    while toks and toks[-1][2].lower() in AUX:
        toks.pop()
    if not toks:
        return None
    end = toks[-1][1]
    # walk back over the noun phrase (with one appositive: "Ruiz, the minister,")
    k = len(toks) - 1
    commas = 0
    while k >= 0:
        w = toks[k][2]
        between = text[toks[k][1] : toks[k + 1][0]] if k + 1 < len(toks) else ""
        if "," in between:
            commas += 1
            if commas > 2:
                k += 1
                break
        if w.lower() in NP_STOP or w.lower() in CUE_VERB_SET or w.lower() in ("that", "who"):
            k += 1
            break
        if re.search(r"[.;:!?()]", between):
            k += 1
            break
        k -= 1
    k = max(k, 0)
    if k >= len(toks):
        return None
    nps = toks[k:]
    # a long run is a clause, not a noun phrase: keep its end
    if len(nps) > 9:
        nps = nps[-6:]
    while nps and nps[0][2].lower() in ("but", "and", "so", "or", "yet", "speaking", "asked"):
        nps = nps[1:]
    if not nps:
        return None
    if len(nps) > 1 and nps[-1][2].lower() in PRONOUNS and "," in text[nps[-2][1] : nps[-1][0]]:
        # "Speaking on Radio Varden, she said": a pronoun after a comma is the subject alone
        return _part(text, nps[-1][0], end)
    return _part(text, nps[0][0], end)


def mention_after(text: str, cue_end: int, hi: int) -> Part | None:
    """The source after an inverted cue ("said Ana Ruiz, the health minister.")."""
    m = re.match(
        r"\s*((?:the |a |an )?[^,.;:!?\"“”«»\n]{1,80})"
        r"(,(?: the| a| an| its)? [^,.;:!?\"“”«»\n]{1,60})?",
        text[cue_end:hi],
    )
    if not m:
        return None
    first = m.group(1)
    cut = re.search(
        r"\b(?:in|on|at|after|before|during|when|while|that|as|who|to|from|with)\b", first
    )
    if cut:
        first = first[: cut.start()]
    if not first.strip():
        return None
    end = cue_end + m.start(1) + len(first.rstrip())
    appos_name = m.group(2) and len((extract_name(m.group(2)) or "").split()) >= 2
    if (
        m.group(2)
        and not cut
        and len(m.group(2).split()) <= 6
        and ((first.strip()[:1].isupper() and extract_name(first)) or appos_name)
    ):
        appos = m.group(2)
        cut2 = re.search(r"\b(?:in|on|at|after|before|during|when|while|that|as|who)\b", appos)
        end = cue_end + m.start(2) + len(appos[: cut2.start()] if cut2 else appos).__int__()
    return _part(text, cue_end + m.start(1), end)


# "she told", "he also said": a pronoun and its cue (what follows is not the pronoun's referent)
PRONOUN_CUE = re.compile(
    r"\b(?:[Hh]e|[Ss]he|[Ii]t|[Tt]hey)\s+(?:\w+ly\s+|also\s+|then\s+)?(?:"
    + "|".join(CUE_VERBS)
    + r")\b"
)


class Detector:
    def __init__(
        self, text: str, speakers: Sequence[KnownSpeaker], statements: Sequence[KnownStatement]
    ):
        self.text = text
        self.known_statements = list(statements)
        self.speakers = Speakers(text, speakers)
        self.quotes = find_quotes(text)
        self.sentences = sentences(text, self.quotes)
        self.last_speaker: Entity | None = None
        self.last_speaker_at = -1
        self.by_speaker_occasion: dict[int, Occasion] = {}
        self.occasions: list[Occasion] = []
        self.topic_speaker: Entity | None = None
        self.topic_at = -1

    def run(self) -> list[Found]:
        out: list[Found] = []
        qi = 0
        quotes = self.quotes
        for s, e in self.sentences:
            inside = []
            while qi < len(quotes) and quotes[qi].open < e:
                if quotes[qi].open >= s:
                    inside.append(quotes[qi])
                    # a quote over paragraphs can end after the sentence
                qi += 1
            self.speakers.learn(s)
            occ = occasion_in(self.text, s, e)
            if occ:
                self.occasions.append(occ)
            # names after "she told" are who she spoke to: met only once her words are read
            cut = PRONOUN_CUE.search(self.text, s, e)
            cut = cut.end() if cut else e
            self._touch_names(s, cut)
            found = self.sentence(s, e, inside, occ)
            if cut < e:
                self._touch_names(cut, e, bodies=False)
            out.extend(found)
            if not found or found[0].kind == "author_claim":
                self._topic(s, e, occ)
        return out

    def _touch_names(self, s: int, e: int, *, bodies: bool = True) -> None:
        """Speakers named in a sentence become the latest met (for "he said" next); names of
        bodies ("the Bank of Ravenna") are remembered so "the bank" finds them later."""
        body = UNNAMED_BODY.match(self.text, s, e) if bodies else None
        if body and fold(body.group(1)) not in self.speakers.by_name:
            # "The environment agency rejected …": a body with no proper name, met here
            label = body.group(1)[:1].upper() + body.group(1)[1:]
            self.speakers.named(label, s, "organisation").roles.add(body.group(2))
        for m in NAME_RE.finditer(self.text, s, e):
            raw = re.sub(r"^(?:The|A|An)\s+", "", m.group()).strip()
            raw = re.sub(r"(?:’s|'s)$", "", raw)
            if guess_kind(raw) in ("organisation", "government") and len(raw.split()) > 1:
                if fold(raw) not in self.speakers.by_name:
                    self.speakers.named(raw, m.start())
                continue
            name = extract_name(m.group())
            if not name:
                continue
            key = fold(name)
            ent = self.speakers.by_name.get(key)
            if ent is None and " " not in key:
                ent = next(
                    (
                        x
                        for x in self.speakers.entities
                        if x.kind == "person" and key in fold(x.name).split()
                    ),
                    None,
                )
            if ent is not None:
                ent.last = max(ent.last, m.start())
            elif (
                1 < len(name.split()) <= 3
                and guess_kind(name) == "person"
                and not any(w.lower() in DEMONYMS or w.lower() in ROLE_NOUNS for w in name.split())
                and not re.search(
                    r"\b(?:of|group|company|firm|party|union|charity|campaign)\s+"
                    r"(?:the\s+)?(?:[a-z]+\s+){0,3}$",
                    self.text[max(0, m.start() - 40) : m.start()],
                )
                and re.match(
                    r"\s*(?:,|(?:\w+ed|\w+s|was|is|has|had|told|said)\b)",
                    self.text[m.end() : m.end() + 20],
                )
            ):
                self.speakers.named(name, m.start(), "person")

    def _topic(self, s: int, e: int, occ: Occasion | None) -> None:
        """A sentence that names an occasion and its owner ("The Kremlin's statement lists…")
        makes that owner the speaker of uncued quotes that follow."""
        if not occ:
            return
        head = self.text[max(s, occ.at - 60) : occ.at]
        for nm in NAME_RE.finditer(self.text, s, e):
            name = extract_name(nm.group())
            if (
                name
                and fold(name) in self.speakers.by_name
                and self.speakers.by_name[fold(name)].kind == "person"
            ):
                ent = self.speakers.by_name[fold(name)]
                occ.speaker = ent
                self.topic_speaker, self.topic_at = ent, s
                self.by_speaker_occasion[id(ent)] = occ
                return
        m = re.search(r"((?:the )?[\w.’'\- ]{1,40}?)(?:’s|'s)?\s*$", head, re.I)
        if not m:
            return
        owner = m.group(1).strip()
        words = owner.split()
        if not words:
            return
        ent = None
        name = extract_name(owner)
        if name and fold(name) not in STOP_START:
            ent = self.speakers.named(name, s)
        else:
            demonym = next((DEMONYMS[w.lower()] for w in words if w.lower() in DEMONYMS), None)
            if demonym:
                ent = self.speakers.named(demonym, s, "government")
        if ent is None:
            ent = self._subject(s, occ.at)[1]
        if ent:
            occ.speaker = ent
            self.topic_speaker, self.topic_at = ent, s
            self.by_speaker_occasion[id(ent)] = occ

    def sentence(self, s: int, e: int, quotes: list[Quote], occ: Occasion | None) -> list[Found]:
        text = self.text
        if not quotes:
            return self.unquoted(s, e, occ)
        # cue search area: the sentence outside the quotes (the middle of a split quote too)
        outside = []
        pos = s
        for q in quotes:
            if q.open > pos:
                outside.append((pos, q.open))
            pos = max(pos, q.close)
        if pos < e:
            outside.append((pos, e))
        quotes = self.merge_split(quotes)
        results = []
        cue = None
        for a, b in outside:
            c = find_cue(text, a, b)
            if c:
                cue = c
                break
        label_cue = None
        for a, b in outside:
            m = LABEL_RE.search(text, a, b)
            if (
                m
                and (cue is None or m.start() < cue[0])
                and m.start() < quotes[0].open
                and not re.search(
                    r"\b(?:is|are|was|were|be|been|being|group|report|plan|film|book)\s+$",
                    text[a : m.start()],
                )
            ):
                label_cue = (m.start(), m.end())
                break
        if label_cue is not None:
            cue = None
        for q in quotes:
            if self.is_negative(q, s, e, cue or label_cue):
                continue
            results.append(q)
        if not results:
            return self.unquoted(s, e, occ) if cue else []
        cue = cue or label_cue
        mention, speaker = self.source(s, e, cue, quotes)
        kind, span = self.kind(s, e, results, cue)
        conf = 0.9 if cue and speaker else 0.7 if cue else 0.5
        if speaker is None and cue is None:
            speaker, mention = self.context_speaker(s)
            conf = 0.55 if speaker else 0.35
            if speaker is None and results[0].words(text) < 6:
                return []
        if kind == "mixed_quote":
            conf -= 0.1
        if not results[0].closed and not results[-1].closed:
            conf -= 0.1
        if speaker is not None:
            self.last_speaker, self.last_speaker_at = speaker, s
            self.speakers.touch(speaker, s)
        occasion = occ or self.speaker_occasion(speaker, s)
        if occ and speaker is not None:
            occ.speaker = occ.speaker or speaker
            self.by_speaker_occasion[id(speaker)] = occ
        cue_part = _part(text, *cue) if cue else None
        conf = round(max(conf, 0.05), 2)
        if kind == "mixed_quote" and cue and cue[1] <= results[0].open:
            # "He claimed that X, and argued that “Y”": an indirect quote, then a mixed one
            seconds = list(
                re.finditer(
                    r",?\s+and\s+(" + "|".join(CUE_VERBS) + r")\s+(?:that\s+)?",
                    text[span[0] : results[0].open],
                )
            )
            second = seconds[-1] if seconds else None
            if second and second.start() > 15:
                cue2 = (span[0] + second.start(1), span[0] + second.end(1))
                return [
                    Found(
                        "indirect_quote",
                        span[0],
                        span[0] + second.start(),
                        cue_part,
                        mention,
                        speaker,
                        occasion,
                        conf,
                    ),
                    Found(
                        kind,
                        span[0] + second.end(),
                        span[1],
                        _part(text, *cue2),
                        mention,
                        speaker,
                        occasion,
                        conf,
                    ),
                ]
        return [Found(kind, span[0], span[1], cue_part, mention, speaker, occasion, conf)]

    def merge_split(self, quotes: list[Quote]) -> list[Quote]:
        """``"A," she said, "b."`` is one quote with its cue in the middle."""
        merged = [quotes[0]]
        for q in quotes[1:]:
            prev = merged[-1]
            gap = self.text[prev.close : q.open]
            ends_open = (
                self.text[prev.start : prev.end].rstrip()[-1:] in (",", "—", "–", "…")
                or (self.text[prev.close - 2 : prev.close - 1] == ",")
                or gap.strip().startswith(",")
            )
            if (
                ends_open
                and len(gap.split()) <= 8
                and CUE_RE.search(gap)
                and gap.rstrip().endswith((",", ":", "—"))
            ):
                merged[-1] = Quote(
                    prev.open,
                    q.close,
                    prev.start,
                    q.end,
                    q.closed,
                    prev.pieces + [(prev.close, q.open)] + q.pieces,
                )
            else:
                merged.append(q)
        return merged

    def is_negative(self, q: Quote, s: int, e: int, cue) -> bool:
        """Quoted words nobody said: scare quotes, titles, nicknames."""
        text = self.text
        content = text[q.start : q.end]
        words = content.split()
        before = text[max(s, q.open - 50) : q.open]
        if NICKNAME_TRIGGERS.search(before):
            return True
        capital = [w for w in words if w[:1].isupper()]
        title_case = len(words) >= 1 and len(capital) >= max(1, (len(words) * 2 + 2) // 3)
        if (
            TITLE_TRIGGERS.search(before)
            and (title_case or len(words) <= 6)
            and not (
                cue
                and re.search(r"\b(?:called|calls|calling)\W*$", before)
                and not title_case
                and re.search(r"\b(?:he|she|they|it|[A-Z]\w+)\s+(?:called|calls)", before)
            )
        ):
            return True
        label = cue is not None and LABEL_RE.fullmatch(text[cue[0] : cue[1]]) is not None
        if (
            title_case
            and len(words) <= 6
            and not content.rstrip().endswith((".", "!", "?", ","))
            and (cue is None or len(words) <= 4 or label)
        ):
            # a short Title Case phrase is a name or a title, unless it ends a sentence
            return True
        if len(words) <= 3 and cue is None:
            return True
        if (
            len(words) <= 4
            and re.search(
                r"\b(?:the|a|an|this|that|its|their|his|her|our|what|of|about)\s+$", before
            )
            and not LABEL_RE.search(before[-30:])
        ):
            return True
        if len(words) <= 2 and cue is not None:
            # one or two words with a cue count when the cue is close and the words are an epithet
            near = text[max(s, q.open - 60) : q.open]
            if not (
                LABEL_RE.search(near)
                or CUE_RE.search(near)
                or CUE_RE.search(text[q.close : q.close + 40])
            ):
                return True
        return False

    def source(self, s: int, e: int, cue, quotes: list[Quote]):
        if cue is None:
            return None, None
        text = self.text
        cs, ce = cue
        cue_word = text[cs:ce].lower()
        if cue_word.startswith(("according to", "in the words of")):
            m = mention_after(text, ce, e)
            return self._speaker(m)
        # the subject before the cue, unless a quote sits right before it and a name follows
        lo = s
        for q in quotes:
            if q.close <= cs:
                lo = max(lo, q.close)
        before = mention_before(text, lo, cs)
        after_text = text[ce:e]
        if before is None or re.fullmatch(r"[\s,]*", text[lo:cs]):
            m = mention_after(text, ce, next((q.open for q in quotes if q.open >= ce), e))
            if m:
                return self._speaker(m)
        if cue_word.split()[0].endswith("ing"):
            got = self._subject(s, cs)
            if got[1] is not None:
                return got
        if before is not None:
            got = self._speaker(before)
            if got[1] is not None or fold(before.text) in PRONOUNS:
                return got
        if after_text:
            m = mention_after(text, ce, e)
            if m:
                got = self._speaker(m)
                if got[1] is not None:
                    return got
        return self._subject(s, cs)

    def _subject(self, s: int, cs: int):
        """The sentence subject (for "…, stating that …"): a name followed by its verb, else
        the noun phrase the sentence opens with."""
        for m in NAME_RE.finditer(self.text, max(s, cs - 300), cs):
            nxt = re.match(
                r"(?:’s|'s)?\s+(?:also\s+|has\s+|had\s+)?([a-z]+)", self.text[m.end() : cs]
            )
            if (
                nxt
                and nxt.group(1) not in NP_STOP
                and nxt.group(1) not in ("of", "for", "to", "with", "and", "or", "by", "from")
            ):
                name = extract_name(m.group())
                if name:
                    return self._speaker(_part(self.text, m.start(), m.end()))
        toks = tokens(self.text, s, min(cs, s + 300))
        take = []
        for t in toks:
            w = t[2]
            if (
                w.lower() in ("the", "a", "an", "its")
                or w[:1].isupper()
                or w.lower() in ROLE_NOUNS
                or w.endswith(("’s", "'s"))
            ):
                take.append(t)
            else:
                break
        if not take:
            return None, None
        end = take[-1][1]
        issuer = re.match(
            r"\s+(?:by|of|from)\s+(?:the\s+)?(?:[A-Z][\w’'-]+\s*)+", self.text[end:cs]
        )
        if issuer:  # "A study by the Varno Climate Institute"
            end += len(issuer.group().rstrip())
        part = _part(self.text, take[0][0], end)
        return self._speaker(part)

    def _speaker(self, part: Part | None):
        if part is None:
            return None, None
        if "," in part.text:
            # "Ana Ruiz, the health minister" / "In its statement, the ministry": the chunk
            # with the fullest name, else the last chunk
            chunks, at = [], part.start
            for piece in part.text.split(","):
                chunks.append(_part(self.text, at, at + len(piece)))
                at += len(piece) + 1
            chunks = [c for c in chunks if c is not None]
            named = [
                (len((extract_name(c.text) or "").split()), -k, c) for k, c in enumerate(chunks)
            ]
            best = max(named, key=lambda t: (t[0], t[1]))
            part = best[2] if best[0] >= 2 else chunks[-1] if chunks else part
        doc = DOCUMENT_RE.search(part.text)
        if (
            doc
            and not extract_name(part.text[: doc.start()])
            and not any(w.lower() in DEMONYMS for w in part.text[: doc.start()].split())
        ):
            # "the statement", "the report": whoever issued the occasion last named so
            by = re.match(r"\s+(?:by|of|from)\s+(.+)", part.text[doc.end() :])
            if by and extract_name(by.group(1)):
                return part, self.speakers.resolve(extract_name(by.group(1)), part.start)
            noun = doc.group().lower().replace("communique", "communiqué")
            for occ in reversed(self.occasions):
                if occ.speaker is not None and (occ.noun == noun or noun in occ.noun):
                    return part, occ.speaker
            label = part.text.strip()
            label = re.sub(r"^(?:the|a|an|its|their)\s+", "", label, flags=re.I)
            ent = self.speakers.named(label[:1].upper() + label[1:], part.start, "organisation")
            return part, ent
        ent = self.speakers.resolve(part.text, part.start)
        if ent is None:
            return part, None
        return part, ent

    def context_speaker(self, s: int):
        """Uncued quotes continue the latest speaker of the same or previous paragraph, or
        the owner of the occasion the text just introduced."""
        para_start = self.text.rfind("\n\n", 0, s)
        prev_para = self.text.rfind("\n\n", 0, max(para_start, 0))
        limit = prev_para if prev_para >= 0 else 0
        if para_start < 0:
            limit = 0
        best = None
        if self.last_speaker is not None and self.last_speaker_at >= limit:
            best = (self.last_speaker_at, self.last_speaker)
        if (
            self.topic_speaker is not None
            and self.topic_at >= limit - 800
            and (best is None or self.topic_at > best[0])
        ):
            best = (self.topic_at, self.topic_speaker)
        return (best[1], None) if best else (None, None)

    def speaker_occasion(self, speaker: Entity | None, s: int) -> Occasion | None:
        if speaker is None:
            return None
        return self.by_speaker_occasion.get(id(speaker))

    def kind(self, s: int, e: int, quotes: list[Quote], cue) -> tuple[str, tuple[int, int]]:
        """Direct when the quote stands alone beside its cue and source; mixed when the
        quoted words sit inside the writer's paraphrase."""
        text = self.text
        first, last = quotes[0], quotes[-1]
        span = (first.start, last.end)
        content = text[first.start : first.end].lstrip()
        before = text[s : first.open]
        after = text[last.close : e]
        lead = before
        if cue and cue[1] <= first.open:
            lead = text[cue[1] : first.open]
        lead_words = [w for w in re.findall(r"[\w’']+", lead) if w.lower() not in ("that", "and")]
        starts_sentence = content[:1].isupper() or content[:1].isdigit() or content[:1] in "…."
        colon = lead.rstrip().endswith((":", ",")) or not lead.strip()
        if (
            len(quotes) == 1
            and starts_sentence
            and (colon or not lead_words)
            and not re.search(r"\bthat\s*$", lead)
        ):
            tail_words = re.findall(r"[\w’']+", after)
            if cue is None or len(tail_words) <= 14 or cue[0] >= last.close:
                return "direct_quote", span
        if (
            len(quotes) == 1
            and starts_sentence
            and cue
            and cue[0] < first.open
            and re.search(r"[:,]\s*$", before)
        ):
            return "direct_quote", span
        # mixed: the reported clause, from after the cue (and "that") to the sentence end
        if cue and cue[1] <= first.open:
            a = cue[1]
            # "said in a statement on Friday that …": the occasion is not the clause
            m = PHRASES_THEN_THAT.match(text, a, first.open)
            if not (m and _only_phrases(m.group("phrases"))):
                m = LEAD_THAT.match(text, a, first.open)
            a = m.end() if m else a
            a = min(a, first.open)
            b = e
            while b > a and text[b - 1] in ".!? \n":
                b -= 1
            # stop before a trailing ", she said"-like clause
            return "mixed_quote", (a, max(b, last.end))
        if cue and cue[0] >= last.close:
            a = s
            b = cue[0]
            ref = re.search(r",?\s*(?:[\w.’'-]+\s+){0,6}$", text[last.close : cue[0]])
            if ref:
                b = last.close + ref.start()
            b = max(b, last.end)
            return "mixed_quote", (a, b)
        a, b = s, e
        while b > a and text[b - 1] in ".!? \n":
            b -= 1
        return "mixed_quote", (min(a, first.start), max(b, last.end))

    def unquoted(self, s: int, e: int, occ: Occasion | None) -> list[Found]:
        """Indirect speech ("X said that …", "according to X, …", "…, the bank said.") or an
        author claim."""
        text = self.text
        if e - s > MAX_SENTENCE:
            return []
        sent = text[s:e]
        if "\n" in sent.strip() or len(sent.split()) < 4:
            return []
        # "…, the ministry said." / "…, said the ministry."
        tail = re.search(
            r",\s+((?:(?:the|a|an|its|his|her|their)\s+)?[\w.’'\- ]{1,60}?)\s+("
            + "|".join(CUE_VERBS)
            + r")(\s+(?:on|in|at|during|after|to)\b[^.]*)?[.!]?\s*$",
            sent,
        )
        tail2 = re.search(
            r",\s+(said|says|added|told)\s+([^,.]{2,60})(,[^.]{2,60})?[.!]?\s*$", sent
        )
        candidates = []
        if (
            tail
            and len(sent[: tail.start()].split()) >= 4
            and tail.group(1).split()[0].lower() not in ("and", "but", "which", "who", "as")
        ):
            cue = (s + tail.start(2), s + tail.end(2))
            mention = _part(text, s + tail.start(1), s + tail.end(1))
            candidates.append((cue, mention, (s, s + tail.start()), 0.6))
        if (
            tail2
            and len(sent[: tail2.start()].split()) >= 4
            and len(tail2.group(2).split()) <= 6
            and (
                tail2.group(2).strip()[:1].isupper()
                or tail2.group(2).split()[-1].lower() in ROLE_NOUNS
            )
        ):
            cue = (s + tail2.start(1), s + tail2.end(1))
            mention = mention_after(text, cue[1], e)
            candidates.append((cue, mention, (s, s + tail2.start()), 0.6))
        # "X, he said, Y": the cue in the middle
        middle = re.search(
            r",\s+((?:he|she|they|it|[A-Z][\w’'-]+)\s+(?:said|says|added|argued|warned|insisted))\s*,\s*",
            sent,
        )
        if middle and len(sent[: middle.start()].split()) >= 4:
            cue = (s + middle.start(1) + len(middle.group(1).split()[0]) + 1, s + middle.end(1))
            mention = _part(text, s + middle.start(1), cue[0] - 1)
            candidates.append((cue, mention, (s, s + middle.start()), 0.5))
        acc = re.search(r"\b[Aa]ccording to\b", sent)
        if acc:
            cue = (s + acc.start(), s + acc.end())
            m = mention_after(text, cue[1], e)
            if acc.start() < 3:
                comma = sent.find(",", acc.end())
                span = (s + comma + 1, e) if comma > 0 else None
            else:
                span = (s, s + acc.start())
            if m and span:
                candidates.append((cue, m, span, 0.6))
        c = self._indirect_cue(s, e)
        if c:
            candidates.append(c)
        for cue, mention, span, conf in candidates:
            a, b = span
            while a < b and text[a] in " ,:;—\n":
                a += 1
            while b > a and text[b - 1] in " ,.:;!?—\n":
                b -= 1
            if b - a > 10 and mention is not None:
                part, speaker = self._speaker(mention)
                if speaker is not None:
                    self.last_speaker, self.last_speaker_at = speaker, s
                    occasion = occ or self.speaker_occasion(speaker, s)
                    if occ:
                        occ.speaker = occ.speaker or speaker
                        self.by_speaker_occasion[id(speaker)] = occ
                    return [
                        Found(
                            "indirect_quote", a, b, _part(text, *cue), part, speaker, occasion, conf
                        )
                    ]
        # the author's own claim
        if re.search(r"\b(?:said|says|told|according to|speaking|asked)\b", sent):
            return []
        worth = check_worthiness(sent)
        if worth >= 0.4 and sent.rstrip()[-1:] in ".!":
            b = e
            while b > s and text[b - 1] in " .!\n":
                b -= 1
            return [
                Found(
                    "author_claim", s, b, None, None, None, None, round(0.3 + 0.5 * worth, 2), worth
                )
            ]
        return []

    def _indirect_cue(self, s: int, e: int):
        """ "SOURCE CUE (that) CLAUSE": a reporting verb with a subject before it and a
        clause after it."""
        text = self.text
        for m in CUE_RE.finditer(text, s, e):
            word = m.group().lower()
            if word in ("according to", "in the words of", "quoted as saying"):
                continue
            if word.endswith("ing") and word not in ("saying",):
                continue
            cue = find_cue(text, m.start(), e)
            if cue is None or cue[0] != m.start():
                continue
            rest = text[cue[1] : e]
            # "said in a press release on June 16, 2026, that …": the phrases between the cue
            # and "that" (occasion, date, place) are not what was said
            that = PHRASES_THEN_THAT.match(rest)
            if that and not _only_phrases(that.group("phrases")):
                that = None  # "said on Monday the plan that failed …": "that" is not the cue's
            that = that or DAY_OR_OCCASION.match(rest)
            has_that = bool(that and that.group("that") == "that")
            clause_start = cue[1] + (that.end() if that else 0)
            clause = text[clause_start:e]
            if len(clause.split()) < (3 if has_that else 4):  # "said that prices fell"
                continue
            if not has_that:
                if word in WEAK_CUES or word in ("asked", "asks", "promised", "urged", "urges"):
                    continue
                # "said the plan would fail": a subject and a finite verb must follow
                if not re.match(
                    r"\s*(?:the|a|an|it|this|that|there|he|she|they|we|[A-Z]\w+|its|his|her|their|\w+s|\d[\d,.]*"
                    r"|none|nobody|nothing|no|all|most|some|many|few|every|each|both)\b",
                    clause,
                ) and not (
                    word in ("said", "says", "told")
                    and len(clause.split()) >= 6
                    and re.match(r"\s*[a-z]", clause)
                    and re.search(
                        r"\b(?:is|are|was|were|had|has|have|will|would|could|can|should)\b", clause
                    )
                ):
                    continue
            before = mention_before(text, s, m.start())
            if before is None and re.fullmatch(
                r"[\s,]*", text[s : m.start()].rsplit("”", 1)[-1].rsplit('"', 1)[-1]
            ):
                # "The audit, titled “…”, found that": the subject the sentence opens with
                before = self._subject(s, m.start())[0]
            if before is None:
                continue
            if before.text.split()[0].lower() in ("to", "of", "for", "with", "what", "who"):
                continue
            conf = 0.65 if has_that else 0.5
            return ((cue[0], cue[1]), before, (clause_start, e), conf)
        return None


PREPOSITIONS = frozenset(
    _words("on in at during after before to with from via over by for of outside inside")
)
PHRASES_THEN_THAT = re.compile(
    r"\s*(?:,\s*)?(?P<phrases>(?:on|in|at|during|after|before|to|with|from|via|over)\s"
    r"[^.;:!?“”\"«»\n]{1,80}?,?\s+)?(?P<that>that)\b\s*"
)

# With no "that": "said on Monday …", "said in a statement …" (up to the occasion's word).
DAY_OR_OCCASION = re.compile(
    r"\s*(?:,\s*)?(?:on \w+ |(?:in|at) (?:a|an|the) (?:[\w-]+ ){0,3}?(?:"
    + "|".join(p for p, _, _ in OCCASIONS)
    + r") )?(?P<that>,)?\s*",
    re.I,
)

LEAD_THAT = re.compile(r"[\s,:]*(?:that\s+)?")


def _only_phrases(phrases: str | None) -> bool:
    """Whether the words between a cue and its "that" are prepositional phrases only ("in a
    joint statement with the government on 16 June"): each article follows a preposition."""
    words = (phrases or "").lower().replace(",", " ").split()
    return all(
        w not in ("the", "a", "an") or (i and words[i - 1] in PREPOSITIONS)
        for i, w in enumerate(words)
    )


def statement_for(
    occ: Occasion | None,
    speaker: Entity | None,
    known: Sequence[KnownStatement],
) -> StatementGuess | None:
    if speaker is None and occ is None:
        return None
    name = speaker.name if speaker else "Unknown"
    if occ is None:
        kind, noun, date, date_text = "other", "remarks", None, ""
    else:
        kind, noun, date, date_text = occ.kind, occ.noun, occ.date, occ.date_text
    title = f"{name}, {noun}" + (f" ({date_text})" if date_text else "")
    group = f"{fold(name)}|{noun}|{date or date_text.lower()}"
    if speaker is not None and speaker.id is not None:
        words = {w for w in re.findall(r"\w+", fold(noun)) if len(w) > 2}
        best, best_score = None, 0.0
        for st in known:
            if st.speaker_id != speaker.id:
                continue
            score = 0.0
            t_words = set(re.findall(r"\w+", fold(st.title)))
            if words & t_words:
                score += 1
            if st.kind == kind:
                score += 0.5
            if date and st.date == date:
                score += 1
            elif date and st.date and st.date != date:
                score -= 2
            if score > best_score:
                best, best_score = st, score
        if best is not None and best_score >= 1:
            return StatementGuess(best.id, best.title, best.kind, best.date, f"statement:{best.id}")
    return StatementGuess(None, title, kind, date, group)


def detect(
    text: str,
    *,
    speakers: Sequence[KnownSpeaker] = (),
    statements: Sequence[KnownStatement] = (),
) -> list[Proposal]:
    det = Detector(text, speakers, statements)
    found = det.run()
    proposals = []
    seen = set()
    for f in found:
        if f.end <= f.start or (f.start, f.end) in seen:
            continue
        seen.add((f.start, f.end))
        speaker = (
            SpeakerGuess(f.speaker.id, f.speaker.name, f.speaker.kind)
            if f.speaker is not None
            else None
        )
        statement = (
            statement_for(f.occasion, f.speaker, statements) if f.kind != "author_claim" else None
        )
        proposals.append(
            Proposal(
                kind=f.kind,
                start=f.start,
                end=f.end,
                quote=text[f.start : f.end],
                cue=f.cue,
                source_mention=f.mention,
                speaker=speaker,
                statement=statement,
                confidence=f.confidence,
                check_worthiness=f.worth
                if f.kind == "author_claim"
                else round(min(1.0, check_worthiness(text[f.start : f.end]) + 0.1), 3),
            )
        )
    proposals.sort(key=lambda p: (p.start, p.end))
    return proposals
