"""The attendance sheet of a planned meeting, `emargement/<meeting-id>.pdf`: printed, signed
during the meeting, typed afterwards as the meeting's `attendees`.

One line per current member with name and service; a resident who did not consent to be
named gets a blank line, to fill in by hand (the sheet goes round the table, and is kept
by the secretary: never published); blank lines for guests and newcomers; a signature
column. A usual group fits on one A4 page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..calendar import row_of
from ..loader import Records
from ..names import gasp_name, person_detail, place_of, published_name
from ..vocabulary import french_time, weekday_date
from .base import Template

FORMATS: dict[str, Template] = {"pdf": "emargement.typ.j2"}

# Lines for guests and newcomers: at least BLANK_AT_LEAST, and enough to fill the page of a
# group of up to LINES_ON_A_PAGE members (the page holds that many lines of 0,9 cm).
BLANK_AT_LEAST = 4
LINES_ON_A_PAGE = 20


@dataclass
class SheetLine:
    name: str  # "" : a line to fill in
    detail: str


@dataclass
class Emargement:
    meeting_id: str
    gasp_name: str
    group_name: str
    date: str
    time: str
    place: str
    address: str
    members: list[SheetLine]
    blank: int  # lines for guests and newcomers


def current_members(records: Records, group_id: str, day: datetime.date) -> list[str]:
    """The group's members on `day`, in the order of the group's file, each once."""
    group = records.groups[group_id]
    found: list[str] = []
    for member in group.members:
        current = member.since <= day and (member.until is None or member.until >= day)
        if current and member.person not in found and member.person in records.people:
            found.append(member.person)
    return found


def build(records: Records, meeting_id: str) -> Emargement:
    meeting = records.meetings[meeting_id]
    group = records.groups[meeting.group]
    row = row_of(records, meeting_id)
    place, address = place_of(records, row.place)
    named: list[SheetLine] = []
    unnamed: list[SheetLine] = []
    for person_id in current_members(records, meeting.group, meeting.date):
        name = published_name(records, person_id)
        if name is None:
            # Neither name nor role: « la directrice de l'école » names someone as surely as her name.
            unnamed.append(SheetLine("", ""))
        else:
            named.append(SheetLine(name, person_detail(records, person_id)))
    lines = named + unnamed
    return Emargement(
        meeting_id=meeting_id,
        gasp_name=gasp_name(records),
        group_name=group.name,
        date=weekday_date(meeting.date),
        time=french_time(row.time),
        place=place,
        address=address,
        members=lines,
        blank=max(BLANK_AT_LEAST, LINES_ON_A_PAGE - len(lines)),
    )


def entry(records: Records, meeting_id: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of an attendance sheet."""
    meeting = records.meetings.get(meeting_id)
    if meeting is None or meeting.group not in records.groups:
        return None
    return f"Feuille d’émargement — {records.groups[meeting.group].name}", meeting.date.isoformat()
