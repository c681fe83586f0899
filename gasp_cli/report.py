"""The annual report for the inter-group meeting: pure computation over one year.

Built on the same pieces as the other commands: cadence periods for what was due,
`lifecycle.histories` for proposals, the calendar for next year.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from .cadence import due_periods, nominal_slot
from .calendar import Holidays, Row, calendar_rows, group_start
from .lifecycle import DECISIONS, OPEN, History
from .loader import Records


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
        return round(statistics.fmean(self.attendance), 1) if self.attendance else None

    @property
    def attendance_min(self) -> int | None:
        return min(self.attendance) if self.attendance else None

    @property
    def attendance_max(self) -> int | None:
        return max(self.attendance) if self.attendance else None


@dataclass
class Membership:
    person: str
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
    # The Gasp did not exist yet that year: before gasp.yaml's `created` and before any meeting.
    before_gasp: bool = False
    created: datetime.date | None = None  # the day it began: creation or first meeting

    @property
    def median_days_to_decision(self) -> float | None:
        return statistics.median(self.days_to_decision) if self.days_to_decision else None

    @property
    def median_days_to_minutes(self) -> float | None:
        return statistics.median(self.days_to_minutes) if self.days_to_minutes else None

    def as_json(self) -> dict:
        """The keys of DESIGN.md, in its order: everything the pages show."""
        return {
            "year": self.year,
            "groups": {
                g.id: {"kind": g.kind, "due": g.due, "held": g.held, "cancelled": g.cancelled,
                       "attendance_mean": g.attendance_mean,
                       "attendance_min": g.attendance_min, "attendance_max": g.attendance_max}
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
        }


KIND_ORDER = ("agents", "usagers", "referents", "intergroupes")


def _groups_in_order(records: Records) -> list:
    """Agents, usagers, référents, intergroupes: the order of the method."""
    return sorted(records.groups.items(), key=lambda pair: (KIND_ORDER.index(pair[1].kind), pair[0]))


def _whole_or_none(value: float | None) -> int | float | None:
    return None if value is None else _whole(value)


def _commitment(records: Records, key: str) -> int | None:
    """gasp.yaml's `commitments.<key>`, or None: read whether the model has the block or not."""
    commitments = getattr(records.gasp, "commitments", None) if records.gasp is not None else None
    if commitments is None:
        return None
    value = commitments.get(key) if isinstance(commitments, dict) else getattr(commitments, key, None)
    return value if isinstance(value, int) else None


def _whole(amount: float) -> int | float:
    amount = round(amount, 2)
    return int(amount) if amount == int(amount) else amount


def _person_label(records: Records, person_id: str) -> str:
    person = records.people[person_id]
    if person.may_be_named and person.name:
        return person.name
    return person.role or "un membre"


def _institution(records: Records, person_id: str) -> str:
    person = records.people.get(person_id)
    service = records.services.get(person.service) if person and person.service else None
    return f"{service.institution} — {service.name}" if service else ""


def _service_id(records: Records, person_id: str) -> str | None:
    person = records.people.get(person_id)
    return person.service if person and person.service in records.services else None


def annual_report(
    records: Records,
    derived: dict[str, History],
    year: int,
    today: datetime.date,
    holidays_next_year: Holidays | None = None,
) -> Report:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    cutoff = min(end, today)
    in_year = {mid: m for mid, m in sorted(records.meetings.items()) if start <= m.date <= end}

    groups = []
    for gid, group in _groups_in_order(records):
        first = group_start(records, gid)
        due = 0
        if first is not None and cutoff >= start:
            for period in due_periods(group.cadence, start, cutoff):
                slot = nominal_slot(group.cadence, period)
                if slot is not None and first <= slot <= cutoff and period.year == year:
                    due += 1
        mine = [m for m in in_year.values() if m.group == gid]
        held = [m for m in mine if m.status == "held"]
        groups.append(GroupYear(gid, group.name, group.kind, due, len(held),
                                sum(m.status == "cancelled" for m in mine), [len(m.attendees) for m in held]))

    # The agents group: institutions represented during the year, who joined and who left.
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
            if start <= member.since <= end:
                joined.append(Membership(member.person, _person_label(records, member.person), institution, member.since))
            if member.until is not None and start <= member.until <= end:
                left.append(Membership(member.person, _person_label(records, member.person), institution, member.until))

    # Themes each group raised in its held meetings of the year.
    themes_by_group: dict[str, set[str]] = {}
    for meeting in in_year.values():
        if meeting.status != "held":
            continue
        themes = {p.theme for p in meeting.problems_raised if p.theme}
        if meeting.topic:
            themes.add(meeting.topic)
        for event in meeting.proposals:
            if event.event == "raised" and event.proposal in records.proposals:
                themes.add(records.proposals[event.proposal].theme)
        themes_by_group.setdefault(meeting.group, set()).update(t for t in themes if t in records.themes)
    order = [gid for gid, _ in _groups_in_order(records)]
    themes_by_group = {gid: themes_by_group[gid] for gid in order if themes_by_group.get(gid)}
    shared: dict[str, list[str]] = {}
    for gid, themes in themes_by_group.items():
        for theme in themes:
            shared.setdefault(theme, []).append(gid)
    shared = {theme: gids for theme, gids in sorted(shared.items()) if len(gids) > 1}

    raised, implemented, awaiting, days = [], [], [], []
    decided = {outcome: 0 for outcome in DECISIONS}
    status_at_end: dict[str, int] = {}
    funding: dict[str, float] = {}
    for pid, history in sorted(derived.items()):
        first = history.raised
        if first is not None and start <= first.date <= end:
            raised.append(pid)
        validated_this_year = False
        for event in history.events:
            if not (start <= event.date <= end):
                continue
            if event.is_decision:
                decided[event.kind] += 1
                if first is not None:
                    days.append((event.date - first.date).days)
                validated_this_year |= event.kind == "validated"
            if event.kind == "done":
                implemented.append(pid)
        status = history.status_on(end)
        if status is not None:
            status_at_end[status] = status_at_end.get(status, 0) + 1
        if status in OPEN:
            awaiting.append(pid)
        proposal = records.proposals[pid]
        if validated_this_year and proposal.cost is not None:
            for share in proposal.funding:
                funding[share.source] = funding.get(share.source, 0.0) + proposal.cost * share.share / 100

    # Occasional institutions: a guest that is a service id (a bailleur, a transporteur).
    guest_institutions = sorted({
        guest for meeting in in_year.values() if meeting.status == "held"
        for guest in getattr(meeting, "guests", None) or [] if isinstance(guest, str) and guest in records.services
    })

    # The référents' commitment: proposals whose first answer, given this year, came within N days.
    decision_within_days = _commitment(records, "decision_within_days")
    within: int | None = None
    if decision_within_days is not None:
        within = 0
        for history in derived.values():
            first_decision = next((e for e in history.events if e.is_decision), None)
            raising = history.raised
            if (first_decision is not None and raising is not None and start <= first_decision.date <= end
                    and (first_decision.date - raising.date).days <= decision_within_days):
                within += 1

    days_to_minutes = []
    for meeting in in_year.values():
        sent = getattr(meeting, "minutes_sent", None)
        if meeting.status == "held" and isinstance(sent, datetime.date):
            days_to_minutes.append((sent - meeting.date).days)

    # The Gasp exists from its creation, or from its first recorded meeting if that came earlier.
    created = records.gasp.created if records.gasp is not None else None
    first_meeting = min((m.date for m in records.meetings.values()), default=None)
    began = min((day for day in (created, first_meeting) if day is not None), default=None)
    before_gasp = began is not None and year < began.year

    open_actions = []
    for mid, meeting in sorted(records.meetings.items()):
        if meeting.date > end:
            continue
        for action in meeting.actions:
            done = action.done  # False, True, or the date it was done
            still_open = done is False or (done is not True and done > end)
            if still_open:
                overdue = action.due is not None and action.due < cutoff
                open_actions.append(OpenAction(action.what, action.who, action.due, mid, overdue))

    next_year: list[Row] = []
    if holidays_next_year is not None:
        next_year = calendar_rows(records, datetime.date(year + 1, 1, 1), datetime.date(year + 1, 12, 31),
                                  holidays_next_year)

    return Report(
        year=year, cutoff=cutoff, groups=groups, institutions=sorted(institutions),
        joined=sorted(joined, key=lambda m: (m.date, m.label)), left=sorted(left, key=lambda m: (m.date, m.label)),
        themes_by_group={gid: sorted(themes) for gid, themes in themes_by_group.items()},
        shared_themes=shared, raised=raised, decided=decided, awaiting=awaiting, implemented=implemented,
        days_to_decision=days, status_at_end=status_at_end, open_actions=open_actions,
        funding=dict(sorted(funding.items())), next_year=next_year,
        guest_institutions=guest_institutions, decision_within_days=decision_within_days,
        decided_within_commitment=within, days_to_minutes=days_to_minutes,
        before_gasp=before_gasp, created=began,
    )
