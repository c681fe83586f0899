"""The calendar's rows in each format: a French terminal table, Markdown, JSON and iCalendar."""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import escape, facts
from ..calendar import Row, calendar_rows, holidays_for
from ..lifecycle import History
from ..loader import Records
from ..names import gasp_name, group_name, place_of
from ..vocabulary import MEETING_STATUSES, WEEKDAYS_FR, decides, french_time, long_date, weekday_date
from .base import Page, Producer, Run, Template, Writer

if TYPE_CHECKING:
    import icalendar

# The year's page of `gasp render` (CalendarPage); `gasp calendar --format md` (CalendarTable).
FORMATS: dict[str, Template] = {"html": "calendrier.html.j2"}
SITE_HTML: Template = "site-calendrier.html.j2"  # its page on the residents' site
COMMAND_FORMATS: dict[str, Template | Writer] = {
    "md": "calendrier.md.j2",
    # _ics is defined below: the lambda looks it up at call time.
    "ics": lambda data, timestamp: _ics(data, timestamp),  # noqa: PLW0108
}

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


def cancel_reason(records: Records, row: Row) -> str:
    """Why a recorded meeting was cancelled (`cancel_reason`), or ""."""
    meeting = records.meetings.get(row.meeting) if row.meeting else None
    if meeting is None or meeting.status != "cancelled":
        return ""
    return (meeting.cancel_reason or "").strip()


def remark(records: Records, row: Row) -> str:
    """The « Remarque » of a row: why a slot moved, why a meeting was cancelled."""
    notes = []
    if row.moved_from:
        notes.append(
            f"décalée du {long_date(row.moved_from)} ({row.reason})"
            if row.reason
            else f"décalée du {long_date(row.moved_from)}"
        )
    reason = cancel_reason(records, row)
    if reason:
        notes.append(reason)
    return " ; ".join(notes)


def as_json(rows: list[Row]) -> str:
    return json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2) + "\n"


@dataclass
class Calendar:
    """`gasp calendar`: the rows of a period under a title. JSON: the rows; md: a row of cells
    per meeting (calendrier.md.j2); ics: iCalendar, from the rows themselves."""

    title: str
    rows: list[Row]
    records: Records

    def as_json(self) -> list[dict[str, str | None]]:
        return [row.as_json() for row in self.rows]

    @property
    def cells(self) -> list[list[str]]:
        return [
            [
                weekday_date(row.date),
                row.time,
                group_name(self.records, row.group),
                place_name(self.records, row.place),
                ORIGINS[row.origin],
                MEETING_STATUSES[row.status],
                remark(self.records, row),
            ]
            for row in self.rows
        ]


def build(records: Records, rows: list[Row], title: str) -> Calendar:
    return Calendar(title, rows, records)


def _ics(calendar: Calendar, timestamp: datetime.datetime) -> bytes:
    return as_ics(calendar.rows, calendar.records, calendar.title, timestamp)


def print_table(rows: list[Row], records: Records, title: str) -> None:
    from rich.table import Table

    from ..terminal import console as terminal_console
    from ..terminal import safe_text as Text

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
            Text(short_date(row.date)),
            Text(row.time),
            Text(group_name(records, row.group)),
            Text(place_name(records, row.place)),
            Text(status, style=styles[row.status]),
        ]
        if moved:
            cells.append(Text(moved_note(row)))
        table.add_row(*cells)
    console.print(table)
    console.print(
        Text("(cadence) : date donnée par la cadence du groupe, aucune réunion n'est encore enregistrée.", style="dim")
    )


# --- iCalendar ------------------------------------------------------------------------


def event_uid(records: Records, row: Row, first_in_period: bool) -> str:
    """Stable from run to run: the group and its period, so a slot keeps its UID once recorded.

    The domain part names the Gasp by what does not change when it is renamed: its creation
    date and its communes (a new `name:` in gasp.yaml would otherwise give every meeting a
    new UID, and a subscribed calendar every meeting twice).
    """
    gasp = records.gasp
    workspace = f"{gasp.created.isoformat()}|{'|'.join(sorted(gasp.communes))}" if gasp is not None else "gasp"
    domain = hashlib.sha1(workspace.encode("utf-8")).hexdigest()[:12]
    key = f"{row.group}-{row.period.key}" if first_in_period or row.meeting is None else row.meeting
    return f"{key}@{domain}.gasp"


def _description(records: Records, row: Row, awaiting: dict[str, list[str]]) -> str:
    parts = []
    if row.status == "cancelled":
        reason = cancel_reason(records, row)
        parts.append(f"Réunion annulée. Motif : {reason}" if reason else "Réunion annulée.")
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


def awaiting_decision(
    records: Records, rows: list[Row], derived: dict[str, History] | None = None
) -> dict[str, list[str]]:
    """For each référents or intergroupes row: the proposals open on the eve of the meeting."""
    deciding = [r for r in rows if decides(records.groups[r.group].kind)]
    if not deciding:
        return {}
    derived = derived if derived is not None else facts.of(records).histories
    result = {}
    for row in deciding:
        eve = row.date - datetime.timedelta(days=1)
        result[f"{row.group}/{row.date.isoformat()}"] = [
            records.proposals[pid].title for pid, history in sorted(derived.items()) if facts.to_decide(history, eve)
        ]
    return result


# The VTIMEZONE is written here rather than by icalendar's `Timezone.from_tzid`, which
# lists each change as an RDATE over two years: ical.js (Thunderbird, many web calendars)
# then ignores the sub-component's start and puts every summer meeting an hour off, and
# vobject keeps the first VTIMEZONE it met for a TZID, whatever its years. Yearly RRULEs
# for the zone's rules, read from zoneinfo over the calendar's years, are right in every
# client and for every date.
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Change:
    """One change of a zone's offset, name or daylight flag, at a UTC instant."""

    instant: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    daylight: bool
    name: str

    @property
    def local_start(self) -> datetime.datetime:
        """RFC 5545 §3.6.5: a sub-component's DTSTART is the local time before the change."""
        return (self.instant + self.offset_from).replace(tzinfo=None)

    @property
    def observance(self) -> tuple[Any, ...]:
        """What a yearly rule keeps from one year to the next."""
        start = self.local_start
        return self.daylight, self.name, self.offset_from, self.offset_to, start.month, start.time()

    def day_rules(self) -> frozenset[tuple[Any, ...]]:
        """Every yearly rule its day fits: the 25th, the last Sunday, the first Sunday on or after the 8th."""
        start = self.local_start
        day, weekday = start.day, start.weekday()
        rules = {("day", day)} | {("on-or-after", weekday, first) for first in range(max(1, day - 6), day + 1)}
        if day + 7 > monthrange(start.year, start.month)[1]:
            rules.add(("last", weekday))
        return frozenset(rules)


@dataclass
class _Run:
    """Changes of one observance in consecutive years, and the day rules all of them fit."""

    changes: list[_Change]
    day_rules: frozenset[tuple[Any, ...]]

    def recurrence(self) -> dict[str, Any]:
        """The simplest RRULE among the day rules: « -1SU » rather than « 4SU » or a list of days."""
        month = self.changes[0].local_start.month
        rules = sorted(self.day_rules)
        for kind, *rest in rules:
            if kind == "last":
                return {"freq": "yearly", "bymonth": month, "byday": f"-1{_WEEKDAYS[rest[0]]}"}
        weekly = [rest for kind, *rest in rules if kind == "on-or-after"]
        for weekday, first in weekly:
            if first % 7 == 1:
                return {"freq": "yearly", "bymonth": month, "byday": f"{first // 7 + 1}{_WEEKDAYS[weekday]}"}
        if weekly:
            weekday, first = weekly[0]
            return {
                "freq": "yearly",
                "bymonth": month,
                "byday": _WEEKDAYS[weekday],
                "bymonthday": list(range(first, first + 7)),
            }
        day = next(rest[0] for kind, *rest in rules if kind == "day")
        return {"freq": "yearly", "bymonth": month, "bymonthday": day}


def _state(zone: datetime.tzinfo, instant: datetime.datetime) -> tuple[datetime.timedelta, bool, str]:
    local = instant.astimezone(zone)
    return local.utcoffset() or datetime.timedelta(0), bool(local.dst()), local.tzname() or ""


def _changes(zone: datetime.tzinfo, start: datetime.datetime, end: datetime.datetime) -> list[_Change]:
    """The zone's changes between two UTC instants: found a day at a time, then to the second."""
    changes = []
    day, second = datetime.timedelta(days=1), datetime.timedelta(seconds=1)
    before, state = start, _state(zone, start)
    while before < end:
        after = before + day
        after_state = _state(zone, after)
        if after_state != state:
            low, high = before, after
            while high - low > second:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                low, high = (middle, high) if _state(zone, middle) == state else (low, middle)
            offset, daylight, name = _state(zone, high)
            changes.append(_Change(high, state[0], offset, daylight, name))
        before, state = after, after_state
    return changes


def _observance(
    daylight: bool,
    start: datetime.datetime,
    offset_from: datetime.timedelta,
    offset_to: datetime.timedelta,
    name: str,
    recurrence: dict[str, Any] | None = None,
) -> icalendar.Component:
    import icalendar

    component = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    component.add("dtstart", start)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    if recurrence is not None:
        component.add("rrule", recurrence)
    if name:
        component.add("tzname", name)
    return component


def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE right for every date from `first_year` to `last_year`, with RRULEs and no RDATE.

    The changes are read from zoneinfo over one more year on each side. Changes of the
    same observance (offsets, name, month, local time) in consecutive years that fit one
    day rule become one STANDARD or DAYLIGHT with a yearly RRULE: open-ended when the
    rule is still in force after `last_year`, with a COUNT when it ended before. A zone
    that does not change has a single STANDARD.
    """
    from zoneinfo import ZoneInfo

    import icalendar

    zone = ZoneInfo(tzid)
    utc = datetime.UTC
    scan_first = max(first_year - 1, 2)  # within datetime's years, whatever the offset
    start = datetime.datetime(scan_first, 1, 1, tzinfo=utc)
    changes = _changes(zone, start, datetime.datetime(min(last_year + 2, 9999), 1, 1, tzinfo=utc))
    runs: list[_Run] = []
    latest: dict[tuple[Any, ...], _Run] = {}
    for change in changes:
        run = latest.get(change.observance)
        if (
            run is not None
            and run.changes[-1].local_start.year + 1 == change.local_start.year
            and run.day_rules & change.day_rules()
        ):
            run.changes.append(change)
            run.day_rules &= change.day_rules()
        else:
            latest[change.observance] = run = _Run([change], change.day_rules())
            runs.append(run)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    if not changes or changes[0].local_start.year >= first_year:
        # Nothing fixes the offset in force on the calendar's first day: say it.
        offset, daylight, name = _state(zone, start)
        timezone.add_component(
            _observance(daylight and bool(changes), datetime.datetime(scan_first, 1, 1), offset, offset, name)
        )
    for run in runs:
        first = run.changes[0]
        recurrence = None
        if len(run.changes) > 1:
            recurrence = run.recurrence()
            if run.changes[-1].local_start.year <= last_year:
                recurrence["count"] = len(run.changes)
        timezone.add_component(
            _observance(first.daylight, first.local_start, first.offset_from, first.offset_to, first.name, recurrence)
        )
    return timezone


def _text(value: object) -> icalendar.vText:
    """Record text for an iCalendar TEXT value: CR and CRLF become LF (escaped by vText as
    « \\n », so no line of the file can start with a property of the record's making), other
    control characters are shown as « \\x1b », never passed on."""
    import icalendar

    return icalendar.vText(escape.ics(value))


def _sequence(row: Row, dtstamp: datetime.datetime) -> int:
    """Grows from one export to any later one, so that a calendar program replaces the event.

    Three times the days from 1970 to DTSTAMP (a later day is always higher), plus the
    meeting's stage (0 a slot of the cadence, 1 recorded, 2 held or cancelled), so that a
    file written the same day after the meeting was recorded, held or cancelled wins too.
    """
    days = (dtstamp.astimezone(datetime.UTC).date() - datetime.date(1970, 1, 1)).days
    stage = 0 if row.origin == "planned" else 1 if row.status == "planned" else 2
    return 3 * days + stage


def as_ics(
    rows: list[Row],
    records: Records,
    title: str,
    dtstamp: datetime.datetime,
    derived: dict[str, History] | None = None,
    awaiting: dict[str, list[str]] | None = None,
) -> bytes:
    """RFC 5545 with a VTIMEZONE for the workspace's zone; same rows, same bytes.

    No METHOD: a published file is not an iTIP message, and METHOD without an ORGANIZER
    fails RFC 5546's checks (libical's among them).
    """
    from zoneinfo import ZoneInfo

    import icalendar

    timezone = records.gasp.timezone if records.gasp is not None else "Europe/Paris"
    zone = ZoneInfo(timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//gasp//Calendrier du Gasp//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _text(title))
    calendar.add("x-wr-timezone", _text(timezone))
    if rows:
        years = [row.date.year for row in rows]
        calendar.add_component(vtimezone(timezone, min(years), max(years)))
    if awaiting is None:
        awaiting = awaiting_decision(records, rows, derived)
    seen_periods: set[tuple[str, str]] = set()
    for row in rows:
        first_in_period = (row.group, row.period.key) not in seen_periods
        seen_periods.add((row.group, row.period.key))
        hour, minute = (int(part) for part in row.time.split(":"))
        start = datetime.datetime(row.date.year, row.date.month, row.date.day, hour, minute, tzinfo=zone)
        event = icalendar.Event()
        event.add("uid", event_uid(records, row, first_in_period))
        event.add("dtstamp", dtstamp)
        event.add("last-modified", dtstamp)
        event.add("sequence", _sequence(row, dtstamp))
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=row.duration))
        event.add("summary", _text(group_name(records, row.group)))
        location = place_location(records, row.place)
        if location:
            event.add("location", _text(location))
        description = _description(records, row, awaiting)
        if description:
            event.add("description", _text(description))
        if row.status == "cancelled":
            event.add("status", "CANCELLED")
        else:  # a slot of the cadence is only a likely date until someone records it
            event.add("status", "TENTATIVE" if row.origin == "planned" else "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


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
        note = remark(records, row)
        lines.append(
            CalendarLine(
                f"{WEEKDAYS_FR[row.date.weekday()]} {long_date(row.date)}",
                french_time(row.time),
                group_name(records, row.group),
                place,
                status,
                note,
            )
        )
    return CalendarPage(gasp_name(records), year, lines)


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a year's calendar (`calendrier-AAAA`)."""
    year = name.removeprefix("calendrier-")
    return (f"Calendrier {year}", year) if name.startswith("calendrier-") else None


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def year_rows(records: Records, year: int, last: int | None = None) -> list[Row]:
    """The calendar's rows from 1 January of `year` to 31 December of `last` (default: the same year)."""
    start, end = datetime.date(year, 1, 1), datetime.date(last or year, 12, 31)
    return calendar_rows(records, start, end, holidays_for(records, start, end))


def count(run: Run) -> int:
    """One document: this year's calendar (its iCalendar file, and its page when html is asked)."""
    return 1


def produce(run: Run, producer: Producer) -> None:
    """This year's iCalendar file and its page, each made again only when its key changed (its rows
    are not even computed when neither file's input key changed)."""
    records, request = run.records, run.request
    year = request.today.year
    rows = functools.cache(functools.partial(year_rows, records, year))
    title = f"Calendrier {year} — {gasp_name(records)}"
    # Its year's meetings and slots (cadences, holidays), and the proposals awaiting a decision at each.
    every = run.dependencies.everything("calendrier", str(year))
    producer.ics(f"calendrier/calendrier-{year}.ics", rows, records, title, request.timestamp, run.derived, every)
    if "html" in request.formats:
        producer.document(
            f"calendrier/calendrier-{year}",
            FORMATS,
            lambda: calendar_page(records, rows(), year),
            "calendrier",
            inputs=("calendrier", every),
        )
    else:
        producer.progress.advance("calendrier")


def site_years(today: datetime.date) -> tuple[int, int]:
    """The years of the site's calendars: this one, and the next (where the next meetings go on)."""
    return (today.year, today.year + 1)


def _year_page(records: Records, year: int) -> CalendarPage:
    return calendar_page(records, year_rows(records, year), year)


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: the calendars of this year and the next (their iCalendar files, and the
    one residents subscribe to, are the site's own: documents/site.py)."""
    for year in site_years(run.request.today):
        yield Page(
            f"calendrier/calendrier-{year}.html",
            SITE_HTML,
            functools.partial(_year_page, run.records, year),
            inputs=run.dependencies.everything("calendrier", str(year)),
            section=str(year),
        )
