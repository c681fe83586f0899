"""The report's « Indicateurs » section: the indicators of `gasp_cli/indicators.py` for one year, in words.

The same rows as indicators.csv (computed once, in `gasp_cli/facts.py`), counted to the
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


def build(records: Records, rows: list[Indicator], counted_to: datetime.date) -> IndicatorSection:
    """The words of one year's rows of indicators.csv, all counted to `counted_to`."""
    section = IndicatorSection(as_of=long_date(counted_to))

    def name(group: str | None) -> str:
        return "Tous les groupes" if group is None else group_name(records, group)

    def pick(indicator: str) -> list[Indicator]:
        return [r for r in rows if r.indicator == indicator]

    done = {r.group: r for r in pick("done_share")}
    section.shares = [
        (name(r.group), r.n or 0, f"{_number(r.value)} %", f"{_number(done[r.group].value)} %")
        for r in pick("decided_share")
    ]
    section.stages = [
        (STAGE_WORDS[r.subject or ""], _days(r.value), plural(r.n or 0, "proposition"))
        for r in pick("median_days")
        if r.group is None
    ]
    section.uptakes = [
        f"{theme_title(records, r.subject)} : {name(r.origin_group)} → {name(r.group)}, {_days(r.value)} plus tard"
        for r in pick("theme_taken_up")
    ]
    by_group: dict[str, dict[str, str]] = {}
    for r in pick("attendance"):
        by_group.setdefault(r.group or "", {})[r.subject or ""] = _number(r.value)
    section.attendance_headings = [KIND_HEADINGS[kind] for kind in PERSON_KIND_ORDER]
    section.attendance = [
        (name(gid), [means.get(kind, "0") for kind in PERSON_KIND_ORDER]) for gid, means in by_group.items()
    ]
    figures: dict[str, dict[str, Indicator]] = {}
    for r in rows:
        if r.indicator.startswith("agents_"):
            figures.setdefault(r.group or "", {})[r.indicator] = r
    for gid, found in figures.items():
        count = {key: int(found[f"agents_{key}"].value) for key in ("members", "arrivals", "departures")}
        line = (
            f"{name(gid)} : {plural(count['members'], 'agent')} au 1er janvier, "
            f"{plural(count['arrivals'], 'arrivée')}, {plural(count['departures'], 'départ')}"
        )
        if "agents_turnover" in found:
            line += f", taux de rotation {_number(found['agents_turnover'].value)} %"
        section.turnover.append(line)
    return section
