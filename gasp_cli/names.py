"""How records are named in outputs: a group, a theme, a place by its French name (the id when unknown)."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Records
from .vocabulary import plural


def gasp_name(records: Records) -> str:
    """The Gasp's name (checked records always have gasp.yaml)."""
    return records.gasp.name if records.gasp is not None else ""


def group_name(records: Records, group_id: str | None) -> str:
    group = records.groups.get(group_id) if group_id else None
    return group.name if group else (group_id or "")


def theme_title(records: Records, theme_id: str | None) -> str:
    theme = records.themes.get(theme_id) if theme_id else None
    return theme.title if theme else (theme_id or "")


def place_of(records: Records, place_id: str | None) -> tuple[str, str]:
    """(name, address) of a place of gasp.yaml."""
    if records.gasp is None or place_id is None or place_id not in records.gasp.places:
        return (place_id or "", "")
    place = records.gasp.places[place_id]
    return (place.name, place.address or "")


def published_name(records: Records, person_id: str) -> str | None:
    """A person's name when they agreed to be named (and have one), else None: the one consent test."""
    person = records.people.get(person_id)
    return person.name if person is not None and person.may_be_named and person.name else None


def person_name(records: Records, person_id: str) -> str:
    """A person's name when it may be published, else what they are: « un agent », « un habitant »…

    Never the role: « la directrice de l'école » names someone as surely as her name.
    """
    from .vocabulary import PERSON_KINDS

    name = published_name(records, person_id)
    if name is not None:
        return name
    return f"un {PERSON_KINDS.get(records.people[person_id].kind, 'participant')}"


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
        counts.append(plural(residents, "habitant"))
    if others:
        counts.append(plural(others, "autre participant"))
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
