"""The compte rendu of a meeting: its queries (what the other groups said, the next meeting) and its view.

A resident who has not consented is never named: people are turned into names or
counts here (`names.attendance`), before any template sees them.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from ..calendar import calendar_rows, holidays_for
from ..facts import meeting_themes
from ..loader import Records
from ..models import Meeting
from ..names import Attendance, attendance, gasp_name, group_name, place_of, published_name, theme_title, who_name
from ..public import shown_whole
from ..vocabulary import (
    GROUP_KINDS,
    MEETING_STATUSES,
    PROPOSAL_STATUSES,
    french_time,
    has_open_format,
    long_date,
    weekday_date,
)
from .base import ActionLine, Item, Output, Page, Run, Template

NAME = "compte-rendu"
# A new format of the compte rendu: one template, and one line here.
FORMATS: dict[str, Template] = {
    "md": "compte-rendu.md.j2",
    "html": "compte-rendu.html.j2",
    "pdf": "compte-rendu.typ.j2",
}
# Its page on the residents' site: this template, with the site's navigation and search box.
SITE_HTML: Template = "site-compte-rendu.html.j2"
# The plain text of the e-mail (`gasp mail`): French prose, no markup.
TEXT: Template = "compte-rendu.txt.j2"


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
    # « Compte rendu établi par … » or, for a cancelled meeting, « Avis d’annulation établi par … »
    signature: str
    public: bool = False  # the residents' site's edition: named in words, not by the meeting's id


def _last_held(records: Records, meeting: Meeting) -> datetime.date | None:
    """The day this meeting's group last met before it (held), or None for its first meeting."""
    own = sorted(
        (m.date, mid)
        for mid, m in records.meetings.items()
        if m.group == meeting.group and m.status == "held" and m.date < meeting.date
    )
    return own[-1][0] if own else None


def _held_since(records: Records, meeting_id: str, meeting: Meeting, since: datetime.date) -> list[Meeting]:
    """The other groups' held meetings after `since`, up to this meeting's day, in date order."""
    return [
        other
        for mid, other in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0]))
        if other.group != meeting.group
        and other.status == "held"
        and since < other.date <= meeting.date
        and mid != meeting_id
    ]


def _said_on_themes(records: Records, other: Meeting, themes: set[str]) -> list[Item]:
    """The other meeting's chosen subject and its tour de table, on this meeting's themes."""
    items = []
    if other.topic in themes:
        items.append(Item(theme_title(records, other.topic), "sujet retenu"))
    for problem in other.problems_raised:
        if problem.theme in themes:
            items.append(Item(theme_title(records, problem.theme), "tour de table", problem.note))
    return items


def _proposals_moved(
    records: Records, other: Meeting, themes: set[str], discussed: set[str], pages: Collection[str]
) -> list[Item]:
    """The proposals the other meeting raised, discussed or withdrew, on these themes or discussed here."""
    moves = [(e.proposal, f"proposition {PROPOSAL_STATUSES[e.event]}", e.note) for e in other.proposals]
    return _on_these_proposals(records, moves, themes, discussed, pages)


def _decided(
    records: Records, other: Meeting, themes: set[str], discussed: set[str], pages: Collection[str]
) -> list[Item]:
    """The other meeting's decisions on proposals of these themes, or discussed here."""
    moves = [(d.proposal, PROPOSAL_STATUSES[d.outcome], d.note) for d in other.decisions]
    return _on_these_proposals(records, moves, themes, discussed, pages)


def _on_these_proposals(
    records: Records,
    moves: list[tuple[str, str, str | None]],
    themes: set[str],
    discussed: set[str],
    pages: Collection[str],
) -> list[Item]:
    """One item per (proposal, what happened, note) whose proposal is on these themes or discussed here."""
    items = []
    for proposal_id, what, note in moves:
        proposal = records.proposals.get(proposal_id)
        if proposal is not None and (proposal.theme in themes or proposal_id in discussed):
            items.append(Item(proposal.title, what, note or "", _page(proposal_id, pages)))
    return items


def _others_said(
    records: Records, meeting_id: str, meeting: Meeting, public: bool = False, pages: Collection[str] = ()
) -> tuple[list[OtherGroup], str]:
    """What the other groups said on this meeting's themes, and on the proposals it raised or
    discussed, since this group last met: the référents' and the inter-group meeting's decisions
    on a proposal discussed tonight (validée, mise à l'étude…) are the answer the group waits for,
    whatever the themes of the evening.

    `public` (the residents' site): of a group whose comptes rendus are not public, only its
    decisions (the answer residents wait for), never its tour de table or its notes.
    """
    last = _last_held(records, meeting)
    themes = meeting_themes(records, meeting)
    discussed = {event.proposal for event in meeting.proposals}  # raised, discussed or withdrawn here
    result = []
    for other in _held_since(records, meeting_id, meeting, last or datetime.date.min):
        group = records.groups.get(other.group)
        items = []
        if not public or shown_whole(records, other):
            items += _said_on_themes(records, other, themes)
            items += _proposals_moved(records, other, themes, discussed, pages)
        items += _decided(records, other, themes, discussed, pages)
        if items:
            result.append(OtherGroup(group.name if group else other.group, long_date(other.date), items))
    return result, (long_date(last) if last is not None else "")


def _next_meeting(records: Records, meeting: Meeting) -> str:
    later = sorted(
        (m.date, mid)
        for mid, m in records.meetings.items()
        if m.group == meeting.group and m.date > meeting.date and m.status != "cancelled"
    )
    group = records.groups[meeting.group]
    if later:
        following = records.meetings[later[0][1]]
        time = following.time or group.cadence.time
        place, _ = place_of(records, following.place or group.cadence.place)
        return f"{weekday_date(following.date)} à {french_time(time)}, {place}"
    start = meeting.date + datetime.timedelta(days=1)
    end = meeting.date + datetime.timedelta(days=400)
    rows = calendar_rows(records, start, end, holidays_for(records, start, end), [meeting.group])
    if not rows:
        return ""
    row = rows[0]
    place, _ = place_of(records, row.place)
    return f"{weekday_date(row.date)} à {french_time(row.time)}, {place} (date prévue par la cadence)"


def authors(records: Records) -> str:
    names: list[str] = []
    if records.gasp is None:
        return ""
    for person_id, role in ((records.gasp.secretary, "secrétaire"), (records.gasp.sociologist, "sociologue")):
        name = published_name(records, person_id) if person_id else None
        if name is not None:
            names.append(f"{name} ({role})")
    return " et ".join(names)


def _page(proposal_id: str, pages: Collection[str]) -> str:
    """The link to a proposal's page, beside this compte rendu's folder, when it has one."""
    return f"../propositions/{proposal_id}.html" if proposal_id in pages else ""


def build(records: Records, meeting_id: str, public: bool = False, pages: Collection[str] = ()) -> CompteRendu:
    """The compte rendu of one meeting, held or cancelled; `public`: as the residents' site shows it;
    `pages`: the proposals that have a page (the site's), linked from their titles."""
    meeting = records.meetings[meeting_id]
    group = records.groups[meeting.group]
    place, address = place_of(records, meeting.place or group.cadence.place)
    others, since = _others_said(records, meeting_id, meeting, public, pages)
    return CompteRendu(
        meeting_id=meeting_id,
        gasp_name=gasp_name(records),
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
        open_format=has_open_format(group.kind) or bool(meeting.problems_raised or meeting.topic),
        present=attendance(records, meeting.attendees),
        excused=attendance(records, meeting.excused),
        # A guest is free text, or a service's id (an occasional institution), or a person's (named
        # only with consent, like an action's `who`): a name, then.
        guests=[who_name(records, guest) for guest in meeting.guests],
        problems=[Item(theme_title(records, p.theme), "", p.note) for p in meeting.problems_raised],
        topic=theme_title(records, meeting.topic),
        discussion=meeting.discussion or "",
        proposals=[
            Item(
                records.proposals[e.proposal].title, PROPOSAL_STATUSES[e.event], e.note or "", _page(e.proposal, pages)
            )
            for e in meeting.proposals
            if e.proposal in records.proposals
        ],
        decisions=[
            Item(
                records.proposals[d.proposal].title,
                PROPOSAL_STATUSES[d.outcome],
                d.note or "",
                _page(d.proposal, pages),
            )
            for d in meeting.decisions
            if d.proposal in records.proposals
        ],
        actions=[
            ActionLine(
                who_name(records, a.who),
                a.what,
                long_date(a.due) if a.due else "",
                ("oui, le " + long_date(a.done)) if isinstance(a.done, datetime.date) else ("oui" if a.done else "non"),
            )
            for a in meeting.actions
        ],
        next_meeting=_next_meeting(records, meeting),
        others=others,
        since=since,
        authors=authors(records),
        signature=_signature(authors(records), meeting.status == "cancelled"),
        public=public,
    )


def _signature(names: str, cancelled: bool) -> str:
    """Who wrote the document: a cancelled meeting has a notice, not a compte rendu."""
    if not names:
        return ""
    return f"{'Avis d’annulation' if cancelled else 'Compte rendu'} établi par {names}."


def entry(records: Records, meeting_id: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a compte rendu: its group, and whether it was cancelled."""
    meeting = records.meetings.get(meeting_id)
    if meeting is None:
        return None
    status = " (annulée)" if meeting.status == "cancelled" else ""
    return f"{group_name(records, meeting.group)}{status}", meeting.date.isoformat()


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def outputs(run: Run) -> Iterator[Output]:
    """The comptes rendus of the render's held or cancelled meetings."""
    records, deps = run.records, run.dependencies
    for meeting_id in run.request.meeting_ids:
        if records.meetings[meeting_id].status == "planned":
            continue
        # Not the day's: built from the records alone (`inputs`), kept without being built when they are the same.
        yield Output(
            f"comptes-rendus/{meeting_id}",
            FORMATS,
            functools.partial(build, records, meeting_id),
            meeting_id,
            inputs=(meeting_id, deps.compte_rendu(meeting_id)),
        )


def public_meetings(records: Records, day: datetime.date) -> list[str]:
    """Meetings whose compte rendu goes to the site as it stands on `day`, of a group with public
    minutes: held by that day (like the proposals' stories), or cancelled (news, even ahead)."""
    return sorted(
        mid
        for mid, meeting in records.meetings.items()
        if (meeting.status == "cancelled" or (meeting.status == "held" and meeting.date <= day))
        and shown_whole(records, meeting)
    )


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: the comptes rendus of groups with public minutes; of the other groups
    that are not public, only their decisions; links to the proposals that have a page there."""
    published = run.published if run.published is not None else frozenset()
    for mid in public_meetings(run.records, run.request.today):
        if not run.shows(mid):
            continue
        yield Page(
            f"comptes-rendus/{mid}.html",
            SITE_HTML,
            functools.partial(build, run.records, mid, public=True, pages=published),
            FORMATS["pdf"],
            inputs=run.dependencies.compte_rendu(mid, published),
            section=str(run.records.meetings[mid].date.year),
        )
