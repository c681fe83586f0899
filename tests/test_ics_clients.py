"""The ICS in the programs that read it: every event at the same UTC instant in Python's
zoneinfo, icalendar, vobject and ical.js (Thunderbird's parser), a VTIMEZONE made of
RRULEs, text that cannot inject a property, and what a calendar program needs to
replace an updated event (no METHOD without ORGANIZER, SEQUENCE, LAST-MODIFIED)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from conftest import REPO, add_group, gasp, minimal_workspace, write
from gasp_cli.calendar import calendar_rows, holidays_for
from gasp_cli.checks import check_workspace
from gasp_cli.documents.calendrier import as_ics, vtimezone
from gasp_cli.workspace import find_workspace

UTC = datetime.UTC
ICALJS = Path(__file__).resolve().parent / "icaljs"
LIBICAL = Path(__file__).resolve().parent / "libical" / "check.py"
STAMP = {"SOURCE_DATE_EPOCH": "1775000000"}  # 2026-03-31T23:33:20Z


# --- reading a file back ---------------------------------------------------------------


def unfolded_lines(ics: bytes) -> list[str]:
    """RFC 5545 §3.1: a line starting with a space continues the previous one."""
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def events(ics: bytes) -> list[dict[str, str]]:
    """Each VEVENT's raw properties, read without any iCalendar library."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfolded_lines(ics):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def zoneinfo_instants(ics: bytes) -> dict[str, datetime.datetime]:
    """(a) What the file means: its local DTSTART in Python's zoneinfo, as UTC."""
    instants = {}
    for event in events(ics):
        ((key, value),) = ((k, v) for k, v in event.items() if k.startswith("DTSTART"))
        tzid = re.fullmatch(r"DTSTART;TZID=(.+)", key)[1]
        local = datetime.datetime.strptime(value, "%Y%m%dT%H%M%S")
        instants[event["UID"]] = local.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC)
    return instants


def icalendar_instants(ics: bytes) -> dict[str, datetime.datetime]:
    """(b) icalendar, with a tzinfo built from the file's own VTIMEZONE (not looked up by name)."""
    calendar = icalendar.Calendar.from_ical(ics)
    (vtimezone_component,) = calendar.walk("VTIMEZONE")
    zone = vtimezone_component.to_tz(lookup_tzid=False)
    instants = {}
    for event in calendar.walk("VEVENT"):
        start = event["DTSTART"].dt
        assert start.tzinfo is not None
        instants[str(event["UID"])] = start.replace(tzinfo=zone).astimezone(UTC)
    return instants


def vobject_instants(ics: bytes) -> dict[str, datetime.datetime]:
    """(c) vobject, which keeps the first VTIMEZONE it met for a TZID: forget them first."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    saved = dict(registry)
    registry.clear()
    registry["UTC"] = saved["UTC"]
    try:
        calendar = vobject.readOne(ics.decode("utf-8"))
        instants = {}
        for event in calendar.vevent_list:
            start = event.dtstart.value
            # Built by dateutil from this file's VTIMEZONE, not pytz's copy of the zone.
            assert type(start.tzinfo).__module__.startswith("dateutil"), type(start.tzinfo)
            instants[event.uid.value] = start.astimezone(UTC)
        return instants
    finally:
        registry.clear()
        registry.update(saved)


@pytest.fixture(scope="session")
def icaljs_instants():
    """(d) ical.js, installed once with npm under tests/icaljs/ (git-ignored)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "node or npm is not on this machine: the ical.js check is skipped "
            "(zoneinfo, icalendar and vobject were checked)"
        )
    if not (ICALJS / "node_modules" / "ical.js" / "package.json").exists():
        installed = subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(ICALJS), "ical.js@2"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert installed.returncode == 0, f"npm install ical.js failed:\n{installed.stderr}"

    def read(files: list[Path]) -> dict[str, dict[str, datetime.datetime]]:
        ran = subprocess.run(
            [node, str(ICALJS / "utc_instants.mjs"), *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ICALJS,
        )
        assert ran.returncode == 0, ran.stderr
        return {
            file: {uid: datetime.datetime.fromisoformat(value) for uid, value in instants.items()}
            for file, instants in json.loads(ran.stdout).items()
        }

    return read


@pytest.fixture(scope="session")
def libical():
    """(e) libical, when its Debian package (libical3) is installed: instants and its RFC 5546 check."""
    import ctypes.util

    if ctypes.util.find_library("ical") is None:
        pytest.skip("libical is not installed (apt-get install libical3): the libical check is skipped")

    def read(files: list[Path]) -> dict[str, dict]:
        ran = subprocess.run(
            [sys.executable, str(LIBICAL), *map(str, files)], capture_output=True, text=True, timeout=300
        )
        assert ran.returncode == 0, ran.stderr
        return {
            file: {
                "instants": {uid: datetime.datetime.fromisoformat(value) for uid, value in found["instants"].items()},
                "errors": found["errors"],
            }
            for file, found in json.loads(ran.stdout).items()
        }

    return read


def written(files: dict[str, bytes], folder: Path) -> dict[str, Path]:
    paths = {}
    for index, (name, ics) in enumerate(files.items()):
        paths[name] = folder / f"{index}.ics"
        paths[name].write_bytes(ics)
    return paths


# --- the calendars under test ----------------------------------------------------------


def workspace_2026(root: Path) -> Path:
    """Meetings all year round in 2026: the agents monthly (planned by the cadence), the
    usagers recorded in winter and in summer, one of them at another time."""
    minimal_workspace(root, as_of="2026-12-31")
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    add_group(root, "usagers", "usagers", "frequency: quarterly\nweekday: thursday\nweek: 1")
    write(root, "records/meetings/2026/2026-01-08-usagers.yaml", "group: usagers\ndate: 2026-01-08\nstatus: planned\n")
    write(
        root,
        "records/meetings/2026/2026-07-02-usagers.yaml",
        'group: usagers\ndate: 2026-07-02\ntime: "09:30"\nstatus: planned\n',
    )
    write(
        root, "records/meetings/2026/2026-10-01-usagers.yaml", "group: usagers\ndate: 2026-10-01\nstatus: cancelled\n"
    )
    return root


def calendar_files(tmp_path: Path) -> dict[str, bytes]:
    """Every ICS that gasp writes for the example and for the 2026 workspace."""
    files = {}
    for args in (("--year", "2001"), ("--year", "2002"), ("--from", "2000-06-01", "--to", "2003-12-31")):
        result = gasp("calendar", *args, "--format", "ics", workspace=REPO, env=STAMP)
        assert result.exit_code == 0, result.output
        files["exemple " + " ".join(args)] = result.stdout_bytes
    generated = workspace_2026(tmp_path / "2026")
    result = gasp("calendar", "--year", "2026", "--format", "ics", workspace=generated, env=STAMP)
    assert result.exit_code == 0, result.output
    files["2026"] = result.stdout_bytes
    for name, root, today in (("exemple", REPO, "2002-06-30"), ("2026", generated, "2026-04-01")):
        out = tmp_path / f"out-{name}"
        result = gasp("render", "--out", str(out), "--format", "md", workspace=root, env={**STAMP, "GASP_TODAY": today})
        assert result.exit_code == 0, result.output
        (ics,) = sorted((out / "calendrier").glob("*.ics"))
        files[f"render {name} {ics.name}"] = ics.read_bytes()
    return files


@pytest.fixture(scope="module")
def calendars(tmp_path_factory) -> dict[str, bytes]:
    return calendar_files(tmp_path_factory.mktemp("ics"))


# --- every client, the same instant ----------------------------------------------------


def test_every_event_is_at_the_same_instant_in_zoneinfo_icalendar_and_vobject(calendars):
    checked = 0
    for name, ics in calendars.items():
        expected = zoneinfo_instants(ics)
        assert expected, name
        assert icalendar_instants(ics) == expected, name
        assert vobject_instants(ics) == expected, name
        checked += len(expected)
    assert checked > 100


def test_every_event_is_at_the_same_instant_in_icaljs(calendars, icaljs_instants, tmp_path):
    paths = written(calendars, tmp_path)
    read = icaljs_instants(list(paths.values()))
    for name, ics in calendars.items():
        assert read[str(paths[name])] == zoneinfo_instants(ics), name


def test_libical_agrees_and_its_rfc_5546_check_passes(calendars, libical, tmp_path):
    paths = written(calendars, tmp_path)
    read = libical(list(paths.values()))
    for name, ics in calendars.items():
        assert read[str(paths[name])]["instants"] == zoneinfo_instants(ics), name
        assert read[str(paths[name])]["errors"] == [], name


def test_a_summer_afternoon_in_paris_is_noon_utc_in_every_client(calendars, tmp_path):
    ics = calendars["2026"]
    (uid,) = [e["UID"] for e in events(ics) if e["DTSTART;TZID=Europe/Paris"] == "20260414T140000"]
    noon = datetime.datetime(2026, 4, 14, 12, 0, tzinfo=UTC)
    assert zoneinfo_instants(ics)[uid] == noon
    assert icalendar_instants(ics)[uid] == noon
    assert vobject_instants(ics)[uid] == noon
    # Winter stays an hour from UTC, and the render's file says the same.
    (january,) = [e["UID"] for e in events(ics) if e["DTSTART;TZID=Europe/Paris"] == "20260113T140000"]
    assert vobject_instants(ics)[january] == datetime.datetime(2026, 1, 13, 13, 0, tzinfo=UTC)
    rendered = calendars["render 2026 calendrier-2026.ics"]
    assert zoneinfo_instants(rendered)[uid] == noon == vobject_instants(rendered)[uid]


def test_icaljs_puts_a_summer_afternoon_in_paris_at_noon_utc(calendars, icaljs_instants, tmp_path):
    paths = written({"2026": calendars["2026"], "mai": summer_from_may(calendars["2026"])}, tmp_path)
    read = icaljs_instants(list(paths.values()))
    (uid,) = [e["UID"] for e in events(calendars["2026"]) if e["DTSTART;TZID=Europe/Paris"] == "20260414T140000"]
    assert read[str(paths["2026"])][uid] == datetime.datetime(2026, 4, 14, 12, 0, tzinfo=UTC)
    # It reads the file's VTIMEZONE, not a copy of its own: a wrong rule gives a wrong hour.
    assert read[str(paths["mai"])][uid] == datetime.datetime(2026, 4, 14, 13, 0, tzinfo=UTC)


def summer_from_may(ics: bytes) -> bytes:
    """The same file with a wrong VTIMEZONE: summer time from the last Sunday of May."""
    wrong = ics.replace(b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=5")
    assert wrong != ics
    return wrong


def test_each_client_reads_the_files_own_vtimezone(calendars, libical, tmp_path):
    """Else the checks above would hold whatever the VTIMEZONE says."""
    ics = summer_from_may(calendars["2026"])
    (uid,) = [e["UID"] for e in events(ics) if e["DTSTART;TZID=Europe/Paris"] == "20260414T140000"]
    one_pm = datetime.datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
    assert icalendar_instants(ics)[uid] == one_pm
    assert vobject_instants(ics)[uid] == one_pm
    (path,) = written({"mai": ics}, tmp_path).values()
    assert libical([path])[str(path)]["instants"][uid] == one_pm


def test_vobject_reads_each_file_with_its_own_years(calendars):
    """The same TZID in two files of different years: each read alone gives the same answer as both in a row."""
    first, second = calendars["exemple --year 2001"], calendars["2026"]
    vobject.readOne(first.decode("utf-8"))  # what a program that opened the 2001 file first would keep
    in_a_row = {e.uid.value: e.dtstart.value.astimezone(UTC) for e in vobject.readOne(second.decode()).vevent_list}
    assert in_a_row == zoneinfo_instants(second)


# --- the VTIMEZONE ---------------------------------------------------------------------


def vtimezone_block(ics: bytes) -> list[str]:
    lines = unfolded_lines(ics)
    return lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]


def test_the_vtimezone_is_yearly_rules_for_the_current_paris_rules(calendars):
    block = vtimezone_block(calendars["2026"])
    assert block == [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "BEGIN:DAYLIGHT",
        "DTSTART:20250330T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "TZNAME:CEST",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20251026T030000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "TZNAME:CET",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    for name, ics in calendars.items():
        text = "\n".join(vtimezone_block(ics))
        assert "RDATE" not in text and "COMMENT" not in text and "RRULE:" in text, name
        assert "This timezone" not in ics.decode(), name


def test_a_zone_without_summer_time_is_a_single_standard():
    text = vtimezone("Asia/Tokyo", 2026, 2026).to_ical().decode().replace("\r\n ", "").split("\r\n")
    assert text.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in text
    assert "TZOFFSETFROM:+0900" in text and "TZOFFSETTO:+0900" in text


# Zones whose rules changed within the years, or that run the other way round: each
# day of those years at 12:00 local (away from any change) in every client.
ZONES = [
    ("Europe/Paris", 1995, 1997),  # the end of summer time moved from September to October
    ("America/New_York", 2006, 2008),  # second Sunday of March since 2007
    ("Australia/Sydney", 2007, 2009),  # summer time over the new year
    ("America/Sao_Paulo", 2018, 2020),  # summer time abolished in 2019
    ("Europe/Moscow", 2010, 2015),  # permanent summer time, then permanent winter time
    ("Australia/Lord_Howe", 2025, 2026),  # half an hour of summer time
    ("Asia/Tokyo", 2025, 2026),
]


def noon_every_day(tzid: str, first: int, last: int) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//gasp//tests//FR")
    calendar.add("version", "2.0")
    calendar.add_component(vtimezone(tzid, first, last))
    zone = ZoneInfo(tzid)
    day = datetime.date(first, 1, 1)
    while day.year <= last:
        event = icalendar.Event()
        event.add("uid", f"{day.isoformat()}@tests")
        event.add("dtstamp", datetime.datetime(2026, 1, 1, tzinfo=UTC))
        event.add("dtstart", datetime.datetime(day.year, day.month, day.day, 12, tzinfo=zone))
        calendar.add_component(event)
        day += datetime.timedelta(days=1)
    return calendar.to_ical()


@pytest.fixture(scope="module")
def zone_calendars() -> dict[str, bytes]:
    return {tzid: noon_every_day(tzid, first, last) for tzid, first, last in ZONES}


def test_rule_changes_are_right_every_day_in_icalendar_and_vobject(zone_calendars):
    for tzid, ics in zone_calendars.items():
        assert "RDATE" not in ics.decode()
        expected = zoneinfo_instants(ics)
        assert icalendar_instants(ics) == expected, tzid
        assert vobject_instants(ics) == expected, tzid


def test_rule_changes_are_right_every_day_in_icaljs(zone_calendars, icaljs_instants, tmp_path):
    paths = written(zone_calendars, tmp_path)
    read = icaljs_instants(list(paths.values()))
    for tzid, ics in zone_calendars.items():
        assert read[str(paths[tzid])] == zoneinfo_instants(ics), tzid


def test_rule_changes_are_right_every_day_in_libical(zone_calendars, libical, tmp_path):
    paths = written(zone_calendars, tmp_path)
    read = libical(list(paths.values()))
    for tzid, ics in zone_calendars.items():
        assert read[str(paths[tzid])]["instants"] == zoneinfo_instants(ics), tzid


def test_a_rule_that_ended_stops_with_a_count_and_the_current_one_has_no_end():
    lines = vtimezone("Europe/Paris", 1995, 1997).to_ical().decode().split("\r\n")
    assert "RRULE:FREQ=YEARLY;COUNT=2;BYDAY=-1SU;BYMONTH=9" in lines  # 1994 and 1995
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in lines
    new_york = vtimezone("America/New_York", 2006, 2008).to_ical().decode().split("\r\n")
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in new_york


# --- text, METHOD, SEQUENCE ------------------------------------------------------------


def records_of(root: Path, day: datetime.date):
    records, diagnostics = check_workspace(find_workspace(str(root)), day)
    assert not [d for d in diagnostics if d.severity == "error"], diagnostics
    return records


def test_a_newline_or_cr_in_a_name_neither_crashes_nor_injects_a_property(tmp_path):
    """The ICS writer is safe by itself, whatever validate lets through."""
    root = workspace_2026(tmp_path)
    records = records_of(root, datetime.date(2026, 4, 1))
    evil = "Gasp\r\nATTENDEE:mailto:x@example.org\rMETHOD:REQUEST\nX\x1b]8;;https://x\x07"
    records.gasp = records.gasp.model_copy(update={"name": evil})
    records.groups["agents"] = records.groups["agents"].model_copy(update={"name": "Agents\rATTENDEE:mailto:y@z"})
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    rows = calendar_rows(records, start, end, holidays_for(records, start, end))
    ics = as_ics(rows, records, f"Calendrier 2026 — {evil}", datetime.datetime(2026, 4, 1, tzinfo=UTC))
    lines = unfolded_lines(ics)
    assert not [line for line in lines if line.startswith(("ATTENDEE", "METHOD", "X\\"))]
    assert b"\r" not in ics.replace(b"\r\n", b"") and b"\x1b" not in ics and b"\x07" not in ics
    (calname,) = [line for line in lines if line.startswith("X-WR-CALNAME")]
    assert calname == (
        "X-WR-CALNAME:Calendrier 2026 — Gasp\\nATTENDEE:mailto:x@example.org\\nMETHOD:REQUEST"
        "\\nX\\\\x1b]8\\;\\;https://x\\\\x07"
    )
    parsed = icalendar.Calendar.from_ical(ics)
    assert str(parsed["X-WR-CALNAME"]).startswith("Calendrier 2026 — Gasp\\nATTENDEE")  # one value, kept as text
    summaries = {str(e["SUMMARY"]) for e in parsed.walk("VEVENT")}
    assert "Agents\nATTENDEE:mailto:y@z" in summaries
    assert "Agents\nATTENDEE:mailto:y@z" in {e.summary.value for e in vobject.readOne(ics.decode()).vevent_list}


def test_no_method_without_an_organizer(calendars):
    for name, ics in calendars.items():
        lines = unfolded_lines(ics)
        method = [line for line in lines if line.startswith("METHOD")]
        organizers = [line for line in lines if line.startswith("ORGANIZER")]
        assert not method or len(organizers) == lines.count("BEGIN:VEVENT"), name


def test_each_event_has_a_sequence_and_a_last_modified(calendars):
    for name, ics in calendars.items():
        for event in events(ics):
            assert event["LAST-MODIFIED"] == event["DTSTAMP"] == "20260331T233320Z", name
            assert int(event["SEQUENCE"]) >= 3 * 20543, name  # days from 1970 to 2026-03-31


def test_an_updated_event_has_a_higher_sequence(tmp_path):
    """Same day: a slot that gets recorded, then cancelled, goes up; a later day is always higher."""
    root = workspace_2026(tmp_path)

    def sequence_of_may(env: dict) -> int:
        result = gasp("calendar", "--year", "2026", "--format", "ics", workspace=root, env=env)
        assert result.exit_code == 0, result.output
        (may,) = [e for e in events(result.stdout_bytes) if e["DTSTART;TZID=Europe/Paris"] == "20260512T140000"]
        return int(may["SEQUENCE"])

    slot = sequence_of_may(STAMP)
    assert sequence_of_may(STAMP) == slot  # same records, same bytes
    write(root, "records/meetings/2026/2026-05-12-agents.yaml", "group: agents\ndate: 2026-05-12\nstatus: planned\n")
    recorded = sequence_of_may(STAMP)
    write(root, "records/meetings/2026/2026-05-12-agents.yaml", "group: agents\ndate: 2026-05-12\nstatus: cancelled\n")
    cancelled = sequence_of_may(STAMP)
    assert slot < recorded < cancelled
    (root / "records/meetings/2026/2026-05-12-agents.yaml").unlink()
    assert sequence_of_may({"SOURCE_DATE_EPOCH": str(1775000000 + 86400)}) > cancelled
