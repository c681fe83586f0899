"""The convocation of a planned meeting, `convocations/<meeting-id>.*`: when, where, how long,
and « Depuis votre dernière réunion » — the link the secretary and the sociologist make
between the groups (seed: residents discuss « les projets en cours et les thématiques
travaillées par les agents »).

Agents and usagers meetings have no agenda (the method: a tour de table, then the group
picks a subject), so their convocation says what the other groups did since this group last
met: to the usagers, the themes the agents worked on, the projects under way and where each
stands, the latest decisions; to the agents, what the residents raised. The référents get the
points to decide (the dossier's, with the commitment), the inter-group meeting the year in a
few lines.

The usagers' and the inter-group meeting's convocations also go to the residents' site: that
edition (`public=True`) goes through the site's rule — of a group whose comptes rendus are not
public, only its meeting dates and its decisions, never its topics, tour de table or notes.
Nobody is named in a convocation but the secretary who signs it (with consent, as everywhere).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..calendar import Row, row_of
from ..lifecycle import IMPLEMENTING, History, histories
from ..loader import Records
from ..models import Meeting
from ..names import gasp_name, group_name, place_of, published_name, theme_title
from ..public import shown_whole
from ..vocabulary import (
    PROPOSAL_STATUSES,
    french_time,
    has_open_format,
    long_date,
    plural,
    status_word,
    weekday_date,
)
from . import emargement
from .base import Item, Output, Page, Run, Template

FORMATS: dict[str, Template] = {
    "md": "convocation.md.j2",
    "html": "convocation.html.j2",
    "pdf": "convocation.typ.j2",
}
SITE_HTML: Template = "site-convocation.html.j2"  # its page on the residents' site
# The plain text of the e-mail (`gasp mail`): French prose, no markup.
TEXT: Template = "convocation.txt.j2"

# `gasp render` writes the convocation of every planned meeting of the next six weeks: a
# monthly group's next meeting is always in it, a quarterly group's once its date nears,
# and the secretary sends it two to four weeks ahead. Any planned meeting named on the
# command line gets its own, whatever its date.
WINDOW = datetime.timedelta(weeks=6)

# The groups whose convocations are public: the meetings residents attend.
PUBLIC_KINDS = frozenset({"usagers", "intergroupes"})

_DECIDED_BY = {"referents": "par les référents", "intergroupes": "en réunion intergroupes"}


@dataclass
class Section:
    """A part of « Depuis votre dernière réunion »: a title, its lines, what to say when it has none."""

    title: str
    items: list[Item]
    empty: str = ""
    intro: str = ""


@dataclass
class Convocation:
    meeting_id: str
    gasp_name: str
    group_name: str
    date: str  # « jeudi 10 décembre 2026 »
    iso_date: str
    time: str  # « 18 h »
    end: str  # « 20 h »
    duration: str  # « 2 heures »
    place: str
    address: str
    accessibility: str
    # Agents and usagers: no agenda, a tour de table then a subject the group picks.
    open_format: bool
    since: str  # « depuis votre dernière réunion, le 10 septembre 2026 », or « depuis la création du Gasp »
    since_text: str  # the same, starting a sentence
    sections: list[Section]
    secretary: str  # the secretary who convenes, named with consent, or ""
    public: bool = False
    commitment: str = ""
    notes: list[str] = field(default_factory=list)


def upcoming(records: Records, today: datetime.date) -> list[str]:
    """The planned meetings of the next weeks (WINDOW), whose convocations `gasp render` writes."""
    return sorted(
        mid
        for mid, meeting in records.meetings.items()
        if meeting.status == "planned" and today <= meeting.date <= today + WINDOW and meeting.group in records.groups
    )


def is_public(records: Records, meeting_id: str) -> bool:
    """Whether this meeting's convocation goes to the residents' site (usagers, intergroupes)."""
    meeting = records.meetings[meeting_id]
    group = records.groups.get(meeting.group)
    return group is not None and group.kind in PUBLIC_KINDS


def _duration(minutes: int) -> str:
    """« 2 heures », « 1 h 30 », « 45 minutes »."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return plural(rest, "minute")
    return f"{hours} h {rest:02d}" if rest else plural(hours, "heure")


def _end(time: str, minutes: int) -> str:
    hour, minute = (int(part) for part in time.split(":"))
    end = datetime.datetime(2000, 1, 1, hour, minute) + datetime.timedelta(minutes=minutes)
    return french_time(end.strftime("%H:%M")) if end.day == 1 else ""


def _last_held(records: Records, meeting: Meeting) -> datetime.date | None:
    """The day this group last met before this meeting."""
    return max(
        (
            m.date
            for m in records.meetings.values()
            if m.group == meeting.group and m.status == "held" and m.date < meeting.date
        ),
        default=None,
    )


def _held_between(
    records: Records, kinds: frozenset[str], after: datetime.date | None, upto: datetime.date
) -> list[tuple[str, Meeting]]:
    """Held meetings of groups of these kinds, after `after` (exclusive) up to `upto`, in date order."""
    return sorted(
        (
            (mid, m)
            for mid, m in records.meetings.items()
            if m.status == "held"
            and m.group in records.groups
            and records.groups[m.group].kind in kinds
            and (after is None or m.date > after)
            and m.date <= upto
        ),
        key=lambda pair: (pair[1].date, pair[0]),
    )


def _said_in_public(records: Records, meeting: Meeting, public: bool) -> bool:
    return not public or shown_whole(records, meeting)


def _themes_worked(records: Records, meetings: list[tuple[str, Meeting]], public: bool) -> Section:
    """For the usagers: the themes the agents worked on (their subjects, their tour de table,
    the proposals they raised), each with when; in public, of a non-public group, only when it met."""
    by_theme: dict[str, list[str]] = {}
    met: list[str] = []
    for _, meeting in meetings:
        if not _said_in_public(records, meeting, public):
            met.append(long_date(meeting.date))
            continue
        day = long_date(meeting.date)
        if meeting.topic:
            by_theme.setdefault(theme_title(records, meeting.topic), []).append(f"sujet retenu le {day}")
        for problem in meeting.problems_raised:
            if problem.theme:
                by_theme.setdefault(theme_title(records, problem.theme), []).append(f"évoqué au tour de table le {day}")
        for event in meeting.proposals:
            proposal = records.proposals.get(event.proposal)
            if event.event == "raised" and proposal is not None:
                by_theme.setdefault(theme_title(records, proposal.theme), []).append(
                    f"proposition « {proposal.title} » le {day}"
                )
    items = [Item(theme, " ; ".join(dict.fromkeys(hows))) for theme, hows in by_theme.items()]
    intro = ""
    if met:
        intro = f"Le groupe des agents s’est réuni le {_and(met)} ; ses comptes rendus lui sont réservés."
    # In public, a group whose comptes rendus are not public is told only by its dates (the intro).
    empty = "" if met else "Le groupe des agents ne s’est pas réuni depuis."
    return Section("Les thèmes travaillés par les agents", items, empty, intro)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


def _residents_raised(records: Records, meetings: list[tuple[str, Meeting]]) -> Section:
    """For the agents: what the residents raised (tour de table, subject, proposals)."""
    items: list[Item] = []
    for _, meeting in meetings:
        day = long_date(meeting.date)
        for problem in meeting.problems_raised:
            items.append(
                Item(theme_title(records, problem.theme) or "Tour de table", f"tour de table du {day}", problem.note)
            )
        if meeting.topic:
            items.append(Item(theme_title(records, meeting.topic), f"sujet retenu le {day}"))
        for event in meeting.proposals:
            proposal = records.proposals.get(event.proposal)
            if proposal is not None and event.event in ("raised", "discussed"):
                what = "proposée" if event.event == "raised" else "discutée"
                items.append(Item(proposal.title, f"{what} le {day}", event.note or ""))
    return Section("Ce que les habitants ont soulevé", items, "Le groupe des usagers ne s’est pas réuni depuis.")


def _under_way(records: Records, derived: dict[str, History], day: datetime.date) -> Section:
    from .proposition import where_it_stands

    items = [
        Item(records.proposals[pid].title, "", where_it_stands(records, history, day))
        for pid, history in sorted(derived.items(), key=lambda pair: records.proposals[pair[0]].title)
        if history.status_on(day) in IMPLEMENTING
    ]
    return Section("Les projets en cours, où en est chacun", items, "Aucun projet en cours de réalisation.")


def _latest_decisions(
    records: Records, derived: dict[str, History], after: datetime.date | None, upto: datetime.date
) -> Section:
    """Decisions (of the référents and the inter-group meeting) and milestones since `after`."""
    found: list[tuple[datetime.date, str, Item]] = []
    for pid, history in derived.items():
        title = records.proposals[pid].title
        for event in history.events:
            if event.date > upto or (after is not None and event.date <= after):
                continue
            day = long_date(event.date)
            if event.is_decision:
                kind = records.groups[event.group].kind if event.group in records.groups else ""
                by = _DECIDED_BY.get(kind, f"par {group_name(records, event.group)}")
                found.append(
                    (event.date, title, Item(title, f"{PROPOSAL_STATUSES[event.kind]} {by} le {day}", event.note or ""))
                )
            elif event.meeting is None:  # a milestone of the implementation
                found.append(
                    (event.date, title, Item(title, f"{PROPOSAL_STATUSES[event.kind]} le {day}", event.note or ""))
                )
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return Section("Les dernières décisions", [item for _, _, item in found], "Pas de nouvelle décision depuis.")


def _to_decide(records: Records, derived: dict[str, History], day: datetime.date, row: Row) -> tuple[Section, str]:
    """For the référents: the points to decide, as the dossier has them, and the commitment."""
    from . import dossier

    data = dossier.build(records, derived, day, row)
    # Where it comes from, then where it stands (« mise à l’étude depuis … ») or how late it is.
    items = [Item(p.title, p.origin, p.late or p.waiting) for p in data.to_decide]
    intro = "Le dossier des référents donne l’histoire de chacune."
    if data.quiet_count:
        intro += (
            f" Il liste aussi {plural(data.quiet_count, 'proposition')} en attente sans rien de nouveau"
            " depuis plus d’un an."
        )

    section = Section("Les points à décider", items, "Aucune proposition n’attend de décision.", intro)
    return section, data.commitment


def _year_in_brief(records: Records, derived: dict[str, History], meeting: Meeting, day: datetime.date) -> Section:
    """For the inter-group meeting: the year in a few lines (the annual report's figures, counts only)."""
    from . import rapport

    report = rapport.build(records, meeting.date.year, day, derived)
    items = [
        Item(group.name, f"{plural(group.held, 'réunion tenue')} sur {plural(group.due, 'prévue')}")
        for group in report.groups
    ]
    decided = ", ".join(f"{count} {status_word(outcome, count)}" for outcome, count in report.decided.items() if count)
    items.append(
        Item(
            "Propositions",
            f"{plural(len(report.raised), 'soulevée')} dans l’année" + (f" ; décisions : {decided}" if decided else ""),
        )
    )
    items.append(Item("En attente d’une décision", plural(len(report.awaiting), "proposition")))
    items.append(Item("Réalisées dans l’année", plural(len(report.implemented), "proposition")))
    return Section(f"L’année {meeting.date.year} en bref, au {long_date(day)}", items, "")


def secretary(records: Records) -> str:
    """Who convenes: the secretary, named with consent."""
    if records.gasp is None or not records.gasp.secretary:
        return ""
    return published_name(records, records.gasp.secretary) or ""


def build(
    records: Records,
    meeting_id: str,
    today: datetime.date,
    derived: dict[str, History] | None = None,
    public: bool = False,
) -> Convocation:
    """The convocation of a planned meeting as of `today` (what happened up to the day before it)."""
    derived = derived if derived is not None else histories(records)
    meeting = records.meetings[meeting_id]
    group = records.groups[meeting.group]
    row = row_of(records, meeting_id)
    place, address = place_of(records, row.place)
    place_record = records.gasp.places.get(row.place) if records.gasp is not None and row.place else None
    upto = min(today, meeting.date - datetime.timedelta(days=1))
    last = _last_held(records, meeting)
    since = f"depuis votre dernière réunion, le {long_date(last)}" if last else "depuis la création du Gasp"
    sections: list[Section] = []
    commitment = ""
    if group.kind == "usagers":
        sections.append(_themes_worked(records, _held_between(records, frozenset({"agents"}), last, upto), public))
        sections.append(_under_way(records, derived, upto))
        sections.append(_latest_decisions(records, derived, last, upto))
    elif group.kind == "agents":
        sections.append(_residents_raised(records, _held_between(records, frozenset({"usagers"}), last, upto)))
        sections.append(_latest_decisions(records, derived, last, upto))
    elif group.kind == "referents":
        section, commitment = _to_decide(records, derived, upto, row)
        sections.append(section)
    else:
        sections.append(_year_in_brief(records, derived, meeting, upto))
    return Convocation(
        meeting_id=meeting_id,
        gasp_name=gasp_name(records),
        group_name=group.name,
        date=weekday_date(meeting.date),
        iso_date=meeting.date.isoformat(),
        time=french_time(row.time),
        end=_end(row.time, row.duration),
        duration=_duration(row.duration),
        place=place,
        address=address,
        accessibility=(place_record.accessibility or "") if place_record is not None else "",
        open_format=has_open_format(group.kind),
        since=since,
        since_text=since[:1].upper() + since[1:],
        sections=sections,
        secretary=secretary(records),
        public=public,
        commitment=commitment,
    )


def entry(records: Records, meeting_id: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a convocation."""
    meeting = records.meetings.get(meeting_id)
    if meeting is None:
        return None
    return f"Convocation — {group_name(records, meeting.group)}", meeting.date.isoformat()


def ics(records: Records, meeting_id: str, timestamp: datetime.datetime) -> bytes:
    """The meeting as a one-event iCalendar file (the calendar's own VEVENT: same UID, so a
    calendar program that has the Gasp's calendar updates the event rather than adding one)."""
    from .calendrier import as_ics

    meeting = records.meetings[meeting_id]
    return as_ics(
        [row_of(records, meeting_id)],
        records,
        f"{group_name(records, meeting.group)} — {gasp_name(records)}",
        timestamp,
    )


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """The convocations of the render's planned meetings, each with its attendance sheet."""
    records, deps = run.records, run.dependencies
    for meeting_id in run.request.meeting_ids:
        if records.meetings[meeting_id].status != "planned":
            continue
        # Of the day (what happened since the group last met, up to today): built every render.
        yield Output(
            f"convocations/{meeting_id}",
            FORMATS,
            build(records, meeting_id, run.request.today, run.derived),
            f"convocation-{meeting_id}",
        )
        yield Output(
            f"emargement/{meeting_id}",
            emargement.FORMATS,
            functools.partial(emargement.build, records, meeting_id),
            f"emargement-{meeting_id}",
            # Its group, people, places and the meeting: any record file may change it.
            inputs=(meeting_id, deps.everything(meeting_id)),
        )


def public_convocations(records: Records, day: datetime.date) -> list[str]:
    """The convocations on the site: the planned usagers and inter-group meetings of the next weeks
    (those `gasp render` convenes), linked from the home page's next meetings."""
    return [mid for mid in upcoming(records, day) if is_public(records, mid)]


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: the convocations of `public_convocations`, through the same rule as the
    comptes rendus (of a non-public group, when it met, never what it said); no attendance sheet."""
    today = run.request.today
    for mid in public_convocations(run.records, today):
        if not run.shows(mid):
            continue
        # Of the day (what happened up to today), and may read any record.
        yield Page(
            f"convocations/{mid}.html",
            SITE_HTML,
            functools.partial(build, run.records, mid, today, run.derived, public=True),
            FORMATS["pdf"],
            inputs=run.dependencies.everything(f"convocations/{mid}", today.isoformat()),
            section=str(run.records.meetings[mid].date.year),
        )
