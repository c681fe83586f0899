"""The figures of a year's annual report: what the Gasp did in it, computed from the records.

Built on the same pieces as the other commands: cadence periods for what was due,
`lifecycle.histories` for proposals, the calendar for next year. `build(records, year, day)`
is the one computation behind `gasp report` (its JSON is `Report.as_json()`) and `rapport/`
(documents/rapport.py, its view).
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .. import facts
from ..cadence import due_periods, nominal_slot
from ..calendar import Holidays, Row, calendar_rows, group_start, holidays_for
from ..indicators import Indicator, of_run
from ..lifecycle import DECISIONS, History
from ..loader import Records
from ..models import Group, Meeting
from ..names import person_name, published_name
from ..vocabulary import (
    KIND_ORDER,
    round_half_up,
)

if TYPE_CHECKING:
    pass


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
    """Proposals raised, decided and done in the year (`start` to `end`, a calendar year); those
    awaiting a decision at its end; funding validated. Read off every year's figures, made once per
    run (`_proposal_years`): each report went through every proposal's history."""
    run = facts.of(records, derived)
    every = cast("_Years | None", run.derived_once.get("proposal_years"))
    if every is None:
        every = _proposal_years(records, derived)
        run.derived_once["proposal_years"] = every
    found = every.figures.get(start.year)
    if found is not None:  # a copy: the report's lists are its own
        return _ProposalYear(
            list(found.raised),
            list(found.implemented),
            list(found.awaiting),
            list(found.days_to_decision),
            dict(found.decided),
            dict(found.status_at_end),
            dict(found.funding),
        )
    # A year with no event: nothing raised, decided nor done; the statuses of the last year before it.
    before = [year for year in every.figures if year < start.year]
    if not before:
        return _ProposalYear()
    last = every.figures[max(before)]
    return _ProposalYear(awaiting=list(last.awaiting), status_at_end=dict(last.status_at_end))


@dataclass
class _Years:
    figures: dict[int, _ProposalYear]


def _proposal_years(records: Records, derived: dict[str, History]) -> _Years:
    """`_proposal_year` of every year from the first event to the last, in one pass over the histories
    (proposals in the order of their ids, events in their order, as each year's report lists them)."""
    dates = [event.date.year for history in derived.values() for event in history.events]
    if not dates:
        return _Years({})
    first, last = min(dates), max(dates)
    figures = {year: _ProposalYear() for year in range(first, last + 1)}
    for pid, history in sorted(derived.items()):
        raising = history.raised
        if raising is not None:
            figures[raising.date.year].raised.append(pid)
        validated: list[int] = []
        for event in history.events:
            figure = figures[event.date.year]
            if event.is_decision:
                figure.decided[event.kind] += 1
                if raising is not None:
                    figure.days_to_decision.append((event.date - raising.date).days)
                if event.kind == "validated" and event.date.year not in validated:
                    validated.append(event.date.year)
            if event.kind == "done":
                figure.implemented.append(pid)
        # The status at the end of each year with an event: that of its last day with one.
        at_end = {day.year: status for day, status in history.day_ends()}
        _count_statuses(figures, pid, at_end, last)
        proposal = records.proposals[pid]
        if proposal.cost is not None:
            for year in validated:
                for share in proposal.funding:
                    funding = figures[year].funding
                    funding[share.source] = funding.get(share.source, 0.0) + proposal.cost * share.share / 100
    return _Years(figures)


def _count_statuses(figures: dict[int, _ProposalYear], pid: str, at_end: dict[int, str | None], last: int) -> None:
    """A proposal's status at the end of each year from its first event's to `last` (the status a year
    with no event keeps from the year before), counted in that year's figures, and awaiting a decision."""
    status: str | None = None
    for year in range(min(at_end, default=last + 1), last + 1):
        status = at_end.get(year, status)
        if status is None:
            continue
        figure = figures[year]
        figure.status_at_end[status] = figure.status_at_end.get(status, 0) + 1
        if status in facts.TO_DECIDE:
            figure.awaiting.append(pid)


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
