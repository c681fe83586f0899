"""The dossier of a référents (or intergroupes) meeting: the proposals awaiting a decision,
by theme, as they stood the day before a held meeting, or today for the next one.

With a commitment (`decision_within_days` in gasp.yaml), the proposals late (not answered
past it, gasp_cli/facts.py) come first, in a section of their own, each saying by how many
days it is late; the table of the decisions to take lists them first too. A deferred or
studied proposal is answered and still to decide: it is listed under its theme, never late."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from .. import facts
from ..calendar import Holidays, Row, calendar_rows, holidays_for
from ..lifecycle import Event, History
from ..loader import Records
from ..names import gasp_name, group_name, place_of, theme_title
from ..vocabulary import (
    PROPOSAL_STATUSES,
    decides,
    euros,
    french_time,
    long_date,
    plural,
    sort_key,
    weekday_date,
)
from .base import Output, Run, Template

FORMATS: dict[str, Template] = {
    "md": "dossier-referents.md.j2",
    "html": "dossier-referents.html.j2",
    "pdf": "dossier-referents.typ.j2",
}


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
    # « En retard de 70 jours sur l’engagement de réponse en 180 jours (thème : …) », or "" when on time.
    late: str = ""
    late_days: int = 0


@dataclass
class DossierTheme:
    title: str
    proposals: list[DossierProposal]
    # The first section, with a commitment: the proposals past it, whatever their theme.
    late: bool = False


@dataclass
class QuietProposal:
    """A proposal that has waited more than QUIET_AFTER with nothing new: one line, its story on its page."""

    id: str
    title: str
    since: str  # « ajournée depuis le 19 décembre 1980 »


@dataclass
class QuietTheme:
    title: str
    proposals: list[QuietProposal]


# The référents decide at least once a year: a proposal that has waited longer than that with
# nothing new (no discussion, no decision) is listed in one line, and its history is on its
# own page (propositions/<id>). At forty years of the benchmark's Gasp, the 950 such
# proposals in full made a 250-page dossier that Typst needed 340 MB to lay out.
QUIET_AFTER = datetime.timedelta(days=365)


def quiet(history: History, day: datetime.date) -> bool:
    """Whether nothing has happened to a proposal for more than QUIET_AFTER before `day`."""
    last = max((e.date for e in history.events if e.date <= day), default=None)
    return last is not None and day - last > QUIET_AFTER


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
    # The proposals past the commitment come first (a theme of their own, `late`), in full.
    themes: list[DossierTheme]  # the proposals in full: late, or something new within QUIET_AFTER
    quiet: list[QuietTheme]  # the others, one line each
    quiet_count: int
    quiet_intro: str  # « 950 propositions attendent une décision sans rien de nouveau depuis plus d’un an … »
    to_decide: list[DossierProposal]  # the table « Décisions attendues »: those in full, late first
    awaiting: list[DossierProposal]  # every proposal awaiting a decision, in full or quiet
    # Past the commitment, most late first: shown before the themes (the first of `themes`).
    late: list[DossierProposal] = field(default_factory=list)
    # « L’engagement du Gasp : une réponse des référents dans les 180 jours … », or "" without one.
    commitment: str = ""


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


def _event_lines(records: Records, events: list[Event]) -> list[EventLine]:
    return [
        EventLine(long_date(e.date), group_name(records, e.group), PROPOSAL_STATUSES[e.kind], e.note or "")
        for e in events
    ]


def _in_full(records: Records, pid: str, history: History, day: datetime.date) -> DossierProposal:
    """A proposal awaiting a decision, as the dossier shows it in full: where it comes from,
    how long it has waited, its discussions and decisions up to `day`, its cost and funding."""
    proposal = records.proposals[pid]
    raised = history.raised
    past = [e for e in history.events if e.date <= day]
    return DossierProposal(
        id=pid,
        title=proposal.title,
        summary=proposal.summary or "",
        status=PROPOSAL_STATUSES[cast(str, history.status_on(day))],  # awaiting_decision: a status
        origin=(f"{group_name(records, raised.group)}, réunion du {long_date(raised.date)}" if raised else ""),
        waiting=_standing_of(history, day),  # « mise à l’étude depuis le 3 mai 2001 (290 jours), en attente … »
        discussions=_event_lines(records, [e for e in past if e.kind in ("discussed",)]),
        decisions=_event_lines(records, [e for e in past if e.is_decision]),
        cost=euros(proposal.cost) if proposal.cost is not None else "",
        funding=", ".join(f"{f.source} : {f.share:g}\u00a0%" for f in proposal.funding),
    )


def _mark_late(records: Records, item: DossierProposal, late_by: int, within_days: int | None) -> None:
    """« En retard de 70 jours sur l’engagement de réponse en 180 jours (thème : …) »."""
    item.late_days = late_by
    item.late = (
        f"En retard de {plural(late_by, 'jour')} sur l’engagement de réponse en "
        f"{plural(within_days or 0, 'jour')} (thème : {theme_title(records, records.proposals[item.id].theme)})"
    )


def _quiet_line(records: Records, pid: str, history: History, day: datetime.date) -> QuietProposal:
    """« ajournée depuis le 19 décembre 1980 »: a proposal with nothing new, in one line."""
    setting = history.status_event(day)
    since = f" depuis le {long_date(setting.date)}" if setting else ""
    status = PROPOSAL_STATUSES[cast(str, history.status_on(day))]
    return QuietProposal(pid, records.proposals[pid].title, f"{status}{since}")


@dataclass
class _Awaiting:
    """The proposals awaiting a decision on a day, sorted out: late, by theme, quiet by theme."""

    late: list[DossierProposal] = field(default_factory=list)
    by_theme: dict[str, list[DossierProposal]] = field(default_factory=dict)
    quiet_by_theme: dict[str, list[QuietProposal]] = field(default_factory=dict)
    quiet_ids: set[str] = field(default_factory=set)


def _awaiting(records: Records, derived: dict[str, History], day: datetime.date) -> _Awaiting:
    """Every proposal to decide on `day`, oldest raised first: the late ones (most late first)
    apart, the others by theme, and among those the quiet ones also in one line."""
    run = facts.of(records, derived)
    found = _Awaiting()
    for pid in run.to_decide_on(day):
        history = derived[pid]
        answer = run.answer(pid, day)
        item = _in_full(records, pid, history, day)
        if answer.late_by is not None:
            _mark_late(records, item, answer.late_by, run.decision_within_days)
            found.late.append(item)
            continue
        theme = records.proposals[pid].theme
        found.by_theme.setdefault(theme, []).append(item)
        if quiet(history, day):
            found.quiet_by_theme.setdefault(theme, []).append(_quiet_line(records, pid, history, day))
            found.quiet_ids.add(pid)
    found.late.sort(key=lambda p: -p.late_days)  # stable: the oldest raised first among equals
    return found


def _planned_by(meeting: Row) -> str:
    if meeting.status == "held":
        return "réunion tenue"
    return "réunion enregistrée" if meeting.origin == "recorded" else "date prévue par la cadence"


def _quiet_intro(count: int) -> str:
    return (
        f"{plural(count, 'proposition')} {'attend' if count == 1 else 'attendent'} "
        "une décision sans rien de nouveau depuis plus d’un an (ni discussion ni décision) : "
        "une ligne chacune, avec son statut ; l’histoire de chacune est sur sa page."
    )


def _commitment(within_days: int | None) -> str:
    if within_days is None:
        return ""
    return (
        f"L’engagement du Gasp : les référents répondent à une proposition dans les "
        f"{plural(within_days, 'jour')} qui suivent le jour où elle a été soulevée."
    )


def build(records: Records, derived: dict[str, History], day: datetime.date, meeting: Row) -> Dossier:
    """The proposals awaiting a decision on `day`, for `meeting`: the next one (day: today)
    or one already held (day: the day before it, so that it reads as it was handed out)."""
    within_days = facts.of(records, derived).decision_within_days
    found = _awaiting(records, derived, day)
    late, quiet_ids = found.late, found.quiet_ids
    by_title = sorted(found.by_theme.items(), key=lambda pair: sort_key(theme_title(records, pair[0])))
    awaiting = late + [item for _, items in by_title for item in items]
    themes = [
        DossierTheme(theme_title(records, tid), in_full)
        for tid, items in by_title
        if (in_full := [item for item in items if item.id not in quiet_ids])
    ]
    if late:
        themes.insert(
            0,
            DossierTheme(
                f"En retard sur l’engagement de réponse en {plural(within_days or 0, 'jour')}", late, late=True
            ),
        )
    quiet_themes = [
        QuietTheme(theme_title(records, tid), items)
        for tid, items in sorted(found.quiet_by_theme.items(), key=lambda pair: sort_key(theme_title(records, pair[0])))
    ]
    place, _ = place_of(records, meeting.place)
    kind = records.groups[meeting.group].kind if meeting.group in records.groups else "referents"
    return Dossier(
        gasp_name=gasp_name(records),
        title="Dossier de la réunion intergroupes" if kind == "intergroupes" else "Dossier des référents",
        group_name=group_name(records, meeting.group),
        meeting_date=weekday_date(meeting.date),
        iso_date=meeting.date.isoformat(),
        meeting_time=french_time(meeting.time),
        place=place,
        planned_by=_planned_by(meeting),
        held=meeting.status == "held",
        stood_on=long_date(day),
        meeting_id=meeting.meeting or "",
        themes=themes,
        quiet=quiet_themes,
        quiet_count=len(quiet_ids),
        quiet_intro=_quiet_intro(len(quiet_ids)),
        to_decide=[p for theme in themes for p in theme.proposals],
        awaiting=awaiting,
        late=late,
        commitment=_commitment(within_days),
    )


def meetings(records: Records, today: datetime.date) -> list[tuple[Row, datetime.date]]:
    """The dossiers to write, each with the day its state is taken on: one for every held
    référents or intergroupes meeting, as it stood the day before (histories are derived,
    so a past dossier can be rebuilt), and one for the next référents meeting, as of today."""
    held = sorted(
        (m.date, mid)
        for mid, m in records.meetings.items()
        if m.status == "held" and m.date <= today and decides(records.groups[m.group].kind)
    )
    found: dict[datetime.date, tuple[Row, datetime.date]] = {}
    for day, meeting_id in held:
        group = records.meetings[meeting_id].group
        # Only the recorded row is wanted: holidays move cadence slots, never a recorded meeting.
        row = next(r for r in calendar_rows(records, day, day, Holidays(), [group]) if r.meeting == meeting_id)
        found.setdefault(day, (row, day - datetime.timedelta(days=1)))
    upcoming = next_referents_meeting(records, today)
    if upcoming is not None:
        found.setdefault(upcoming.date, (upcoming, today))
    return [found[day] for day in sorted(found)]


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a dossier (`dossier-AAAA-MM-JJ`)."""
    if not name.startswith("dossier-"):
        return None
    iso = name.removeprefix("dossier-")
    held = [
        m
        for m in records.meetings.values()
        if m.date.isoformat() == iso
        and m.status == "held"
        and m.group in records.groups
        and decides(records.groups[m.group].kind)
    ]
    if held:
        return f"{group_name(records, held[0].group)} : réunion tenue (le dossier de la veille)", iso
    return "Prochaine réunion des référents", iso


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """A dossier for each of `meetings`; not on the residents' site."""
    records, deps = run.records, run.dependencies
    for row, stood_on in meetings(records, run.request.today):
        yield Output(
            f"referents/dossier-{row.date.isoformat()}",
            FORMATS,
            functools.partial(build, records, run.derived, stood_on, row),
            f"dossier-{row.date.isoformat()}",
            inputs=(stood_on, row, deps.dossier(stood_on, row.date)),
        )
