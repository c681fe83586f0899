"""The domain's words, once: French plurals, day counts, dates, and how a typed word is matched.

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

from .labels import long_date

__all__ = ["days", "fold", "long_date", "plural", "round_days", "since", "words_match"]


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
    return bool(wanted) and label[len(label) - len(wanted):] == wanted
