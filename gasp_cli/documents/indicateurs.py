"""The report's « Indicateurs » section: the indicators of `gasp_cli/indicators.py` for one year, in words.

The same rows as indicators.csv (computed once a run, `indicators.of_run`), counted to the
same day (`counted_to`: the year's 31 December, or today for the current year). Only
counts, shares and days: no person and no observation ever reaches it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from ..indicators import PERSON_KIND_ORDER, Indicator
from ..loader import Records
from ..names import group_name, theme_title
from ..vocabulary import days, long_date, plural

STAGE_WORDS = {
    "raised-discussed": "de la proposition à sa première discussion",
    "discussed-decided": "de la première discussion à la première décision",
    "decided-done": "de la première décision à la réalisation",
    "raised-decided": "de la proposition à sa première décision",
    "raised-done": "de la proposition à sa réalisation",
}
KIND_HEADINGS = {
    "agent": "Agents",
    "resident": "Habitants",
    "head": "Responsables",
    "elected": "Élus",
    "facilitator": "Animateurs",
}


@dataclass
class IndicatorSection:
    # (group, proposals raised, share decided, share done), « Tous les groupes » first.
    shares: list[tuple[str, int, str, str]] = field(default_factory=list)
    stages: list[tuple[str, str, str]] = field(default_factory=list)  # (stage, median days, « 5 propositions »)
    uptakes: list[str] = field(default_factory=list)
    attendance_headings: list[str] = field(default_factory=list)
    attendance: list[tuple[str, list[str]]] = field(default_factory=list)  # group → mean per kind
    turnover: list[str] = field(default_factory=list)
    as_of: str = ""

    @property
    def empty(self) -> bool:
        return not (self.shares or self.uptakes or self.attendance or self.turnover)


def _number(value: float) -> str:
    return (str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")).replace(".", ",")


def _days(value: float) -> str:
    """Rounded to the day, as every document says days (« 327 jours » for a median of 326,5)."""
    return days(value)


def _name(records: Records, group: str | None) -> str:
    return "Tous les groupes" if group is None else group_name(records, group)


def _pick(rows: list[Indicator], indicator: str) -> list[Indicator]:
    return [r for r in rows if r.indicator == indicator]


def _shares(records: Records, rows: list[Indicator]) -> list[tuple[str, int, str, str]]:
    """(group, proposals raised, share decided, share done), « Tous les groupes » first."""
    done = {r.group: r for r in _pick(rows, "done_share")}
    return [
        (_name(records, r.group), r.n or 0, f"{_number(r.value)} %", f"{_number(done[r.group].value)} %")
        for r in _pick(rows, "decided_share")
    ]


def _stages(rows: list[Indicator]) -> list[tuple[str, str, str]]:
    """(stage, median days, « 5 propositions »), for all groups."""
    return [
        (STAGE_WORDS[r.subject or ""], _days(r.value), plural(r.n or 0, "proposition"))
        for r in _pick(rows, "median_days")
        if r.group is None
    ]


def _uptakes(records: Records, rows: list[Indicator]) -> list[str]:
    """« Logement : Groupe des usagers → Groupe des agents, 30 jours plus tard »."""
    return [
        f"{theme_title(records, r.subject)} : {_name(records, r.origin_group)} → {_name(records, r.group)}, "
        f"{_days(r.value)} plus tard"
        for r in _pick(rows, "theme_taken_up")
    ]


def _attendance(records: Records, rows: list[Indicator]) -> list[tuple[str, list[str]]]:
    """Group → the mean number present of each kind of person, in PERSON_KIND_ORDER."""
    by_group: dict[str, dict[str, str]] = {}
    for r in _pick(rows, "attendance"):
        by_group.setdefault(r.group or "", {})[r.subject or ""] = _number(r.value)
    return [
        (_name(records, gid), [means.get(kind, "0") for kind in PERSON_KIND_ORDER]) for gid, means in by_group.items()
    ]


def _turnover(records: Records, rows: list[Indicator]) -> list[str]:
    """« Groupe des agents : 12 agents au 1er janvier, 2 arrivées, 1 départ, taux de rotation 12,5 % »."""
    figures: dict[str, dict[str, Indicator]] = {}
    for r in rows:
        if r.indicator.startswith("agents_"):
            figures.setdefault(r.group or "", {})[r.indicator] = r
    lines = []
    for gid, found in figures.items():
        count = {key: int(found[f"agents_{key}"].value) for key in ("members", "arrivals", "departures")}
        line = (
            f"{_name(records, gid)} : {plural(count['members'], 'agent')} au 1er janvier, "
            f"{plural(count['arrivals'], 'arrivée')}, {plural(count['departures'], 'départ')}"
        )
        if "agents_turnover" in found:
            line += f", taux de rotation {_number(found['agents_turnover'].value)} %"
        lines.append(line)
    return lines


def build(records: Records, rows: list[Indicator], counted_to: datetime.date) -> IndicatorSection:
    """The words of one year's rows of indicators.csv, all counted to `counted_to`."""
    return IndicatorSection(
        shares=_shares(records, rows),
        stages=_stages(rows),
        uptakes=_uptakes(records, rows),
        attendance_headings=[KIND_HEADINGS[kind] for kind in PERSON_KIND_ORDER],
        attendance=_attendance(records, rows),
        turnover=_turnover(records, rows),
        as_of=long_date(counted_to),
    )
