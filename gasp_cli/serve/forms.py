"""The monthly entries of `gasp serve`, as forms: what each form shows and what it writes.

Each form reads the records as they are checked now, and writes through `gasp new meeting`
(a new meeting: the very file the command writes) or `editing` (a change to a meeting's
file, comments and layout kept). Residents who did not consent to be named are shown as
« Habitant·e 1, 2… », never by name nor by id: a form's values are positions in a list the
server makes again from the same records, not ids.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..loader import Records
    from ..models import Meeting


@dataclass(frozen=True)
class Choice:
    value: str  # what the form sends back
    label: str
    checked: bool = False


def people_choices(records: Records, meeting: Meeting) -> list[tuple[str, str]]:
    """(person id, label) of the group's members on the meeting's day, then anyone else already listed."""
    from ..names import published_name
    from ..vocabulary import PERSON_KINDS

    group = records.groups.get(meeting.group)
    day = meeting.date
    members = [
        member.person
        for member in (group.members if group is not None else [])
        if member.since <= day and (member.until is None or day <= member.until)
    ]
    if group is not None and group.kind == "intergroupes":
        members += [
            member.person
            for other in records.groups.values()
            for member in other.members
            if member.since <= day and (member.until is None or day <= member.until)
        ]
    listed = list(dict.fromkeys([*sorted(dict.fromkeys(members)), *meeting.attendees, *meeting.excused]))
    unnamed = 0
    choices = []
    for person_id in listed:
        name = published_name(records, person_id)
        if name is None:
            person = records.people.get(person_id)
            kind = person.kind if person is not None else "resident"
            unnamed += 1
            label = f"{PERSON_KINDS.get(kind, kind).capitalize()} {unnamed} (nom non publié)"
        else:
            label = name
        choices.append((person_id, label))
    return choices


def attendance_choices(records: Records, meeting: Meeting) -> list[tuple[str, str, str]]:
    """(form value, label, present|excused|absent) for each person of the attendance form."""
    rows = []
    for index, (person_id, label) in enumerate(people_choices(records, meeting)):
        state = "present" if person_id in meeting.attendees else "excused" if person_id in meeting.excused else "absent"
        rows.append((f"p{index}", label, state))
    return rows


def chosen_people(records: Records, meeting: Meeting, form: dict[str, str]) -> tuple[list[str], list[str]]:
    """The attendees and the excused, from the form's positions back to ids."""
    attendees, excused = [], []
    for index, (person_id, _) in enumerate(people_choices(records, meeting)):
        state = form.get(f"p{index}", "absent")
        if state == "present":
            attendees.append(person_id)
        elif state == "excused":
            excused.append(person_id)
    return attendees, excused


def theme_choices(records: Records) -> list[Choice]:
    return [Choice(tid, theme.title) for tid, theme in sorted(records.themes.items(), key=lambda kv: kv[1].title)]


def proposal_choices(records: Records) -> list[Choice]:
    return [
        Choice(pid, f"{proposal.title} ({pid})")
        for pid, proposal in sorted(records.proposals.items(), key=lambda kv: kv[1].title)
    ]


def parse_date(value: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None
