"""The calendar's rows in each format: a French terminal table, Markdown, JSON and iCalendar."""

from __future__ import annotations

import datetime
import hashlib
import json

from . import escape
from .cadence import WEEKDAYS_FR
from .calendar import Row
from .labels import MEETING_STATUSES, long_date, weekday_date
from .lifecycle import OPEN, histories
from .loader import Records
from .names import group_name, place_of

ORIGINS = {"recorded": "enregistrée", "planned": "prévue par la cadence"}


def place_name(records: Records, place_id: str | None) -> str:
    return place_of(records, place_id)[0]


def place_location(records: Records, place_id: str | None) -> str:
    """Name and address, for a calendar program's LOCATION."""
    name, address = place_of(records, place_id)
    return f"{name}, {address}" if address else name


def short_date(day: datetime.date) -> str:
    """« mar. 13/02/2001 »."""
    return f"{WEEKDAYS_FR[day.weekday()][:3]}. {day.strftime('%d/%m/%Y')}"


def moved_note(row: Row) -> str:
    if row.moved_from is None:
        return ""
    return f"décalée du {long_date(row.moved_from)} ({row.reason})"


def as_json(rows: list[Row]) -> str:
    return json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2) + "\n"


def as_markdown(rows: list[Row], records: Records, title: str) -> str:
    lines = [f"# {escape.markdown(title)}", ""]
    if not rows:
        return "\n".join(lines + ["Aucune réunion sur cette période.", ""])
    lines += [
        "| Date | Heure | Groupe | Lieu | Origine | Statut | Remarque |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            weekday_date(row.date), row.time, group_name(records, row.group), place_name(records, row.place),
            ORIGINS[row.origin], MEETING_STATUSES[row.status], moved_note(row),
        ]
        lines.append("| " + " | ".join(escape.markdown_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def print_table(rows: list[Row], records: Records, title: str) -> None:
    from rich.table import Table

    from .terminal import console as terminal_console
    from .terminal import safe_text as Text

    console = terminal_console()
    if not rows:
        console.print(Text(f"{title} : aucune réunion sur cette période."))
        return
    table = Table(title=Text(title), title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("Heure", no_wrap=True)
    table.add_column("Groupe")
    table.add_column("Lieu")
    table.add_column("Statut")
    moved = any(row.moved_from for row in rows)
    if moved:
        table.add_column("Décalage")
    styles = {"held": "green", "cancelled": "red", "planned": ""}
    for row in rows:
        status = MEETING_STATUSES[row.status] + (" (cadence)" if row.origin == "planned" else "")
        cells = [
            Text(short_date(row.date)), Text(row.time), Text(group_name(records, row.group)),
            Text(place_name(records, row.place)), Text(status, style=styles[row.status]),
        ]
        if moved:
            cells.append(Text(moved_note(row)))
        table.add_row(*cells)
    console.print(table)
    console.print(Text("(cadence) : date donnée par la cadence du groupe, aucune réunion n'est encore enregistrée.",
                       style="dim"))


# --- iCalendar ------------------------------------------------------------------------

def event_uid(records: Records, row: Row, first_in_period: bool) -> str:
    """Stable from run to run: the group and its period, so a slot keeps its UID once recorded."""
    workspace = records.gasp.name if records.gasp is not None else "gasp"
    domain = hashlib.sha1(workspace.encode("utf-8")).hexdigest()[:12]
    key = f"{row.group}-{row.period.key}" if first_in_period or row.meeting is None else row.meeting
    return f"{key}@{domain}.gasp"


def _description(records: Records, row: Row, awaiting: dict[str, list[str]]) -> str:
    parts = []
    if row.status == "cancelled":
        parts.append("Réunion annulée.")
    if row.topic and row.topic in records.themes:
        parts.append(f"Sujet retenu : {records.themes[row.topic].title}.")
    titles = awaiting.get(f"{row.group}/{row.date.isoformat()}", [])
    if titles:
        parts.append("Propositions en attente de décision : " + " ; ".join(titles) + ".")
    if row.moved_from is not None:
        parts.append(f"Réunion décalée du {long_date(row.moved_from)} ({row.reason}).")
    if row.origin == "planned":
        parts.append("Date prévue par la cadence du groupe, à confirmer.")
    return "\n".join(parts)


def _awaiting_decision(records: Records, rows: list[Row]) -> dict[str, list[str]]:
    """For each référents or intergroupes row: the proposals open on the eve of the meeting."""
    deciding = [r for r in rows if records.groups[r.group].kind in ("referents", "intergroupes")]
    if not deciding:
        return {}
    derived = histories(records)
    result = {}
    for row in deciding:
        eve = row.date - datetime.timedelta(days=1)
        result[f"{row.group}/{row.date.isoformat()}"] = [
            records.proposals[pid].title for pid, history in sorted(derived.items())
            if history.status_on(eve) in OPEN
        ]
    return result


def as_ics(rows: list[Row], records: Records, title: str, dtstamp: datetime.datetime) -> bytes:
    """RFC 5545 with a VTIMEZONE for the workspace's zone; same rows, same bytes."""
    from zoneinfo import ZoneInfo

    import icalendar

    timezone = records.gasp.timezone if records.gasp is not None else "Europe/Paris"
    zone = ZoneInfo(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//gasp//Calendrier du Gasp//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", escape.ics_line(title))
    calendar.add("x-wr-timezone", timezone)
    if rows:
        first = datetime.date(rows[0].date.year, 1, 1)
        last = datetime.date(rows[-1].date.year + 1, 12, 31)
        calendar.add_component(icalendar.Timezone.from_tzid(timezone, first_date=first, last_date=last))
    awaiting = _awaiting_decision(records, rows)
    seen_periods: set[tuple[str, str]] = set()
    for row in rows:
        first_in_period = (row.group, row.period.key) not in seen_periods
        seen_periods.add((row.group, row.period.key))
        hour, minute = (int(part) for part in row.time.split(":"))
        start = datetime.datetime(row.date.year, row.date.month, row.date.day, hour, minute, tzinfo=zone)
        event = icalendar.Event()
        event.add("uid", event_uid(records, row, first_in_period))
        event.add("dtstamp", dtstamp)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=row.duration))
        event.add("summary", escape.ics(group_name(records, row.group)))
        location = place_location(records, row.place)
        if location:
            event.add("location", escape.ics(location))
        description = _description(records, row, awaiting)
        if description:
            event.add("description", escape.ics(description))
        if row.status == "cancelled":
            event.add("status", "CANCELLED")
        else:  # a slot of the cadence is only a likely date until someone records it
            event.add("status", "TENTATIVE" if row.origin == "planned" else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
