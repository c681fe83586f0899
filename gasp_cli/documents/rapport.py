"""The annual report for the inter-group meeting: its computation over one year, its view, its terminal form.

Built on the same pieces as the other commands: cadence periods for what was due,
`lifecycle.histories` for proposals, the calendar for next year. `build(records, year, day)`
is the one computation behind `gasp report` (its JSON is `Report.as_json()`) and `rapport/`.
"""

from __future__ import annotations

import datetime
import functools
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import facts
from ..cadence import due_periods, nominal_slot
from ..calendar import Holidays, Row, calendar_rows, group_start, holidays_for
from ..indicators import Indicator, of_run
from ..lifecycle import DECISIONS, History
from ..loader import Records
from ..models import Group, Meeting
from ..names import gasp_name, group_name, person_name, published_name, theme_title, who_name
from ..vocabulary import (
    GROUP_KINDS,
    KIND_ORDER,
    capitalised,
    day_month,
    days,
    euros,
    french_number,
    long_date,
    plural,
    round_half_up,
    sort_key,
    status_word,
    weekday_date,
)
from .base import ActionLine, Output, Page, Run, Template

if TYPE_CHECKING:
    from .indicateurs import IndicatorSection

FORMATS: dict[str, Template] = {"md": "rapport.md.j2", "html": "rapport.html.j2", "pdf": "rapport.typ.j2"}
SITE_HTML: Template = "site-rapport.html.j2"  # its page on the residents' site


@dataclass
class GroupYear:
    id: str
    name: str
    kind: str
    due: int
    held: int
    cancelled: int
    attendance: list[int]

    @property
    def attendance_mean(self) -> float | None:
        return round_half_up(statistics.fmean(self.attendance), 1) if self.attendance else None

    @property
    def attendance_min(self) -> int | None:
        return min(self.attendance) if self.attendance else None

    @property
    def attendance_max(self) -> int | None:
        return max(self.attendance) if self.attendance else None


@dataclass
class Membership:
    # The person's id, or None when they did not consent to be named: ids are made of names,
    # so the JSON (and the network's) says `"person": null` and the pages « un agent ».
    person: str | None
    label: str
    institution: str
    date: datetime.date


@dataclass
class OpenAction:
    what: str
    who: str | None
    due: datetime.date | None
    meeting: str
    overdue: bool


@dataclass
class Cancellation:
    """A meeting of the year that did not take place, and why (`cancel_reason`, "" if not noted)."""

    meeting: str
    group: str
    date: datetime.date
    reason: str


@dataclass
class Report:
    year: int
    cutoff: datetime.date
    groups: list[GroupYear]
    institutions: list[str]
    joined: list[Membership]
    left: list[Membership]
    themes_by_group: dict[str, list[str]]
    shared_themes: dict[str, list[str]]
    raised: list[str]
    decided: dict[str, int]
    awaiting: list[str]
    implemented: list[str]
    days_to_decision: list[int]
    status_at_end: dict[str, int]
    open_actions: list[OpenAction]
    funding: dict[str, float]
    next_year: list[Row] = field(default_factory=list)
    # Services named among the `guests` of the year's held meetings: occasional institutions.
    guest_institutions: list[str] = field(default_factory=list)
    # gasp.yaml's commitment, in days, and the proposals answered within it (None without one).
    decision_within_days: int | None = None
    decided_within_commitment: int | None = None
    # Days from each held meeting of the year to its `minutes_sent`.
    days_to_minutes: list[int] = field(default_factory=list)
    minutes_within_days: int | None = None
    # The meetings of the year that were cancelled, in date order: the pages say why. (The JSON's
    # keys are fixed by DESIGN.md: it counts them, per group, in `cancelled`.)
    cancellations: list[Cancellation] = field(default_factory=list)
    # The Gasp did not exist yet that year: before gasp.yaml's `created` and before any meeting.
    before_gasp: bool = False
    created: datetime.date | None = None  # the day it began: creation or first meeting
    # The rows of indicators.csv for the year, counted to `cutoff` (gasp_cli/facts.py): the same values.
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def median_days_to_decision(self) -> float | None:
        return statistics.median(self.days_to_decision) if self.days_to_decision else None

    @property
    def median_days_to_minutes(self) -> float | None:
        return statistics.median(self.days_to_minutes) if self.days_to_minutes else None

    def as_json(self) -> dict[str, Any]:
        """The keys of DESIGN.md, in its order: everything the pages show."""
        return {
            "year": self.year,
            "groups": {
                g.id: {
                    "kind": g.kind,
                    "due": g.due,
                    "held": g.held,
                    "cancelled": g.cancelled,
                    "attendance_mean": g.attendance_mean,
                    "attendance_min": g.attendance_min,
                    "attendance_max": g.attendance_max,
                }
                for g in self.groups
            },
            "proposals": {
                "raised": len(self.raised),
                "decided": dict(self.decided),
                "awaiting_decision": len(self.awaiting),
                "implemented": len(self.implemented),
            },
            "median_days_to_decision": _whole_or_none(self.median_days_to_decision),
            "open_actions": len(self.open_actions),
            "funding": {source: _whole(euros) for source, euros in self.funding.items()},
            "institutions": list(self.institutions),
            "arrivals": [{"person": m.person, "date": m.date.isoformat()} for m in self.joined],
            "departures": [{"person": m.person, "date": m.date.isoformat()} for m in self.left],
            "guest_institutions": list(self.guest_institutions),
            "themes": {gid: list(themes) for gid, themes in self.themes_by_group.items()},
            "shared_themes": {theme: list(gids) for theme, gids in self.shared_themes.items()},
            "decided_within_commitment": self.decided_within_commitment,
            "median_days_to_minutes": _whole_or_none(self.median_days_to_minutes),
            "next_year": [row.as_json() for row in self.next_year],
            "indicators": [row.as_json() for row in self.indicators],
        }


def _groups_in_order(records: Records) -> list[tuple[str, Group]]:
    """Agents, usagers, référents, intergroupes: the order of the method."""
    return sorted(records.groups.items(), key=lambda pair: (KIND_ORDER.index(pair[1].kind), pair[0]))


def _whole_or_none(value: float | None) -> int | float | None:
    return None if value is None else _whole(value)


def _whole(amount: float) -> int | float:
    amount = round(amount, 2)
    return int(amount) if amount == int(amount) else amount


def _institution(records: Records, person_id: str) -> str:
    person = records.people.get(person_id)
    service = records.services.get(person.service) if person and person.service else None
    return f"{service.institution} — {service.name}" if service else ""


def _service_id(records: Records, person_id: str) -> str | None:
    person = records.people.get(person_id)
    return person.service if person and person.service in records.services else None


def _group_years(records: Records, in_year: dict[str, Meeting], year: int, cutoff: datetime.date) -> list[GroupYear]:
    """Each group's meetings of the year: due by its cadence (up to the cutoff), held, cancelled."""
    start = datetime.date(year, 1, 1)
    result = []
    for gid, group in _groups_in_order(records):
        first_day = group_start(records, gid)
        due = 0
        if first_day is not None and cutoff >= start:
            for period in due_periods(group.cadence, start, cutoff):
                slot = nominal_slot(group.cadence, period)
                if slot is not None and first_day <= slot <= cutoff and period.year == year:
                    due += 1
        mine = [m for m in in_year.values() if m.group == gid]
        held = [m for m in mine if m.status == "held"]
        result.append(
            GroupYear(
                gid,
                group.name,
                group.kind,
                due,
                len(held),
                sum(m.status == "cancelled" for m in mine),
                [len(m.attendees) for m in held],
            )
        )
    return result


def _agents_membership(
    records: Records, start: datetime.date, end: datetime.date
) -> tuple[set[str], list[Membership], list[Membership]]:
    """The agents group: institutions represented during the year, who joined and who left."""
    institutions: set[str] = set()
    joined: list[Membership] = []
    left: list[Membership] = []
    for _, group in sorted(records.groups.items()):
        if group.kind != "agents":
            continue
        for member in group.members:
            # The institutions are the agents'; the facilitators sit in every group.
            if member.person not in records.people or records.people[member.person].kind != "agent":
                continue
            active = member.since <= end and (member.until is None or member.until >= start)
            institution = _institution(records, member.person)
            service_id = _service_id(records, member.person)
            if active and service_id:
                institutions.add(service_id)
            person = member.person if published_name(records, member.person) is not None else None
            label = person_name(records, member.person)
            if start <= member.since <= end:
                joined.append(Membership(person, label, institution, member.since))
            if member.until is not None and start <= member.until <= end:
                left.append(Membership(person, label, institution, member.until))
    return institutions, joined, left


def _themes_by_group(records: Records, in_year: dict[str, Meeting]) -> dict[str, list[str]]:
    """The themes of each group's held meetings of the year, groups in the order of the method."""
    found: dict[str, set[str]] = {}
    for meeting in in_year.values():
        if meeting.status == "held":
            found.setdefault(meeting.group, set()).update(facts.meeting_themes(records, meeting))
    return {gid: sorted(found[gid]) for gid, _ in _groups_in_order(records) if found.get(gid)}


def _shared_themes(themes_by_group: dict[str, list[str]]) -> dict[str, list[str]]:
    """The themes more than one group spoke of, with those groups."""
    groups_of: dict[str, list[str]] = {}
    for gid, themes in themes_by_group.items():
        for theme in themes:
            groups_of.setdefault(theme, []).append(gid)
    return {theme: gids for theme, gids in sorted(groups_of.items()) if len(gids) > 1}


@dataclass
class _ProposalYear:
    raised: list[str] = field(default_factory=list)
    implemented: list[str] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
    days_to_decision: list[int] = field(default_factory=list)
    decided: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DECISIONS, 0))
    status_at_end: dict[str, int] = field(default_factory=dict)
    funding: dict[str, float] = field(default_factory=dict)


def _proposal_year(
    records: Records, derived: dict[str, History], start: datetime.date, end: datetime.date
) -> _ProposalYear:
    """Proposals raised, decided and done in the year; those awaiting a decision at its end; funding validated."""
    figures = _ProposalYear()
    for pid, history in sorted(derived.items()):
        raising = history.raised
        if raising is not None and start <= raising.date <= end:
            figures.raised.append(pid)
        validated_this_year = False
        for event in history.events:
            if not (start <= event.date <= end):
                continue
            if event.is_decision:
                figures.decided[event.kind] += 1
                if raising is not None:
                    figures.days_to_decision.append((event.date - raising.date).days)
                validated_this_year |= event.kind == "validated"
            if event.kind == "done":
                figures.implemented.append(pid)
        status = history.status_on(end)
        if status is not None:
            figures.status_at_end[status] = figures.status_at_end.get(status, 0) + 1
        if facts.to_decide(history, end):
            figures.awaiting.append(pid)
        proposal = records.proposals[pid]
        if validated_this_year and proposal.cost is not None:
            for share in proposal.funding:
                figures.funding[share.source] = (
                    figures.funding.get(share.source, 0.0) + proposal.cost * share.share / 100
                )
    return figures


def _guest_institutions(records: Records, in_year: dict[str, Meeting]) -> list[str]:
    """Occasional institutions: a guest that is a service id (a bailleur, a transporteur)."""
    return sorted(
        {
            guest
            for meeting in in_year.values()
            if meeting.status == "held"
            for guest in getattr(meeting, "guests", None) or []
            if isinstance(guest, str) and guest in records.services
        }
    )


def _days_to_minutes(in_year: dict[str, Meeting]) -> list[int]:
    """Days from each held meeting of the year to its `minutes_sent`."""
    result = []
    for meeting in in_year.values():
        sent = getattr(meeting, "minutes_sent", None)
        if meeting.status == "held" and isinstance(sent, datetime.date):
            result.append((sent - meeting.date).days)
    return result


def _began(records: Records) -> datetime.date | None:
    """The Gasp exists from its creation, or from its first recorded meeting if that came earlier."""
    created = records.gasp.created if records.gasp is not None else None
    first_meeting = min((m.date for m in records.meetings.values()), default=None)
    return min((day for day in (created, first_meeting) if day is not None), default=None)


def _open_actions(records: Records, end: datetime.date, cutoff: datetime.date) -> list[OpenAction]:
    """Actions decided up to the end of the year and not done by then; overdue when due before the cutoff."""
    result = []
    for mid, meeting in sorted(records.meetings.items()):
        if meeting.date > end:
            continue
        for action in meeting.actions:
            done = action.done  # False, True, or the date it was done
            still_open = done is False or (done is not True and done > end)
            if still_open:
                overdue = action.due is not None and action.due < cutoff
                result.append(OpenAction(action.what, action.who, action.due, mid, overdue))
    return result


def annual_report(
    records: Records,
    derived: dict[str, History],
    year: int,
    today: datetime.date,
    holidays_next_year: Holidays | None = None,
) -> Report:
    """The year's report, as of `today` (the cutoff of a year not over yet)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    cutoff = facts.counted_to(year, today)  # the indicators are counted to the same day
    in_year = {mid: m for mid, m in sorted(records.meetings.items()) if start <= m.date <= end}
    # A year that has not begun on the day the records are judged (after `as_of`, or to come)
    # has no institution represented yet: not the members of today.
    institutions, joined, left = _agents_membership(records, start, end) if start <= today else (set(), [], [])
    themes_by_group = _themes_by_group(records, in_year)
    figures = _proposal_year(records, derived, start, end)
    run = facts.of(records, derived)
    began = _began(records)
    next_year: list[Row] = []
    if holidays_next_year is not None:
        next_year = calendar_rows(
            records, datetime.date(year + 1, 1, 1), datetime.date(year + 1, 12, 31), holidays_next_year
        )
    return Report(
        year=year,
        cutoff=cutoff,
        groups=_group_years(records, in_year, year, cutoff),
        institutions=sorted(institutions),
        joined=sorted(joined, key=lambda m: (m.date, m.label)),
        left=sorted(left, key=lambda m: (m.date, m.label)),
        themes_by_group=themes_by_group,
        shared_themes=_shared_themes(themes_by_group),
        raised=figures.raised,
        decided=figures.decided,
        awaiting=figures.awaiting,
        implemented=figures.implemented,
        days_to_decision=figures.days_to_decision,
        status_at_end=figures.status_at_end,
        open_actions=_open_actions(records, end, cutoff),
        funding=dict(sorted(figures.funding.items())),
        next_year=next_year,
        guest_institutions=_guest_institutions(records, in_year),
        decision_within_days=run.decision_within_days,
        decided_within_commitment=run.answered_within_commitment(start, end),
        days_to_minutes=_days_to_minutes(in_year),
        minutes_within_days=run.minutes_within_days,
        indicators=of_run(run, today, year),
        cancellations=[
            Cancellation(mid, m.group, m.date, (m.cancel_reason or "").strip())
            for mid, m in sorted(in_year.items(), key=lambda pair: (pair[1].date, pair[0]))
            if m.status == "cancelled"
        ],
        before_gasp=began is not None and year < began.year,
        created=began,
    )


def build(records: Records, year: int, day: datetime.date, derived: dict[str, History] | None = None) -> Report:
    """The report of `year` as of `day`: what `gasp report --format json` prints (`as_json()`),
    and what `rapport/rapport-<year>.*` shows (through `view`)."""
    return annual_report(
        records,
        derived if derived is not None else facts.of(records).histories,
        year,
        day,
        holidays_for(records, datetime.date(year + 1, 1, 1), datetime.date(year + 1, 12, 31)),
    )


def years(records: Records, today: datetime.date) -> list[int]:
    """Every year from the first recorded meeting to the current one."""
    first = min((m.date.year for m in records.meetings.values()), default=today.year)
    return list(range(min(first, today.year), today.year + 1))


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a year's report (`rapport-AAAA`)."""
    year = name.removeprefix("rapport-")
    return (f"Rapport {year}", year) if name.startswith("rapport-") else None


# --- the view -------------------------------------------------------------------------------


# One name per figure: this delay is measured to every decision of the year, a first answer
# (a study, a deferral) or a later decision; the indicators' delays are those of the year's
# cohort, « de la proposition à sa première décision » (documents/indicateurs.py).
MEDIAN_DAYS_WORDS = "Délai médian de la proposition à chaque décision prise dans l’année (première ou suivante)"


@dataclass
class Bar:
    label: str
    value: int
    fraction: float  # of the longest bar of the chart
    colour: str


@dataclass
class BarGroup:
    label: str
    bars: list[Bar]


@dataclass
class ReportGroup:
    name: str
    kind: str
    due: int
    held: int
    cancelled: int
    attendance: str


@dataclass
class ReportView:
    gasp_name: str
    year: int
    title: str
    cutoff: str
    groups: list[ReportGroup]
    meetings_chart: list[BarGroup]
    institutions: list[str]
    joined: list[str]
    left: list[str]
    themes_by_group: list[tuple[str, list[str]]]
    shared_themes: list[tuple[str, list[str]]]
    raised: list[str]
    decided: list[tuple[str, int]]
    awaiting: list[str]
    implemented: list[str]
    median_days: str
    status_chart: list[BarGroup]
    open_actions: list[ActionLine]
    overdue_count: int
    funding: list[tuple[str, str]]
    funding_total: str
    next_year: list[tuple[str, list[str]]]
    # The same figures, with the same words, in the table and in the chart.
    proposal_figures: list[tuple[str, int]] = field(default_factory=list)
    institutions_line: str = ""
    guest_institutions: list[str] = field(default_factory=list)
    open_actions_line: str = ""
    commitment: str = ""
    median_minutes: str = ""
    # « Groupe des agents, mardi 12 février 2002 : <motif> », one line per cancelled meeting.
    cancellations: list[str] = field(default_factory=list)
    # Set for a year before the Gasp existed: the only thing the report says.
    not_yet: str = ""
    # The sociologist's indicators of the year (gasp_cli/documents/indicateurs.py).
    indicators: IndicatorSection | None = None
    public: bool = False  # the residents' site's edition: no word of the secretary's tools
    median_days_words: str = MEDIAN_DAYS_WORDS


STATUS_COLOURS = {
    "raised": "#7592b0",
    "discussed": "#6f95b8",
    "deferred": "#a3841b",
    "study": "#b07d1a",
    "validated": "#4f9d69",
    "in-progress": "#2e7d32",
    "done": "#1b5e20",
    "rejected": "#b3261e",
    "withdrawn": "#8d8d8d",
    "abandoned": "#6d4c41",
}

# The decisions of the year, as the table and the chart both name them.
DECISIONS_OF_THE_YEAR = {
    outcome: f"{capitalised(status_word(outcome, 2))} dans l’année"
    for outcome in ("validated", "rejected", "deferred", "study")
}


def _service_label(records: Records, service_id: str) -> str:
    service = records.services.get(service_id)
    return f"{service.institution} — {service.name}" if service else service_id


def _meetings_chart(report: Report) -> list[BarGroup]:
    """Meetings due and held, per group, each bar a fraction of the longest."""
    longest = max([max(g.due, g.held) for g in report.groups] + [1])
    return [
        BarGroup(
            g.name,
            [
                Bar("prévues" if g.due > 1 else "prévue", g.due, g.due / longest, "#87939f"),
                Bar("tenues" if g.held > 1 else "tenue", g.held, g.held / longest, "#33658a"),
            ],
        )
        for g in report.groups
    ]


def _proposal_figures(report: Report) -> list[tuple[str, int, str]]:
    """The year's proposals, counted: (words, count, colour), the same in the table and the chart."""
    return [
        ("Soulevées dans l’année", len(report.raised), STATUS_COLOURS["raised"]),
        *((DECISIONS_OF_THE_YEAR[o], n, STATUS_COLOURS[o]) for o, n in report.decided.items()),
        ("En attente de décision à la fin de l’année", len(report.awaiting), STATUS_COLOURS["discussed"]),
        ("Réalisées dans l’année", len(report.implemented), STATUS_COLOURS["done"]),
    ]


def _status_chart(figures: list[tuple[str, int, str]]) -> list[BarGroup]:
    most = max([n for _, n, _ in figures] + [1])
    return [BarGroup(words, [Bar(words, n, n / most, colour)]) for words, n, colour in figures]


def _membership_line(m: Membership) -> str:
    """« Un agent (Mairie), le 3 mai 2001 »."""
    where = f" ({m.institution})" if m.institution else ""
    return f"{m.label}{where}, le {long_date(m.date)}"


def _attendance_words(g: GroupYear) -> str:
    """« 14,2 en moyenne (8 à 17) », « 14 en moyenne », or « — » without a held meeting."""
    if not g.attendance:
        return "—"
    mean = f"{french_number(g.attendance_mean or 0.0)} en moyenne"  # not None: attendance is not empty
    return mean if g.attendance_min == g.attendance_max else f"{mean} ({g.attendance_min} à {g.attendance_max})"


def _theme_lines(records: Records, report: Report) -> list[tuple[str, list[str]]]:
    """Each group's themes of the year, by title."""
    return [
        (group_name(records, gid), sorted((theme_title(records, t) for t in themes), key=sort_key))
        for gid, themes in report.themes_by_group.items()
    ]


def _shared_theme_lines(records: Records, report: Report) -> list[tuple[str, list[str]]]:
    """The themes several groups brought up, by title, with the groups' names."""
    return sorted(
        ((theme_title(records, t), [group_name(records, g) for g in gids]) for t, gids in report.shared_themes.items()),
        key=lambda pair: sort_key(pair[0]),
    )


def _open_action_lines(records: Records, report: Report) -> list[ActionLine]:
    return [
        ActionLine(
            who_name(records, a.who),
            a.what,
            long_date(a.due) if a.due else "",
            "en retard" if a.overdue else "à faire",
        )
        for a in report.open_actions
    ]


def _open_actions_line(report: Report, overdue: int) -> str:
    """« 3 actions ouvertes, dont 1 en retard »."""
    return plural(len(report.open_actions), "action ouverte") + (f", dont {overdue} en retard" if overdue else "")


def _commitment_line(report: Report) -> str:
    """« 4 propositions ont reçu leur première réponse des référents dans les 180 jours promis »."""
    within = report.decided_within_commitment
    if within is None:
        return ""
    return (
        f"{plural(within, 'proposition')} "
        f"{'a reçu sa' if within < 2 else 'ont reçu leur'} première réponse "
        f"des référents dans les {days(report.decision_within_days or 0)} promis"
    )


def _median_minutes_line(report: Report) -> str:
    """« 12 jours (engagement : 15 jours) »: the median delay of the comptes rendus."""
    minutes = report.median_days_to_minutes
    if minutes is None:
        return ""
    promised = "" if report.minutes_within_days is None else f" (engagement : {days(report.minutes_within_days)})"
    return days(minutes) + promised


def _cancellation_lines(records: Records, report: Report) -> list[str]:
    """« Groupe des agents, mardi 12 février 2002 : <motif> »."""
    return [
        f"{group_name(records, c.group)}, {weekday_date(c.date)} : " + (c.reason if c.reason else "motif non noté")
        for c in report.cancellations
    ]


def _not_yet_line(report: Report) -> str:
    if report.before_gasp and report.created is not None:  # before_gasp implies created
        return f"Le Gasp n’existait pas encore en {report.year} : il a commencé le {long_date(report.created)}."
    return ""


def view(records: Records, report: Report) -> ReportView:
    """What the pages and the terminal show of a report: words, charts, names allowed to be shown."""
    from .indicateurs import build as indicator_section

    end = datetime.date(report.year, 12, 31)
    figures = _proposal_figures(report)

    def titles(ids: list[str]) -> list[str]:
        return [records.proposals[pid].title for pid in ids]

    institutions = sorted((_service_label(records, sid) for sid in report.institutions), key=sort_key)
    overdue = sum(a.overdue for a in report.open_actions)
    median = report.median_days_to_decision
    return ReportView(
        gasp_name=gasp_name(records),
        year=report.year,
        title=f"Rapport annuel {report.year}",
        cutoff="" if report.cutoff >= end else f"État au {long_date(report.cutoff)}",
        groups=[
            ReportGroup(g.name, GROUP_KINDS[g.kind], g.due, g.held, g.cancelled, _attendance_words(g))
            for g in report.groups
        ],
        meetings_chart=_meetings_chart(report),
        institutions=institutions,
        joined=[_membership_line(m) for m in report.joined],
        left=[_membership_line(m) for m in report.left],
        themes_by_group=_theme_lines(records, report),
        shared_themes=_shared_theme_lines(records, report),
        raised=titles(report.raised),
        decided=[(DECISIONS_OF_THE_YEAR[o], n) for o, n in report.decided.items()],
        awaiting=titles(report.awaiting),
        implemented=titles(report.implemented),
        median_days=(days(median) if median is not None else "aucune décision cette année"),
        status_chart=_status_chart(figures),
        open_actions=_open_action_lines(records, report),
        overdue_count=overdue,
        funding=[(source, euros(amount)) for source, amount in report.funding.items()],
        funding_total=euros(sum(report.funding.values())) if report.funding else "",
        next_year=_next_year_short(records, report.next_year),
        proposal_figures=[(words, n) for words, n, _ in figures],
        institutions_line=plural(len(institutions), "institution ou service représenté"),
        guest_institutions=sorted((_service_label(records, sid) for sid in report.guest_institutions), key=sort_key),
        open_actions_line=_open_actions_line(report, overdue),
        commitment=_commitment_line(report),
        median_minutes=_median_minutes_line(report),
        cancellations=_cancellation_lines(records, report),
        not_yet=_not_yet_line(report),
        indicators=indicator_section(records, report.indicators, report.cutoff),
    )


def _next_year_short(records: Records, rows: list[Row]) -> list[tuple[str, list[str]]]:
    by_group: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: (KIND_ORDER.index(records.groups[r.group].kind), r.group, r.date)):
        by_group.setdefault(group_name(records, row.group), []).append(day_month(row.date))
    return list(by_group.items())


# --- the terminal ---------------------------------------------------------------------------


class _Terminal:
    """The report's lines in the terminal: headings, bullet lists, plain lines (rich is imported
    by the commands that print, not by `gasp --help`)."""

    def __init__(self) -> None:
        from ..terminal import console, safe_text

        self.console = console()
        self.text = safe_text

    def line(self, text: str, style: str = "") -> None:
        self.console.print(self.text(text, style=style))

    def heading(self, title: str) -> None:
        self.console.print()
        self.line(title, style="bold blue")

    def lines(self, items: list[str], empty: str) -> None:
        if not items:
            self.line(empty, style="dim italic")
        for item in items:
            self.line(f"  • {item}")


def _show_meetings(out: _Terminal, view: ReportView) -> None:
    from rich.table import Table

    out.heading("Réunions")
    table = Table()
    for column in ("Groupe", "Prévues", "Tenues", "Annulées", "Présents"):
        table.add_column(column, justify="left" if column in ("Groupe", "Présents") else "right")
    for group in view.groups:
        table.add_row(
            out.text(group.name), str(group.due), str(group.held), str(group.cancelled), out.text(group.attendance)
        )
    out.console.print(table)
    if view.median_minutes:
        out.line(f"Délai médian d’envoi des comptes rendus : {view.median_minutes}")
    if view.cancellations:
        out.line("Réunions annulées :")
        out.lines(view.cancellations, "")


def _show_agents(out: _Terminal, view: ReportView) -> None:
    out.heading("Le groupe des agents : institutions et renouvellement")
    out.line(view.institutions_line)
    out.lines(view.institutions, "aucune")
    out.line("Arrivées :")
    out.lines(view.joined, "  aucune")
    out.line("Départs :")
    out.lines(view.left, "  aucun")
    out.line("Institutions invitées :")
    out.lines(view.guest_institutions, "  aucune")


def _show_themes(out: _Terminal, view: ReportView) -> None:
    out.heading("Thèmes")
    out.lines([f"{group} : {' ; '.join(themes)}" for group, themes in view.themes_by_group], "Aucun thème abordé.")
    out.line("Communs à plusieurs groupes :")
    out.lines([f"{theme} : {', '.join(groups)}" for theme, groups in view.shared_themes], "  aucun")


def _show_proposals(out: _Terminal, view: ReportView) -> None:
    out.heading("Propositions")
    for words, count in view.proposal_figures:
        out.line(f"{words} : {count}")
    out.line(f"{MEDIAN_DAYS_WORDS} : {view.median_days}")
    if view.commitment:
        out.line(f"Engagement : {view.commitment}")
    out.lines([f"en attente : {title}" for title in view.awaiting], "")


def _show_indicators(out: _Terminal, section: IndicatorSection | None) -> None:
    if section is None or section.empty:  # gasp_cli/documents/indicateurs.py
        return
    out.heading(f"Indicateurs (comptés au {section.as_of}, comme dans gasp export)")
    out.lines(
        [
            f"{group} : {plural(count, 'soulevée')}, {decided} décidées, {done} réalisées"
            for group, count, decided, done in section.shares
        ],
        "",
    )
    out.lines([f"délai médian, {stage} : {median} ({count})" for stage, median, count in section.stages], "")
    out.lines([f"thème repris : {line}" for line in section.uptakes], "")
    out.lines(
        [
            f"présents en moyenne, {group} : "
            + ", ".join(f"{name} {mean}" for name, mean in zip(section.attendance_headings, means, strict=True))
            for group, means in section.attendance
        ],
        "",
    )
    out.lines(section.turnover, "")


def _show_actions(out: _Terminal, view: ReportView) -> None:
    out.heading("Actions en cours")
    if not view.open_actions:
        out.line("Aucune action ouverte.", style="dim italic")
        return
    out.line(view.open_actions_line)
    for action in view.open_actions:
        due = f" (échéance {action.due})" if action.due else ""
        out.line(f"  • {action.who} : {action.what}{due} — {action.done}")


def _show_funding(out: _Terminal, view: ReportView) -> None:
    out.heading("Financements")
    out.lines(
        [f"{source} : {amount}" for source, amount in view.funding], "Aucune proposition chiffrée validée cette année."
    )
    if view.funding_total:
        out.line(f"  Total : {view.funding_total}")


def show(view: ReportView) -> None:
    """The report in the terminal, in French."""
    out = _Terminal()
    out.line(f"{view.title} — {view.gasp_name}", style="bold")
    if view.cutoff:
        out.line(f"{view.cutoff}.", style="dim")
    if view.not_yet:
        out.line(view.not_yet)
        return
    _show_meetings(out, view)
    _show_agents(out, view)
    _show_themes(out, view)
    _show_proposals(out, view)
    _show_indicators(out, view.indicators)
    _show_actions(out, view)
    _show_funding(out, view)
    out.heading(f"Calendrier {view.year + 1}")
    out.lines([f"{group} : {', '.join(dates)}" for group, dates in view.next_year], "Aucune réunion prévue.")


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def _report_view(records: Records, year: int, today: datetime.date, derived: dict[str, History]) -> ReportView:
    return view(records, build(records, year, today, derived))


def outputs(run: Run) -> Iterator[Output]:
    """A report for each of `years`."""
    records, today, deps = run.records, run.request.today, run.dependencies
    for year in years(records, today):
        yield Output(
            f"rapport/rapport-{year}",
            FORMATS,
            functools.partial(_report_view, records, year, today, run.derived),
            f"rapport-{year}",
            inputs=(year, deps.rapport(year, today)),
        )


def public_report(records: Records, year: int, today: datetime.date, derived: dict[str, History]) -> ReportView:
    """A year's report as residents see it (from the public records): no open action of a group."""
    report = _report_view(records, year, today, derived)
    report.public = True
    return report


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: every year's report, built from the public records."""
    records, today = run.records, run.request.today
    for year in years(records, today):
        yield Page(
            f"rapport/rapport-{year}.html",
            SITE_HTML,
            functools.partial(public_report, records, year, today, run.derived),
            FORMATS["pdf"],
            inputs=run.dependencies.rapport(year, today),
        )
