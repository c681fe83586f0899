"""French labels for the English enum tokens of the records, and French dates."""

from __future__ import annotations

import datetime

from .cadence import MONTHS_FR, WEEKDAYS_FR

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
