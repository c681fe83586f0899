"""The domain's words, once: group-kind roles, French labels of the records' English tokens,
French plurals, day counts, dates, numbers, and how a typed word is matched. Words only: no
queries over the records (what a meeting is about is `facts.meeting_themes`).

French puts 0 and 1 in the singular (« 0 jour », « 1 jour », « 2 jours »). A day
count in a sentence is a whole number of days (a median of 326,5 days reads
« 327 jours »). Words typed on the command line are compared without case,
accents or the kind of apostrophe, so that « etude », « Étude » and
« mise à l’étude » all mean the status shown as « mise à l'étude ».
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata

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
    "WEEKDAYS_FR",
    "day_month",
    "days",
    "decides",
    "euros",
    "fold",
    "french_number",
    "french_time",
    "has_open_format",
    "long_date",
    "plural",
    "round_days",
    "since",
    "sort_key",
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

# Every status a proposal can have: its events, decisions and milestones.
PROPOSAL_STATUSES = {
    "raised": "soulevée",
    "discussed": "discutée",
    "withdrawn": "retirée",
    "validated": "validée",
    "rejected": "refusée",
    "deferred": "ajournée",
    "study": "mise à l'étude",
    "in-progress": "en cours",
    "done": "réalisée",
    "abandoned": "abandonnée",
}

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


def days(count: float) -> str:
    """« 1 jour », « 327 jours »."""
    return plural(round_days(count), "jour")


def since(day: datetime.date, today: datetime.date) -> str:
    """« depuis le 3 mai 2001 (290 jours) »."""
    return f"depuis le {long_date(day)} ({days((today - day).days)})"


def fold(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces: for comparing typed words."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("œ", "oe").replace("Œ", "Oe"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())


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
    """Alphabetical order as a French reader expects: accents and case do not count."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
