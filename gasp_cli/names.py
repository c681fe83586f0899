"""How records are named in outputs: a group, a theme, a place by its French name (the id when unknown)."""

from __future__ import annotations

from .loader import Records


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


def person_name(records: Records, person_id: str) -> str:
    """A person's name when it may be published, else what they are: « un agent », « un habitant »…

    Never the role: « la directrice de l'école » names someone as surely as her name.
    """
    from .labels import PERSON_KINDS

    person = records.people[person_id]
    if person.may_be_named and person.name:
        return person.name
    return f"un {PERSON_KINDS.get(person.kind, 'participant')}"
