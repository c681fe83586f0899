"""`gasp export --format ocel`: the Gasp as an object-centric event log, OCEL 2.0 JSON (DESIGN.md).

One file, `gasp.jsonocel`, with the four arrays of the standard (`objectTypes`,
`eventTypes`, `objects`, `events`). Objects are the proposals, meetings, groups, themes
and services; events are each step of a proposal's derived history (the same events,
with the same activity names, as `events.csv`) and, for meetings, held, cancelled and
minutes sent. A proposal's events relate to that one proposal only, so that flattening
the log on `proposal` gives back exactly `events.csv`; a replaced proposal is an
object-to-object relation, not a second case of the event.

People are never objects: attendees are counted by kind on the meeting and on its
« meeting-held » event; a service is described by its public fields only (its `agents`
block is never read).

The OCEL 2.0 JSON schema types every attribute value as a string: values are written as
text, and their type is declared in `objectTypes` / `eventTypes` (readers such as pm4py
convert them back). Times are instants in UTC: the meeting's date and time in the Gasp's
time zone; an event known by its date only (a milestone, minutes sent) is placed at the end
of that day, after the day's meetings, as the proposal's history orders them.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from ..indicators import PERSON_KIND_ORDER
from ..lifecycle import Event, histories, next_status
from ..loader import Records
from ..models import Meeting
from ..trace import document_of
from .donnees import ACTIVITIES, attendees_by_kind

FILE = "gasp.jsonocel"
# A known instant for values that hold from the start (the standard's own convention).
ALWAYS = "1970-01-01T00:00:00Z"
PROPOSAL_ACTIVITIES = ACTIVITIES  # the activities of events.csv, with the same names
MEETING_ACTIVITIES = ("meeting-held", "meeting-cancelled", "minutes-sent")
COUNTS = ("attendees", *(f"attendees_{kind}" for kind in PERSON_KIND_ORDER), "excused", "guests")
# Where a proposal's event took place, and who took it, by its kind.
_IN = {"raised": "raised-in", "discussed": "discussed-in", "withdrawn": "withdrawn-in"}
_BY = {"raised": "raised-by", "discussed": "discussed-by", "withdrawn": "withdrawn-by"}

OBJECT_TYPES: dict[str, list[tuple[str, str]]] = {
    "proposal": [("title", "string"), ("cost", "float"), ("status", "string")],
    "meeting": [
        ("date", "string"),
        ("time", "string"),
        ("status", "string"),
        *((name, "integer") for name in COUNTS),
    ],
    "group": [("name", "string"), ("kind", "string")],
    "theme": [("title", "string"), ("description", "string")],
    "service": [("name", "string"), ("institution", "string"), ("category", "string")],
}
EVENT_TYPES: dict[str, list[tuple[str, str]]] = {
    **{kind: [("note", "string"), ("document", "string")] for kind in PROPOSAL_ACTIVITIES},
    "meeting-held": [*((name, "integer") for name in COUNTS), ("document", "string")],
    "meeting-cancelled": [("reason", "string")],
    "minutes-sent": [("document", "string")],
}


def object_id(kind: str, record_id: str) -> str:
    """Ids are unique across types in OCEL: a theme and a service may share a slug, so each id names its type."""
    return f"{kind}:{record_id}"


@dataclass
class _Object:
    id: str
    type: str
    attributes: list[dict[str, str]] = field(default_factory=list)
    relationships: list[dict[str, str]] = field(default_factory=list)

    def set(self, name: str, value: object, time: str = ALWAYS) -> None:
        if value is not None and value != "":
            self.attributes.append({"name": name, "time": time, "value": _text(value)})

    def relate(self, target: str, qualifier: str) -> None:
        link = {"objectId": target, "qualifier": qualifier}
        if link not in self.relationships:
            self.relationships.append(link)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "attributes": self.attributes, "relationships": self.relationships}


def _text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class _Clock:
    """Local dates and times of the Gasp → UTC instants (`2001-03-13T17:30:00Z`)."""

    def __init__(self, records: Records):
        self.zone = zoneinfo.ZoneInfo(records.gasp.timezone if records.gasp is not None else "Europe/Paris")

    def at(self, day: datetime.date, time: str) -> str:
        if time:
            hour, minute = (int(part) for part in time.split(":"))
            local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)
        else:
            local = datetime.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=self.zone)
        return local.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(records: Records, meeting: Meeting) -> dict[str, int]:
    """The columns of meetings.csv that count people, with the same names."""
    return {
        "attendees": len(meeting.attendees),
        **{f"attendees_{kind}": n for kind, n in attendees_by_kind(records, meeting).items()},
        "excused": len(meeting.excused),
        "guests": len(meeting.guests),
    }


def _objects(records: Records, clock: _Clock) -> dict[str, _Object]:
    found: dict[str, _Object] = {}
    for gid, group in sorted(records.groups.items()):
        found[object_id("group", gid)] = obj = _Object(object_id("group", gid), "group")
        obj.set("name", group.name)
        obj.set("kind", group.kind)
    for tid, theme in sorted(records.themes.items()):
        found[object_id("theme", tid)] = obj = _Object(object_id("theme", tid), "theme")
        obj.set("title", theme.title)
        obj.set("description", theme.description)
    for sid, service in sorted(records.services.items()):
        # Public fields only: a service's `agents` block is never read here.
        found[object_id("service", sid)] = obj = _Object(object_id("service", sid), "service")
        obj.set("name", service.name)
        obj.set("institution", service.institution)
        obj.set("category", service.category)
    for mid, meeting in sorted(records.meetings.items(), key=lambda pair: (pair[1].date, pair[0])):
        found[object_id("meeting", mid)] = obj = _Object(object_id("meeting", mid), "meeting")
        of_group = records.groups.get(meeting.group)
        obj.set("date", meeting.date)
        obj.set("time", meeting.time or (of_group.cadence.time if of_group else None))
        obj.set("status", meeting.status)
        if meeting.status == "held":
            for name, value in _counts(records, meeting).items():
                obj.set(name, value)
        if meeting.group in records.groups:
            obj.relate(object_id("group", meeting.group), "of-group")
        if meeting.topic in records.themes:
            obj.relate(object_id("theme", meeting.topic), "topic")
        for problem in meeting.problems_raised:
            if problem.theme in records.themes:
                obj.relate(object_id("theme", problem.theme), "tour-de-table")
    derived = histories(records)
    for pid, proposal in sorted(records.proposals.items()):
        found[object_id("proposal", pid)] = obj = _Object(object_id("proposal", pid), "proposal")
        obj.set("title", proposal.title)
        obj.set("cost", proposal.cost)
        status: str | None = None
        for event in derived[pid].events:
            after = next_status(status, event.kind)
            if after != status:
                obj.set("status", after, clock.at(event.date, event.time))
            status = after
        if proposal.theme in records.themes:
            obj.relate(object_id("theme", proposal.theme), "theme")
        for sid in proposal.services:
            if sid in records.services:
                obj.relate(object_id("service", sid), "changes")
        if proposal.replaces in records.proposals:
            obj.relate(object_id("proposal", proposal.replaces), "replaces")
    return found


def _proposal_event(records: Records, pid: str, event: Event) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    """An event of a proposal's history: its type, its related objects (id, qualifier), its attributes."""
    proposal = records.proposals[pid]
    related = [(object_id("proposal", pid), "concerns")]
    if event.meeting is not None:
        related.append((object_id("meeting", event.meeting), _IN.get(event.kind, "decided-in")))
    if event.group is not None and event.group in records.groups:
        related.append((object_id("group", event.group), _BY.get(event.kind, "decided-by")))
    if proposal.theme in records.themes:
        related.append((object_id("theme", proposal.theme), "theme"))
    if event.kind not in _IN:  # a decision or a milestone changes the proposal's services
        related += [(object_id("service", s), "changes") for s in proposal.services if s in records.services]
    return event.kind, related, {"note": event.note or "", "document": document_of(event) or ""}


def _represented(records: Records, meeting: Meeting) -> list[str]:
    """The services present at a meeting: its attendees' services, and guests that are services."""
    found = [records.people[p].service for p in meeting.attendees if p in records.people]
    found += [guest for guest in meeting.guests if guest in records.services]
    return sorted({s for s in found if s is not None and s in records.services})


# An event before it is numbered: its sort key (instant, then the order of events.csv: date, proposal,
# order in its history; meetings after), its type, its related objects and its attributes.
_Pending = tuple[tuple[str, int, str, int], str, list[tuple[str, str]], dict[str, str]]


def _events(records: Records, clock: _Clock) -> list[dict[str, Any]]:
    derived = histories(records)
    found: list[_Pending] = []
    for pid in sorted(derived):
        for order, event in enumerate(derived[pid].events):
            kind, related, attributes = _proposal_event(records, pid, event)
            found.append(((clock.at(event.date, event.time), 0, pid, order), kind, related, attributes))
    for mid, meeting in sorted(records.meetings.items()):
        found += _meeting_events(records, clock, mid, meeting)
    found.sort(key=lambda item: item[0])
    return [
        {
            "id": f"e{number}",
            "type": kind,
            "time": key[0],
            "attributes": [{"name": name, "value": value} for name, value in attributes.items() if value != ""],
            "relationships": [{"objectId": target, "qualifier": qualifier} for target, qualifier in related],
        }
        for number, (key, kind, related, attributes) in enumerate(found, start=1)
    ]


def _meeting_events(records: Records, clock: _Clock, mid: str, meeting: Meeting) -> list[_Pending]:
    """A held meeting (and its minutes sent), or a cancelled one; a planned meeting has no event yet."""
    group = records.groups.get(meeting.group)
    time = meeting.time or (group.cadence.time if group else "")
    where = [(object_id("meeting", mid), "meeting")]
    if group is not None:
        where.append((object_id("group", meeting.group), "group"))
    document = f"comptes-rendus/{mid}.html"
    if meeting.status == "cancelled":
        attributes = {"reason": meeting.cancel_reason or ""}
        return [((clock.at(meeting.date, time), 1, mid, 0), "meeting-cancelled", where, attributes)]
    if meeting.status != "held":
        return []
    attributes = {**{k: str(v) for k, v in _counts(records, meeting).items()}, "document": document}
    found: list[_Pending] = [
        (
            (clock.at(meeting.date, time), 1, mid, 0),
            "meeting-held",
            where + _meeting_themes(records, meeting),
            attributes,
        )
    ]
    if meeting.minutes_sent is not None:
        instant = clock.at(meeting.minutes_sent, "")
        found.append(((instant, 1, mid, 1), "minutes-sent", where, {"document": document}))
    return found


def _meeting_themes(records: Records, meeting: Meeting) -> list[tuple[str, str]]:
    """The themes a held meeting relates to (its topic, its tour de table) and the services present."""
    themes = [(object_id("theme", meeting.topic), "topic")] if meeting.topic in records.themes else []
    for problem in meeting.problems_raised:
        link = (object_id("theme", problem.theme or ""), "tour-de-table")
        if problem.theme in records.themes and link not in themes:
            themes.append(link)
    return themes + [(object_id("service", s), "represented") for s in _represented(records, meeting)]


def _types(declared: dict[str, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    """Every type is declared, used or not: a reader knows the whole vocabulary of the log."""
    return [
        {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}
        for name, attributes in declared.items()
    ]


def log(records: Records) -> dict[str, Any]:
    """The whole log as JSON-ready data (the same records give the same log)."""
    clock = _Clock(records)
    objects = _objects(records, clock)
    events = _events(records, clock)
    return {
        "objectTypes": _types(OBJECT_TYPES),
        "eventTypes": _types(EVENT_TYPES),
        "objects": [o.as_json() for o in objects.values()],
        "events": events,
    }


def build(records: Records, day: datetime.date) -> dict[str, bytes]:
    """`gasp.jsonocel`, UTF-8. `day` is unused: the log holds what happened, never a status « as of » a day."""
    del day
    return {FILE: (json.dumps(log(records), ensure_ascii=False, indent=1) + "\n").encode("utf-8")}
