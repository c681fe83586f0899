"""The domain's words, once: group-kind roles, French labels of the records' English tokens
(the proposal statuses in one table, with their plurals), French plurals, day counts, dates,
numbers and their rounding, the one folding of letters (ids, alphabetical
order, typed words), and the rules of French typography (render/typography.py applies them to
every md, html and pdf gasp writes). Words only: no queries over the records (what a meeting
is about is `facts.meeting_themes`).

French puts 0 and 1 in the singular (« 0 jour », « 1 jour », « 2 jours »). A day
count in a sentence is a whole number of days (a median of 326,5 days reads
« 327 jours »). Words typed on the command line are compared without case,
accents or the kind of apostrophe, so that « etude », « Étude » and
« mise à l’étude » all mean the status shown as « mise à l'étude ».
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "DECIDING_KINDS",
    "FREQUENCIES",
    "GROUP_KINDS",
    "KIND_ORDER",
    "MEETING_STATUSES",
    "MONTHS_FR",
    "OPEN_FORMAT_KINDS",
    "PERSON_KINDS",
    "PROPOSAL_STATUSES",
    "PROPOSAL_STATUS_WORDS",
    "WEEKDAYS_FR",
    "StatusWords",
    "capitalised",
    "day_month",
    "days",
    "decides",
    "euros",
    "fold",
    "french_number",
    "french_time",
    "has_open_format",
    "long_date",
    "plain",
    "plural",
    "round_days",
    "round_half_up",
    "since",
    "slugify",
    "sort_key",
    "status_word",
    "typography",
    "weekday_date",
    "words_match",
]


# --- group kinds: who raises, who decides ---------------------------------------------------

# The order of the method: agents and usagers raise, référents and intergroupes decide.
KIND_ORDER = ("agents", "usagers", "referents", "intergroupes")
# Meetings of these kinds take decisions and get a dossier of what awaits one.
DECIDING_KINDS = frozenset({"referents", "intergroupes"})
# Meetings of these kinds have a tour de table and a chosen subject (the open format).
OPEN_FORMAT_KINDS = frozenset({"agents", "usagers"})


def decides(group_kind: str) -> bool:
    """Whether a group of this kind decides on proposals (référents, intergroupes)."""
    return group_kind in DECIDING_KINDS


def has_open_format(group_kind: str) -> bool:
    """Whether a group of this kind holds a tour de table and chooses a subject (agents, usagers)."""
    return group_kind in OPEN_FORMAT_KINDS


# --- French labels of the records' tokens, and French dates ---------------------------------

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

GROUP_KINDS = {
    "agents": "agents",
    "usagers": "usagers",
    "referents": "référents",
    "intergroupes": "intergroupes",
}

FREQUENCIES = {
    "monthly": "mensuelle",
    "quarterly": "trimestrielle",
    "semiannual": "semestrielle",
    "annual": "annuelle",
}

MEETING_STATUSES = {"planned": "prévue", "held": "tenue", "cancelled": "annulée"}


# Every status a proposal can have (its events, decisions and milestones), in the one set
# of words every document uses: the adjective agreeing with « une proposition », its plural,
# and the noun phrase of the event (« un ajournement »). Headings capitalise these.
@dataclass(frozen=True)
class StatusWords:
    one: str  # « ajournée » : une proposition ajournée
    several: str  # « ajournées »
    noun: str  # « ajournement » : what happened to it


PROPOSAL_STATUS_WORDS = {
    "raised": StatusWords("soulevée", "soulevées", "proposition"),
    "discussed": StatusWords("discutée", "discutées", "discussion"),
    "withdrawn": StatusWords("retirée", "retirées", "retrait"),
    "validated": StatusWords("validée", "validées", "validation"),
    "rejected": StatusWords("refusée", "refusées", "refus"),
    "deferred": StatusWords("ajournée", "ajournées", "ajournement"),
    "study": StatusWords("mise à l’étude", "mises à l’étude", "mise à l’étude"),
    "in-progress": StatusWords("en cours", "en cours", "mise en œuvre"),
    "done": StatusWords("réalisée", "réalisées", "réalisation"),
    "abandoned": StatusWords("abandonnée", "abandonnées", "abandon"),
}
PROPOSAL_STATUSES = {status: words.one for status, words in PROPOSAL_STATUS_WORDS.items()}


def status_word(status: str, count: int = 1) -> str:
    """« ajournée », or « ajournées » for 2 and more (French puts 0 and 1 in the singular)."""
    words = PROPOSAL_STATUS_WORDS[status]
    return words.one if abs(count) < 2 else words.several


def capitalised(text: str) -> str:
    """« Mise à l’étude » from « mise à l’étude »: the first letter only."""
    return text[:1].upper() + text[1:]


PERSON_KINDS = {
    "agent": "agent",
    "resident": "habitant",
    "head": "responsable de service",
    "elected": "élu",
    "facilitator": "animateur",
}


def long_date(day: datetime.date) -> str:
    """« 12 septembre 2000 », « 1er mars 2001 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]} {day.year}"


def day_month(day: datetime.date) -> str:
    """« 12 janvier », « 1er mars »."""
    return long_date(day).rsplit(" ", 1)[0]


def weekday_date(day: datetime.date) -> str:
    """« mardi 12 septembre 2000 »."""
    return f"{WEEKDAYS_FR[day.weekday()]} {long_date(day)}"


def french_time(time: str) -> str:
    """« 14 h », « 9 h 30 »."""
    hour, minute = time.split(":")
    return f"{int(hour)} h" + (f" {minute}" if minute != "00" else "")


def thousands(count: int) -> str:
    """« 17 825 »: digits in groups of three, apart by a narrow no-break space (French usage)."""
    return f"{count:,}".replace(",", "\u202f")


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """« 0 jour », « 1 jour », « 2 jours »; `plural` for irregular words (« 2 travaux »)."""
    word = singular if abs(count) < 2 else (plural if plural is not None else _regular_plural(singular))
    return f"{count} {word}"


def _regular_plural(singular: str) -> str:
    """Each word of a noun phrase takes its plural: « action ouverte » → « actions ouvertes »."""
    return " ".join(_plural_word(word) for word in singular.split(" "))


_INVARIABLE_WORDS = frozenset({"ou", "et", "de", "du", "des", "en", "à", "au", "aux", "la", "le", "les", "d’", "par"})


def _plural_word(word: str) -> str:
    if word in _INVARIABLE_WORDS or word.endswith(("s", "x", "z")):
        return word
    if word.endswith(("au", "eu")):
        return word + "x"
    if word.endswith("al"):
        return word[:-2] + "aux"
    return word + "s"


def round_days(value: float) -> int:
    """A number of days to the nearest whole day, halves up (326,5 → 327)."""
    return math.floor(value + 0.5)


def round_half_up(value: float, digits: int = 1) -> float:
    """Rounded as a French reader rounds, halves up: 14,25 → 14,3 (`round` gives 14,2, halves to even).

    The decimal digits are the ones written (`repr`), not the binary value's."""
    step = decimal.Decimal(1).scaleb(-digits)
    return float(decimal.Decimal(repr(value)).quantize(step, rounding=decimal.ROUND_HALF_UP))


def days(count: float) -> str:
    """« 1 jour », « 327 jours »."""
    return plural(round_days(count), "jour")


def since(day: datetime.date, today: datetime.date) -> str:
    """« depuis le 3 mai 2001 (290 jours) »."""
    return f"depuis le {long_date(day)} ({days((today - day).days)})"


# The letters NFKD does not take apart: ligatures, ß and the barred letters are spelt out (« œuvre » is « oeuvre »,
# and sorts under O), and every apostrophe is the typewriter one.
_SPELT_OUT = str.maketrans(
    {"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
    | {"đ": "d", "Đ": "D", "ı": "i", "’": "'", "‘": "'", "ʼ": "'"}
)


def plain(text: str) -> str:
    """The letters without their accents, ligatures spelt out: « Œuvre à l’étude » → « Oeuvre a l'etude ».

    The one folding of gasp: ids (`slugify`), alphabetical order (`sort_key`) and typed words
    (`fold`, `words_match`) all go through it."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: for comparing typed words."""
    return " ".join(plain(text).lower().split())


def slugify(text: str) -> str:
    """An id from a title: « Mise en œuvre du guide » → `mise-en-oeuvre-du-guide`, « Réunion Agents_2 »
    → `reunion-agents-2`; apostrophes and other punctuation become `-`."""
    slug = re.sub(r"[^a-z0-9]+", "-", plain(text).lower()).strip("-")
    return slug[:80].rstrip("-") or "x"


def _stems(text: str) -> list[str]:
    """The words of a phrase without their feminine or plural endings (« validées » → « valid »)."""
    return [word.rstrip("es") or word for word in re.split(r"[\s'’\-]+", fold(text)) if word]


def words_match(typed: str, shown: str) -> bool:
    """Whether a typed word names what is shown: the whole phrase or its last words,
    whatever the case, accents, gender or number (« etude » names « mise à l'étude »)."""
    wanted, label = _stems(typed), _stems(shown)
    return bool(wanted) and label[len(label) - len(wanted) :] == wanted


def french_number(value: float) -> str:
    """« 15,1 », « 180 »."""
    return f"{value:g}".replace(".", ",")


def euros(amount: float) -> str:
    """« 25 000 € » with a narrow no-break space between thousands."""
    whole = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return whole.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def sort_key(text: str) -> str:
    """Alphabetical order as a French reader expects: accents and case do not count, « Œuvre »
    is under O."""
    return fold(text)


# --- French typography: what every md, html and pdf gasp writes goes through once -----------
# (render/typography.py finds the text of each format; these rules only see text.)

NARROW_NBSP = "\u202f"  # before ; : ! ? and inside « »
NBSP = "\u00a0"  # inside a date, between a number and its unit

_BEFORE_HIGH_PUNCTUATION = re.compile("[ \u00a0]+(?=[;:!?])")
_AFTER_OPENING_GUILLEMET = re.compile("«[ \u00a0]*(?=[^\\s\u202f])")
_BEFORE_CLOSING_GUILLEMET = re.compile("(?<=[^\\s\u202f])[ \u00a0]*»")
_MONTHS = "|".join(MONTHS_FR)
# « 30 juin 2002 », « 1er janvier », « juin 2002 »: one unit on a line.
_DATE = re.compile(rf"\b(1er|\d{{1,2}}) ({_MONTHS})\b(?: (?=\d{{4}}\b))?")
_MONTH_YEAR = re.compile(rf"\b({_MONTHS}) (?=\d{{4}}\b)")
# A number and its unit; « 1 200 € »: the thousands stay with their number.
_UNITS = "%|€|jours?|semaines?|mois|ans?|années?|heures?|h|minutes?|min|km|m|euros?|pages?|fois|Ko|Mo|Go|pt|cm|mm"
_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3})((?:[ \u00a0\u202f]\d{3})+)(?=[ \u00a0]?(?:€|%|euros?\b))")
_NUMBER_UNIT = re.compile(rf"(?<=\d) (?=(?:{_UNITS})(?![\w]))")
_NUMERO = re.compile(r"\b(n°|N°) (?=\d)")
_HOUR_MINUTES = re.compile("(?<=\\d\u00a0h) (?=\\d{2}\\b)")  # « 9 h 30 »
_HOUR_RANGE = re.compile("(?:(?<=\\d\u00a0h)|(?<=h\u00a0\\d\\d)) ([–-]) (?=\\d{1,2}\u00a0h)")  # « 9 h – 12 h »


def typography(text: str) -> str:
    """French typography on running text: a narrow no-break space before « ; : ! ? » and inside
    « guillemets » (an ordinary space replaced, a missing one added), no-break spaces inside a date
    (« 30 juin 2002 », « 1er janvier ») and between a number and its unit (« 26 jours », « 40 % »,
    « 1 200 € », the thousands too). Text only: each format's markup is kept out by its caller."""
    text = _BEFORE_HIGH_PUNCTUATION.sub(NARROW_NBSP, text)
    text = _AFTER_OPENING_GUILLEMET.sub("«" + NARROW_NBSP, text)
    text = _BEFORE_CLOSING_GUILLEMET.sub(NARROW_NBSP + "»", text)
    text = _DATE.sub(lambda m: m[1] + NBSP + m[2] + (NBSP if m[0].endswith(" ") else ""), text)
    text = _MONTH_YEAR.sub(lambda m: m[1] + NBSP, text)
    text = _THOUSANDS.sub(lambda m: m[1] + re.sub("[ \u00a0]", NARROW_NBSP, m[2]), text)
    text = _HOUR_MINUTES.sub(NBSP, _NUMBER_UNIT.sub(NBSP, text))
    text = _HOUR_RANGE.sub(lambda m: NBSP + m[1] + NBSP, text)
    return _NUMERO.sub(lambda m: m[1] + NBSP, text)
