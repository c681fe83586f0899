"""View models: what each document shows, computed in Python, for templates that only format.

Each audience gets its own view. The usagers edition of the guide is built from
`PublicService`, which has no field for the agents block: the agents' data cannot
reach it. A resident who has not consented is never named: people are turned into
names or counts here, before any template sees them.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from ..cadence import WEEKDAYS_FR
from ..calendar import Row, calendar_rows, holidays_for
from ..labels import (
    GROUP_KINDS,
    MEETING_STATUSES,
    PROPOSAL_STATUSES,
    day_month,
    french_time,
    long_date,
    weekday_date,
)
from ..lifecycle import OPEN, History
from ..loader import Records
from ..models import Meeting
from ..names import group_name, person_name, place_of, theme_title


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


# --- people ---------------------------------------------------------------------------

@dataclass
class PersonLine:
    name: str
    detail: str


@dataclass
class Attendance:
    """Named people, and a sentence counting those who may not be named."""

    named: list[PersonLine]
    counted: str  # « 4 habitants », or ""

    @property
    def empty(self) -> bool:
        return not self.named and not self.counted


def person_detail(records: Records, person_id: str) -> str:
    person = records.people[person_id]
    parts = [person.role] if person.role else []
    service = records.services.get(person.service) if person.service else None
    if service is not None and service.name not in parts:
        parts.append(service.name)
    return ", ".join(parts)


def attendance(records: Records, person_ids: list[str]) -> Attendance:
    named, residents, others = [], 0, 0
    for person_id in person_ids:
        person = records.people[person_id]
        if person.may_be_named:
            named.append(PersonLine(person.name or "", person_detail(records, person_id)))
        elif person.kind == "resident":
            residents += 1
        else:
            others += 1
    counts = []
    if residents:
        counts.append(f"{residents} habitant{'s' if residents > 1 else ''}")
    if others:
        counts.append(f"{others} autre{'s' if others > 1 else ''} participant{'s' if others > 1 else ''}")
    return Attendance(named, " et ".join(counts))


def who_name(records: Records, who: str | None) -> str:
    """An action's `who`: a person (named only with consent) or a service."""
    if who is None:
        return ""
    if who in records.people:
        return person_name(records, who)
    if who in records.services:
        return records.services[who].name
    return who


# --- compte rendu -----------------------------------------------------------------------

@dataclass
class Item:
    """A line of a list: a title, what happened, a note."""

    title: str
    what: str = ""
    note: str = ""


@dataclass
class ActionLine:
    who: str
    what: str
    due: str
    done: str


@dataclass
class OtherGroup:
    group: str
    date: str
    items: list[Item]


@dataclass
class CompteRendu:
    meeting_id: str
    gasp_name: str
    group_name: str
    group_kind: str
    date: str
    weekday_date: str
    iso_date: str
    time: str
    place: str
    address: str
    status: str
    cancelled: bool
    cancel_reason: str
    # Agents and usagers meetings have a tour de table and a chosen subject; référents decide.
    open_format: bool
    present: Attendance
    excused: Attendance
    guests: list[str]
    problems: list[Item]
    topic: str
    discussion: str
    proposals: list[Item]
    decisions: list[Item]
    actions: list[ActionLine]
    next_meeting: str
    others: list[OtherGroup]
    since: str
    authors: str


def _meeting_themes(records: Records, meeting: Meeting) -> set[str]:
    themes = {p.theme for p in meeting.problems_raised if p.theme}
    if meeting.topic:
        themes.add(meeting.topic)
    for item in [*meeting.proposals, *meeting.decisions]:
        proposal = records.proposals.get(item.proposal)
        if proposal is not None:
            themes.add(proposal.theme)
    return themes


def _others_said(records: Records, meeting_id: str, meeting: Meeting) -> tuple[list[OtherGroup], str]:
    """What the other groups said on this meeting's themes since this group last met."""
    own = sorted((m.date, mid) for mid, m in records.meetings.items()
                 if m.group == meeting.group and m.status == "held" and m.date < meeting.date)
    since = own[-1][0] if own else datetime.date.min
    themes = _meeting_themes(records, meeting)
    result = []
    for mid, other in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        if other.group == meeting.group or other.status != "held" or not (since < other.date <= meeting.date):
            continue
        if mid == meeting_id:
            continue
        items = []
        if other.topic in themes:
            items.append(Item(theme_title(records, other.topic), "sujet retenu"))
        for problem in other.problems_raised:
            if problem.theme in themes:
                items.append(Item(theme_title(records, problem.theme), "tour de table", problem.note))
        for event in other.proposals:
            proposal = records.proposals.get(event.proposal)
            if proposal is not None and proposal.theme in themes:
                items.append(Item(proposal.title, f"proposition {PROPOSAL_STATUSES[event.event]}", event.note or ""))
        for decision in other.decisions:
            proposal = records.proposals.get(decision.proposal)
            if proposal is not None and proposal.theme in themes:
                items.append(Item(proposal.title, PROPOSAL_STATUSES[decision.outcome], decision.note or ""))
        if items:
            group = records.groups.get(other.group)
            result.append(OtherGroup(group.name if group else other.group, long_date(other.date), items))
    return result, (long_date(since) if own else "")


def _next_meeting(records: Records, meeting: Meeting, holidays_cache: dict) -> str:
    later = sorted((m.date, mid) for mid, m in records.meetings.items()
                   if m.group == meeting.group and m.date > meeting.date and m.status != "cancelled")
    group = records.groups[meeting.group]
    if later:
        following = records.meetings[later[0][1]]
        time = following.time or group.cadence.time
        place, _ = place_of(records, following.place or group.cadence.place)
        return f"{weekday_date(following.date)} à {french_time(time)}, {place}"
    start = meeting.date + datetime.timedelta(days=1)
    end = meeting.date + datetime.timedelta(days=400)
    key = (start.year, end.year)
    if key not in holidays_cache:
        holidays_cache[key] = holidays_for(records, start, end)
    rows = calendar_rows(records, start, end, holidays_cache[key], [meeting.group])
    if not rows:
        return ""
    row = rows[0]
    place, _ = place_of(records, row.place)
    return f"{weekday_date(row.date)} à {french_time(row.time)}, {place} (date prévue par la cadence)"


def authors(records: Records) -> str:
    names = []
    for person_id, role in ((records.gasp.secretary, "secrétaire"), (records.gasp.sociologist, "sociologue")):
        if person_id and person_id in records.people and records.people[person_id].may_be_named:
            names.append(f"{records.people[person_id].name} ({role})")
    return " et ".join(names)


def compte_rendu(records: Records, meeting_id: str, holidays_cache: dict) -> CompteRendu:
    meeting = records.meetings[meeting_id]
    group = records.groups[meeting.group]
    place, address = place_of(records, meeting.place or group.cadence.place)
    others, since = _others_said(records, meeting_id, meeting)
    return CompteRendu(
        meeting_id=meeting_id,
        gasp_name=records.gasp.name,
        group_name=group.name,
        group_kind=GROUP_KINDS[group.kind],
        date=long_date(meeting.date),
        weekday_date=weekday_date(meeting.date),
        iso_date=meeting.date.isoformat(),
        time=french_time(meeting.time or group.cadence.time),
        place=place,
        address=address,
        status=MEETING_STATUSES[meeting.status],
        cancelled=meeting.status == "cancelled",
        cancel_reason=(meeting.cancel_reason or "") if meeting.status == "cancelled" else "",
        open_format=group.kind in ("agents", "usagers") or bool(meeting.problems_raised or meeting.topic),
        present=attendance(records, meeting.attendees),
        excused=attendance(records, meeting.excused),
        guests=list(meeting.guests),
        problems=[Item(theme_title(records, p.theme), "", p.note) for p in meeting.problems_raised],
        topic=theme_title(records, meeting.topic),
        discussion=meeting.discussion or "",
        proposals=[
            Item(records.proposals[e.proposal].title, PROPOSAL_STATUSES[e.event], e.note or "")
            for e in meeting.proposals if e.proposal in records.proposals
        ],
        decisions=[
            Item(records.proposals[d.proposal].title, PROPOSAL_STATUSES[d.outcome], d.note or "")
            for d in meeting.decisions if d.proposal in records.proposals
        ],
        actions=[
            ActionLine(who_name(records, a.who), a.what, long_date(a.due) if a.due else "",
                       ("oui, le " + long_date(a.done)) if isinstance(a.done, datetime.date)
                       else ("oui" if a.done else "non"))
            for a in meeting.actions
        ],
        next_meeting=_next_meeting(records, meeting, holidays_cache),
        others=others,
        since=since,
        authors=authors(records),
    )


# --- the guide -----------------------------------------------------------------------------

@dataclass
class PublicService:
    """What the usagers edition may show: name, institution, category and the public block."""

    id: str
    name: str
    institution: str
    category: str
    description: str
    tasks: list[str]
    procedures: list[str]
    address: str
    hours: str
    phone: str
    email: str
    website: str
    accessibility: str


@dataclass
class AgentsService(PublicService):
    contact: str = ""
    contact_detail: str = ""
    direct_phone: str = ""
    agents_email: str = ""
    referral: str = ""
    notes: str = ""


@dataclass
class Category:
    name: str
    services: list


@dataclass
class IndexEntry:
    need: str
    service: str
    contact: str
    phone: str


@dataclass
class Guide:
    title: str
    edition: str
    gasp_name: str
    date: str
    categories: list[Category]
    index: list[IndexEntry] = field(default_factory=list)


def _public_fields(records: Records, service_id: str) -> dict:
    service = records.services[service_id]
    public = service.public
    return dict(
        id=service_id, name=service.name, institution=service.institution, category=service.category,
        description=public.description or "", tasks=list(public.tasks), procedures=list(public.procedures),
        address=public.address or "", hours=public.hours or "", phone=public.phone or "",
        email=public.email or "", website=public.website or "", accessibility=public.accessibility or "",
    )


def _by_category(services: list) -> list[Category]:
    categories: dict[str, list] = {}
    for service in sorted(services, key=lambda s: sort_key(s.name)):
        categories.setdefault(service.category, []).append(service)
    return [Category(name, categories[name]) for name in sorted(categories, key=sort_key)]


def guide_usagers(records: Records, today: datetime.date) -> Guide:
    services = [PublicService(**_public_fields(records, sid)) for sid in records.services]
    return Guide("Guide des services publics", "Édition pour les usagers", records.gasp.name, long_date(today),
                 _by_category(services))


def guide_agents(records: Records, today: datetime.date) -> Guide:
    services = []
    for sid, service in records.services.items():
        agents = service.agents
        contact = contact_detail = ""
        if agents is not None and agents.contact and agents.contact in records.people:
            person = records.people[agents.contact]
            contact = person.name if person.may_be_named and person.name else ""
            contact_detail = person_detail(records, agents.contact) if contact else ""
        services.append(AgentsService(
            **_public_fields(records, sid),
            contact=contact, contact_detail=contact_detail,
            direct_phone=(agents.direct_phone or "") if agents else "",
            agents_email=(agents.email or "") if agents else "",
            referral=(agents.referral or "") if agents else "",
            notes=(agents.notes or "") if agents else "",
        ))
    index = [
        IndexEntry(need, service.name, service.contact, service.direct_phone or service.phone)
        for service in services for need in [*service.tasks, *service.procedures]
    ]
    index.sort(key=lambda entry: (sort_key(entry.need), sort_key(entry.service)))
    return Guide("Guide des services publics", "Édition pour les agents", records.gasp.name, long_date(today),
                 _by_category(services), index)


# --- the dossier des référents ------------------------------------------------------------

@dataclass
class EventLine:
    date: str
    group: str
    what: str
    note: str


@dataclass
class DossierProposal:
    id: str
    title: str
    summary: str
    status: str
    origin: str
    waiting: str
    discussions: list[EventLine]
    decisions: list[EventLine]
    cost: str
    funding: str


@dataclass
class DossierTheme:
    title: str
    proposals: list[DossierProposal]


@dataclass
class Dossier:
    gasp_name: str
    title: str
    group_name: str
    meeting_date: str
    iso_date: str
    meeting_time: str
    place: str
    planned_by: str
    # For a meeting already held: the dossier as it stood the day before, and its compte rendu.
    held: bool
    stood_on: str
    meeting_id: str
    themes: list[DossierTheme]
    awaiting: list[DossierProposal]


def _standing_of(history: History, today: datetime.date) -> str:
    from ..trace import standing_of

    return standing_of(history, today)


def next_referents_meeting(records: Records, today: datetime.date) -> Row | None:
    """The next référents meeting: recorded as planned, else the next slot of the calendar."""
    referents = sorted(gid for gid, g in records.groups.items() if g.kind == "referents")
    if not referents:
        return None
    end = today + datetime.timedelta(days=800)
    rows = calendar_rows(records, today, end, holidays_for(records, today, end), referents)
    upcoming = [r for r in rows if r.status != "cancelled" and r.status != "held"]
    recorded = [r for r in upcoming if r.origin == "recorded"]
    if recorded:
        return recorded[0]
    return upcoming[0] if upcoming else None


def dossier(records: Records, derived: dict[str, History], day: datetime.date, meeting: Row) -> Dossier:
    """The proposals awaiting a decision on `day`, for `meeting`: the next one (day: today)
    or one already held (day: the day before it, so that it reads as it was handed out)."""
    proposals_by_theme: dict[str, list[DossierProposal]] = {}
    for pid, history in sorted(derived.items(), key=lambda pair: (pair[1].raised.date if pair[1].raised else day, pair[0])):
        status = history.status_on(day)
        if status not in OPEN:
            continue
        proposal = records.proposals[pid]
        raised = history.raised
        past = [e for e in history.events if e.date <= day]
        funding = ", ".join(f"{f.source} : {f.share:g}\u00a0%" for f in proposal.funding)
        item = DossierProposal(
            id=pid, title=proposal.title, summary=proposal.summary or "", status=PROPOSAL_STATUSES[status],
            origin=(f"{group_name(records, raised.group)}, réunion du {long_date(raised.date)}" if raised else ""),
            waiting=_standing_of(history, day),  # « mise à l’étude depuis le 3 mai 2001 (290 jours), en attente … »
            discussions=[EventLine(long_date(e.date), group_name(records, e.group), PROPOSAL_STATUSES[e.kind], e.note or "")
                         for e in past if e.kind in ("discussed",)],
            decisions=[EventLine(long_date(e.date), group_name(records, e.group), PROPOSAL_STATUSES[e.kind], e.note or "")
                       for e in past if e.is_decision],
            cost=euros(proposal.cost) if proposal.cost is not None else "",
            funding=funding,
        )
        proposals_by_theme.setdefault(proposal.theme, []).append(item)
    themes = [DossierTheme(theme_title(records, tid), items)
              for tid, items in sorted(proposals_by_theme.items(), key=lambda pair: sort_key(theme_title(records, pair[0])))]
    place, _ = place_of(records, meeting.place)
    kind = records.groups[meeting.group].kind if meeting.group in records.groups else "referents"
    held = meeting.status == "held"
    return Dossier(
        gasp_name=records.gasp.name,
        title="Dossier de la réunion intergroupes" if kind == "intergroupes" else "Dossier des référents",
        group_name=group_name(records, meeting.group),
        meeting_date=weekday_date(meeting.date),
        iso_date=meeting.date.isoformat(),
        meeting_time=french_time(meeting.time),
        place=place,
        planned_by=("réunion tenue" if held else
                    "réunion enregistrée" if meeting.origin == "recorded" else "date prévue par la cadence"),
        held=held,
        stood_on=long_date(day),
        meeting_id=meeting.meeting or "",
        themes=themes,
        awaiting=[p for theme in themes for p in theme.proposals],
    )


# --- calendar page and index ---------------------------------------------------------------

@dataclass
class CalendarLine:
    date: str
    time: str
    group: str
    place: str
    status: str
    note: str


@dataclass
class CalendarPage:
    gasp_name: str
    year: int
    lines: list[CalendarLine]


def calendar_page(records: Records, rows: list[Row], year: int) -> CalendarPage:
    lines = []
    for row in rows:
        place, _ = place_of(records, row.place)
        status = MEETING_STATUSES[row.status] + (" (cadence)" if row.origin == "planned" else "")
        notes = []
        if row.moved_from:
            notes.append(f"décalée du {long_date(row.moved_from)} ({row.reason})" if row.reason
                         else f"décalée du {long_date(row.moved_from)}")
        meeting = records.meetings.get(row.meeting) if row.meeting else None
        if meeting is not None and meeting.status == "cancelled" and meeting.cancel_reason:
            notes.append(meeting.cancel_reason)
        note = " ; ".join(notes)
        lines.append(CalendarLine(f"{WEEKDAYS_FR[row.date.weekday()]} {long_date(row.date)}", french_time(row.time),
                                  group_name(records, row.group), place, status, note))
    return CalendarPage(records.gasp.name, year, lines)


@dataclass
class IndexGroup:
    """The documents of one year within a section (title "" when a section is not split by year)."""

    title: str
    links: list


@dataclass
class IndexSection:
    title: str
    groups: list[IndexGroup]


@dataclass
class IndexPage:
    gasp_name: str
    date: str
    sections: list[IndexSection]


# (path prefix, title, split by year, newest first)
_SECTIONS = [
    ("comptes-rendus/", "Comptes rendus", True, True),
    ("suivi", "Vous avez dit, nous avons fait", False, False),
    ("propositions/", "Propositions", False, False),
    ("referents/", "Dossiers des référents", True, True),
    ("guide/", "Guide des services publics", False, False),
    ("calendrier/", "Calendrier", False, False),
    ("rapport/", "Rapports annuels", False, True),
]
_FORMAT_ORDER = ["html", "pdf", "md", "ics"]


def _describe_output(records: Records, stem: str, today: datetime.date) -> tuple[str, str]:
    """(title, date) of an output, from its path."""
    name = stem.rsplit("/", 1)[-1]
    if stem.startswith("comptes-rendus/") and name in records.meetings:
        meeting = records.meetings[name]
        status = " (annulée)" if meeting.status == "cancelled" else ""
        return f"{group_name(records, meeting.group)}{status}", meeting.date.isoformat()
    if stem.startswith("referents/dossier-"):
        iso = name.removeprefix("dossier-")
        held = [m for m in records.meetings.values() if m.date.isoformat() == iso and m.status == "held"
                and m.group in records.groups and records.groups[m.group].kind in ("referents", "intergroupes")]
        if held:
            return f"{group_name(records, held[0].group)} : réunion tenue (le dossier de la veille)", iso
        return "Prochaine réunion des référents", iso
    if stem.startswith("propositions/") and name in records.proposals:
        raised = [m.date for m in records.meetings.values() if m.status == "held"
                  and any(e.proposal == name and e.event == "raised" for e in m.proposals)]
        return records.proposals[name].title, min(raised).isoformat() if raised else ""
    if stem == "suivi":
        return "Ce que les usagers ont proposé, où en est chaque proposition", today.isoformat()
    if stem == "guide/guide-usagers":
        return "Édition pour les usagers", today.isoformat()
    if stem == "guide/guide-agents":
        return "Édition pour les agents", today.isoformat()
    if stem.startswith("calendrier/calendrier-"):
        return f"Calendrier {name.removeprefix('calendrier-')}", name.removeprefix("calendrier-")
    if stem.startswith("rapport/rapport-"):
        return f"Rapport {name.removeprefix('rapport-')}", name.removeprefix("rapport-")
    return name, ""


@dataclass
class IndexEntryLine:
    title: str
    date: str
    href: str
    formats: list[tuple[str, str]]


def index_page(records: Records, paths: list[str], today: datetime.date) -> IndexPage:
    stems: dict[str, list[str]] = {}
    for path in sorted(paths):
        if path == "index.html" or "." not in path.rsplit("/", 1)[-1]:
            continue
        stem, extension = path.rsplit(".", 1)
        stems.setdefault(stem, []).append(extension)
    sections = []
    for prefix, title, by_year, newest_first in _SECTIONS:
        entries = []
        for stem, extensions in stems.items():
            if not (stem.startswith(prefix) if prefix.endswith("/") else stem == prefix):
                continue
            formats = sorted(extensions, key=lambda e: _FORMAT_ORDER.index(e) if e in _FORMAT_ORDER else 99)
            label, date = _describe_output(records, stem, today)
            shown = long_date(datetime.date.fromisoformat(date)) if len(date) == 10 else date
            entries.append((date, sort_key(label), IndexEntryLine(label, shown, f"{stem}.{formats[0]}",
                                                                  [(f.upper(), f"{stem}.{f}") for f in formats])))
        if not entries:
            continue
        entries.sort(key=lambda entry: entry[:2], reverse=newest_first)
        groups: dict[str, list[IndexEntryLine]] = {}
        for date, _, line in entries:
            groups.setdefault(date[:4] if by_year else "", []).append(line)
        sections.append(IndexSection(title, [IndexGroup(year, links) for year, links in groups.items()]))
    return IndexPage(records.gasp.name, long_date(today), sections)


# --- the annual report -----------------------------------------------------------------------

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
    # Set for a year before the Gasp existed: the only thing the report says.
    not_yet: str = ""
    # The sociologist's indicators of the year (gasp_cli/documents/indicateurs.py).
    indicators: object = None


STATUS_COLOURS = {
    "raised": "#9fb8d0", "discussed": "#6f95b8", "deferred": "#c9a227", "study": "#b07d1a",
    "validated": "#4f9d69", "in-progress": "#2e7d32", "done": "#1b5e20",
    "rejected": "#b3261e", "withdrawn": "#8d8d8d", "abandoned": "#6d4c41",
}

# The decisions of the year, as the table and the chart both name them.
DECISIONS_OF_THE_YEAR = {
    "validated": "Validées dans l’année",
    "rejected": "Refusées dans l’année",
    "deferred": "Ajournées dans l’année",
    "study": "Mises à l’étude dans l’année",
}


def _service_label(records: Records, service_id: str) -> str:
    service = records.services.get(service_id)
    return f"{service.institution} — {service.name}" if service else service_id


def report_view(records: Records, report) -> ReportView:
    from ..documents.indicateurs import build as indicator_section
    from ..vocabulary import days, plural

    end = datetime.date(report.year, 12, 31)
    cutoff = "" if report.cutoff >= end else f"État au {long_date(report.cutoff)}"
    longest = max([max(g.due, g.held) for g in report.groups] + [1])
    chart = [
        BarGroup(g.name, [Bar("prévues" if g.due > 1 else "prévue", g.due, g.due / longest, "#c9d3dd"),
                          Bar("tenues" if g.held > 1 else "tenue", g.held, g.held / longest, "#33658a")])
        for g in report.groups
    ]
    figures = [
        ("Soulevées dans l’année", len(report.raised), STATUS_COLOURS["raised"]),
        *((DECISIONS_OF_THE_YEAR[o], n, STATUS_COLOURS[o]) for o, n in report.decided.items()),
        ("En attente de décision à la fin de l’année", len(report.awaiting), STATUS_COLOURS["discussed"]),
        ("Réalisées dans l’année", len(report.implemented), STATUS_COLOURS["done"]),
    ]
    most = max([n for _, n, _ in figures] + [1])
    status_chart = [BarGroup(words, [Bar(words, n, n / most, colour)]) for words, n, colour in figures]

    def membership(m) -> str:
        where = f" ({m.institution})" if m.institution else ""
        return f"{m.label}{where}, le {long_date(m.date)}"

    def titles(ids: list[str]) -> list[str]:
        return [records.proposals[pid].title for pid in ids]

    def attendance_words(g) -> str:
        if not g.attendance:
            return "—"
        mean = f"{french_number(g.attendance_mean)} en moyenne"
        return mean if g.attendance_min == g.attendance_max else f"{mean} ({g.attendance_min} à {g.attendance_max})"

    institutions = sorted((_service_label(records, sid) for sid in report.institutions), key=sort_key)
    overdue = sum(a.overdue for a in report.open_actions)
    median = report.median_days_to_decision
    minutes = report.median_days_to_minutes
    total = sum(report.funding.values())
    not_yet = ""
    if report.before_gasp:
        not_yet = f"Le Gasp n’existait pas encore en {report.year} : il a commencé le {long_date(report.created)}."
    return ReportView(
        gasp_name=records.gasp.name,
        year=report.year,
        title=f"Rapport annuel {report.year}",
        cutoff=cutoff,
        groups=[
            ReportGroup(g.name, GROUP_KINDS[g.kind], g.due, g.held, g.cancelled, attendance_words(g))
            for g in report.groups
        ],
        meetings_chart=chart,
        institutions=institutions,
        joined=[membership(m) for m in report.joined],
        left=[membership(m) for m in report.left],
        themes_by_group=[(group_name(records, gid), sorted((theme_title(records, t) for t in themes), key=sort_key))
                         for gid, themes in report.themes_by_group.items()],
        shared_themes=sorted(((theme_title(records, t), [group_name(records, g) for g in gids])
                              for t, gids in report.shared_themes.items()), key=lambda pair: sort_key(pair[0])),
        raised=titles(report.raised),
        decided=[(DECISIONS_OF_THE_YEAR[o], n) for o, n in report.decided.items()],
        awaiting=titles(report.awaiting),
        implemented=titles(report.implemented),
        median_days=(days(median) if median is not None else "aucune décision cette année"),
        status_chart=status_chart,
        open_actions=[
            ActionLine(who_name(records, a.who), a.what, long_date(a.due) if a.due else "",
                       "en retard" if a.overdue else "à faire")
            for a in report.open_actions
        ],
        overdue_count=overdue,
        funding=[(source, euros(amount)) for source, amount in report.funding.items()],
        funding_total=euros(total) if report.funding else "",
        next_year=_next_year_short(records, report.next_year),
        proposal_figures=[(words, n) for words, n, _ in figures],
        institutions_line=plural(len(institutions), "institution ou service représenté"),
        guest_institutions=sorted((_service_label(records, sid) for sid in report.guest_institutions), key=sort_key),
        open_actions_line=(plural(len(report.open_actions), "action ouverte")
                           + (f", dont {overdue} en retard" if overdue else "")),
        commitment=("" if report.decided_within_commitment is None else
                    f"{plural(report.decided_within_commitment, 'proposition')} "
                    f"{'a reçu sa' if report.decided_within_commitment < 2 else 'ont reçu leur'} première réponse "
                    f"des référents dans les {days(report.decision_within_days)} promis"),
        median_minutes=(days(minutes) if minutes is not None else ""),
        not_yet=not_yet,
        indicators=indicator_section(records, report.year, report.cutoff),
    )


def _next_year_short(records: Records, rows: list[Row]) -> list[tuple[str, list[str]]]:
    from ..report import KIND_ORDER

    by_group: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: (KIND_ORDER.index(records.groups[r.group].kind), r.group, r.date)):
        by_group.setdefault(group_name(records, row.group), []).append(day_month(row.date))
    return list(by_group.items())
