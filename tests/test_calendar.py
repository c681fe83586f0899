"""`gasp calendar`: slots from cadences, holidays, recorded meetings, four formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vobject

from conftest import REPO, add_group, gasp, minimal_workspace, typeset, write


def rows(workspace: Path, *args: str) -> list[dict]:
    result = gasp("calendar", "--format", "json", *args, workspace=workspace)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return minimal_workspace(tmp_path)


def test_each_frequency_gives_one_slot_per_period(workspace: Path):
    add_group(workspace, "mensuel", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    add_group(
        workspace, "trimestriel", "usagers", "frequency: quarterly\nweekday: thursday\nweek: 1\nmonths: [3, 6, 9, 12]"
    )
    add_group(workspace, "semestriel", "referents", "frequency: semiannual\nweekday: friday\nweek: 3\nmonths: [6, 12]")
    add_group(workspace, "annuel", "intergroupes", "frequency: annual\nweekday: thursday\nweek: 4\nmonths: [10]")
    found = rows(workspace, "--year", "2003")
    by_group = {
        g: [r["date"] for r in found if r["group"] == g] for g in ("mensuel", "trimestriel", "semestriel", "annuel")
    }
    assert len(by_group["mensuel"]) == 12
    assert by_group["trimestriel"] == ["2003-03-06", "2003-06-05", "2003-09-04", "2003-12-04"]
    assert by_group["semestriel"] == ["2003-06-20", "2003-12-19"]
    assert by_group["annuel"] == ["2003-10-23"]
    assert all(r["origin"] == "planned" and r["status"] == "planned" for r in found)
    assert [r["date"] for r in found] == sorted(r["date"] for r in found)
    assert set(found[0]) == {"date", "time", "group", "place", "origin", "status", "moved_from", "reason"}


def test_last_weekday_and_skipped_months(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: thursday\nweek: -1\nskip_months: [7, 8]")
    found = rows(workspace, "--year", "2003")
    dates = [r["date"] for r in found]
    assert len(dates) == 10
    assert "2003-01-30" in dates and "2003-07-31" not in dates and "2003-08-28" not in dates
    assert dates[-1] == "2003-12-25" or dates[-1] == "2003-12-18"


def test_a_public_holiday_moves_the_slot_a_week_later(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2\navoid: [public-holidays]")
    found = {r["date"]: r for r in rows(workspace, "--year", "2001")}
    assert "2001-05-08" not in found
    moved = found["2001-05-15"]
    assert (moved["moved_from"], moved["reason"]) == ("2001-05-08", "Fête de la Victoire")
    assert found["2001-06-12"]["moved_from"] is None


def test_the_last_thursday_of_december_leaves_christmas(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: -1\navoid: [public-holidays]")
    found = {r["date"]: r for r in rows(workspace, "--from", "2007-12-01", "--to", "2008-01-31")}
    # 25 December, then 1 January: two weeks later, both reasons kept.
    assert (found["2008-01-08"]["moved_from"], found["2008-01-08"]["reason"]) == ("2007-12-25", "Noël, Jour de l'an")
    assert found["2008-01-29"]["moved_from"] is None


def test_school_holidays_move_the_slot_until_it_is_free(workspace: Path):
    add_group(
        workspace, "usagers", "usagers", "frequency: monthly\nweekday: thursday\nweek: 3\navoid: [school-holidays]"
    )
    found = {r["date"]: r for r in rows(workspace, "--year", "2025")}
    assert found["2025-04-24"]["moved_from"] == "2025-04-17"
    assert found["2025-04-24"]["reason"] == "Vacances de printemps"
    february = [r for r in found.values() if r["date"].startswith("2025-02")]
    assert february[0]["moved_from"] == "2025-02-20" and february[0]["reason"] == "Vacances d'hiver"


def test_school_holidays_follow_the_zone(workspace: Path):
    path = workspace / "records/gasp.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "school_zone: C\n", encoding="utf-8")
    add_group(
        workspace, "usagers", "usagers", "frequency: monthly\nweekday: thursday\nweek: 3\navoid: [school-holidays]"
    )
    found = {r["date"]: r for r in rows(workspace, "--year", "2025")}
    # Zone C is on holiday from 12 to 27 April: 17 and 24 April are both taken.
    assert (found["2025-05-01"]["moved_from"], found["2025-05-01"]["reason"]) == ("2025-04-17", "Vacances de printemps")


def test_recorded_meetings_replace_the_slot_of_their_period(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    write(
        workspace,
        "records/meetings/2003/2003-03-20-agents.yaml",
        'group: agents\ndate: 2003-03-20\ntime: "09:30"\nstatus: held\n',
    )
    write(
        workspace,
        "records/meetings/2003/2003-04-08-agents.yaml",
        "group: agents\ndate: 2003-04-08\nstatus: cancelled\n",
    )
    found = rows(workspace, "--from", "2003-03-01", "--to", "2003-05-31")
    assert [(r["date"], r["time"], r["origin"], r["status"]) for r in found] == [
        ("2003-03-20", "09:30", "recorded", "held"),
        ("2003-04-08", "14:00", "recorded", "cancelled"),
        ("2003-05-13", "14:00", "planned", "planned"),
    ]


def test_group_filter_and_date_range(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    add_group(workspace, "usagers", "usagers", "frequency: quarterly\nweekday: thursday\nweek: 2")
    found = rows(workspace, "--group", "usagers", "--from", "2003-01-01", "--to", "2003-06-30")
    assert [(r["group"], r["date"]) for r in found] == [("usagers", "2003-01-09"), ("usagers", "2003-04-10")]


def test_no_slot_before_the_group_begins(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2", since="2003-06-01")
    assert rows(workspace, "--year", "2003")[0]["date"] == "2003-06-10"


def test_markdown_and_table(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2\navoid: [public-holidays]")
    md = gasp("calendar", "--year", "2001", "--format", "md", workspace=workspace)
    assert md.exit_code == 0
    assert md.stdout.startswith("# Calendrier 2001 — Gasp de test\n")
    assert (
        typeset(
            "| mardi 15 mai 2001 | 14:00 | Groupe agents | Salle Jean Jaurès | prévue par la cadence | prévue |"
            " décalée du 8 mai 2001 (Fête de la Victoire) |"
        )
        in md.stdout
    )
    table = gasp("calendar", "--year", "2001", workspace=workspace, env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "mar. 15/05/2001" in table.stdout and "Fête de la Victoire" in table.stdout


def test_record_text_is_escaped_in_markdown(workspace: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    path = workspace / "records/groups/agents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: Groupe agents", 'name: "Agents | <b>gras</b>"'),
        encoding="utf-8",
    )
    md = gasp("calendar", "--year", "2003", "--format", "md", workspace=workspace).stdout
    assert "<b>" not in md and "Agents \\| \\<b\\>gras\\</b\\>" in md


def test_ics_is_stable_and_reads_back_in_a_second_parser(workspace: Path, tmp_path: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2\navoid: [public-holidays]")
    write(
        workspace,
        "records/meetings/2001/2001-04-10-agents.yaml",
        "group: agents\ndate: 2001-04-10\nstatus: cancelled\n",
    )
    env = {"SOURCE_DATE_EPOCH": "1000000000"}
    first = gasp("calendar", "--year", "2001", "--format", "ics", workspace=workspace, env=env)
    second = gasp("calendar", "--year", "2001", "--format", "ics", workspace=workspace, env=env)
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes
    text = first.stdout_bytes.decode("utf-8")
    assert "DTSTART;TZID=Europe/Paris:20010515T140000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Paris" in text
    assert "DTSTAMP:20010909T014640Z" in text
    assert "\r\n" in text

    calendar = vobject.readOne(text)
    events = calendar.vevent_list
    assert len(events) == 12
    uids = [e.uid.value for e in events]
    assert len(set(uids)) == 12 and uids[0].startswith("agents-2001-01@")
    may = next(e for e in events if e.dtstart.value.month == 5)
    assert may.dtstart.value.isoformat() == "2001-05-15T14:00:00+02:00"
    assert (may.dtend.value - may.dtstart.value).seconds == 90 * 60
    assert may.summary.value == "Groupe agents"
    assert may.location.value == "Salle Jean Jaurès, 1 rue de la Mairie, 59278 Escautpont"
    assert "Fête de la Victoire" in may.description.value
    april = next(e for e in events if e.dtstart.value.month == 4)
    assert april.status.value == "CANCELLED"

    # Recording the May meeting keeps its UID: calendar programs update the event.
    write(
        workspace, "records/meetings/2001/2001-05-15-agents.yaml", "group: agents\ndate: 2001-05-15\nstatus: planned\n"
    )
    third = gasp("calendar", "--year", "2001", "--format", "ics", workspace=workspace, env=env)
    assert [e.uid.value for e in vobject.readOne(third.stdout_bytes.decode()).vevent_list] == uids


def test_out_writes_a_file_but_never_under_records(workspace: Path, tmp_path: Path):
    add_group(workspace, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2")
    target = tmp_path / "sortie" / "calendrier.ics"
    result = gasp("calendar", "--year", "2003", "--format", "ics", "--out", str(target), workspace=workspace)
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    refused = gasp(
        "calendar",
        "--year",
        "2003",
        "--format",
        "md",
        "--out",
        str(workspace / "records" / "x.md"),
        workspace=workspace,
    )
    assert refused.exit_code == 1 and "records/" in refused.stderr
    assert not (workspace / "records" / "x.md").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2001-02-30", "--to", "2001-03-31"),
        ("--from", "2001-05-01", "--to", "2001-04-01"),
        ("--year", "2001", "--from", "2001-01-01"),
        ("--year", "deux-mille"),
    ],
)
def test_bad_dates_are_usage_errors(args):
    result = gasp("calendar", *args, workspace=REPO)
    assert result.exit_code == 2
    assert result.stderr.startswith("gasp : erreur d'utilisation : ")
    assert "Traceback" not in result.output


def test_an_unknown_group_is_exit_1_with_the_closest_id():
    result = gasp("calendar", "--group", "agent", workspace=REPO)
    assert result.exit_code == 1
    assert "groupe « agent » inconnu ; vouliez-vous dire « agents » ?" in result.stderr


def test_invalid_records_produce_nothing(example: Path):
    write(example, "records/themes/casse.yaml", "titre: x\n")
    result = gasp("calendar", "--year", "2001", "--format", "json", workspace=example)
    assert result.exit_code == 1 and result.stdout == ""
    assert "records/themes/casse.yaml:1:1" in result.stderr


def test_the_example_calendar_for_2001():
    found = rows(REPO, "--year", "2001")
    counts = {g: sum(r["group"] == g for r in found) for g in ("agents", "usagers", "referents", "intergroupes")}
    assert counts == {"agents": 12, "usagers": 4, "referents": 2, "intergroupes": 1}
    assert all(r["origin"] == "recorded" and r["status"] == "held" for r in found)
    ics = gasp("calendar", "--year", "2001", "--format", "ics", workspace=REPO, env={"SOURCE_DATE_EPOCH": "0"})
    assert len(vobject.readOne(ics.stdout_bytes.decode()).vevent_list) == 19
    md = gasp("calendar", "--year", "2001", "--format", "md", workspace=REPO).stdout
    assert md.count("\n| ") == 20


def test_the_example_plans_the_rest_of_2002():
    found = rows(REPO, "--from", "2002-07-01", "--to", "2002-12-31")
    assert [(r["date"], r["group"], r["origin"]) for r in found] == [
        ("2002-07-09", "agents", "planned"),
        ("2002-08-13", "agents", "planned"),
        ("2002-09-10", "agents", "planned"),
        ("2002-09-12", "usagers", "planned"),
        ("2002-10-08", "agents", "planned"),
        ("2002-11-12", "agents", "planned"),
        ("2002-12-10", "agents", "planned"),
        ("2002-12-12", "usagers", "planned"),
        ("2002-12-20", "referents", "recorded"),
    ]


_HOLIDAYS = """
import json, sys
years = range(1990, 2031)
if sys.argv[1] == "alone":
    from gasp_cli.calendar import _france
    france = _france()
    assert "holidays.countries" not in sys.modules  # not the 200 countries
else:
    import holidays
    import functools
    france = functools.partial(holidays.country_holidays, "FR")
days = {"public": {str(d): n for d, n in france(years=years, language="fr").items()}}
for zone in "ABC":
    school = france(years=years, subdiv=f"Zone {zone}", categories=("school",), language="fr")
    days[zone] = {str(d): n for d, n in school.items()}
print(json.dumps(days, sort_keys=True))
"""


def test_france_loaded_alone_gives_the_package_days():
    """calendar._france loads the holidays package's France module from its file (not its 200
    countries): the same public and school holidays as `holidays.country_holidays("FR")`, for
    every zone (each in a process of its own: in one, the package would find the module loaded)."""
    import subprocess
    import sys

    found = {
        way: json.loads(
            subprocess.run([sys.executable, "-c", _HOLIDAYS, way], capture_output=True, text=True, check=True).stdout
        )
        for way in ("alone", "package")
    }
    assert found["alone"] == found["package"]
    assert len(found["alone"]["public"]) > 400 and all(len(found["alone"][zone]) > 1000 for zone in "ABC")
