"""`gasp new meeting` writes the minutes of the meeting that just took place: its date, its people, valid YAML."""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml

from conftest import EXAMPLE, add_group, gasp, minimal_workspace, write


def _new(root: Path, today: str, *args: str):
    return gasp("new", "meeting", *args, workspace=root, env={"GASP_TODAY": today})


def _agents(root: Path) -> Path:
    minimal_workspace(root)
    # Monthly, the second Tuesday: 10 February, 10 March, 14 April 2026.
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2", since="2026-01-01")
    for day in ("2026-01-13", "2026-02-10"):
        write(root, f"records/meetings/2026/{day}-agents.yaml", f"group: agents\ndate: {day}\nstatus: held\n")
    return root


def test_a_few_days_after_the_meeting_its_date_is_the_default(tmp_path: Path):
    root = _agents(tmp_path)
    result = _new(root, "2026-03-12", "--group", "agents")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2026-03-10-agents.yaml")  # not 14 April


def test_the_day_of_the_meeting_and_once_it_is_recorded(tmp_path: Path):
    root = _agents(tmp_path)
    assert _new(root, "2026-03-10", "--group", "agents").stdout.strip().endswith("2026-03-10-agents.yaml")
    # Recorded now: the next one is the default.
    assert _new(root, "2026-03-12", "--group", "agents").stdout.strip().endswith("2026-04-14-agents.yaml")


def test_a_date_older_than_a_period_is_not_the_default(tmp_path: Path):
    root = _agents(tmp_path)
    # 10 March is more than a month before 13 April: it is a forgotten meeting, not today's minutes.
    result = _new(root, "2026-04-13", "--group", "agents")
    assert result.stdout.strip().endswith("2026-04-14-agents.yaml"), result.output


def test_the_window_is_the_cadence_period(tmp_path: Path):
    minimal_workspace(tmp_path)
    add_group(
        tmp_path,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since="2026-01-01",
    )
    # 12 March 2026 was the quarter's meeting; two months later it is still the default.
    assert _new(tmp_path, "2026-05-20", "--group", "usagers").stdout.strip().endswith("2026-03-12-usagers.yaml")


def test_the_intergroupes_meeting_lists_every_groups_members(tmp_path: Path):
    root = tmp_path
    for path in EXAMPLE.rglob("*.yaml"):
        relative = path.relative_to(EXAMPLE)
        if relative.parts[0] == "observations":
            continue  # one observes the meeting left out here
        if relative.parts[0] != "meetings" or relative.parts[1] != "2002" or "intergroupes" not in path.name:
            write(root, f"records/{relative.as_posix()}", path.read_text(encoding="utf-8"))
    result = _new(root, "2002-06-30", "--group", "intergroupes")
    assert result.exit_code == 0, result.output
    written = root / result.stdout.strip()
    text = written.read_text(encoding="utf-8")
    assert "Réunion du Réunion" not in text
    assert text.splitlines()[0].startswith("# Réunion intergroupes, jeudi 27 juin 2002")
    attendees = yaml.safe_load(text)["attendees"]
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    records = load_workspace(Workspace(root)).records
    day = datetime.date(2002, 6, 27)
    expected = {
        m.person
        for g in records.groups.values()
        for m in g.members
        if m.since <= day and (m.until is None or m.until >= day)
    }
    assert set(attendees) == expected and len(attendees) == len(expected)
    assert "habitant-1" in attendees and "adjoint-escautpont" in attendees and "agent-mediatheque" in attendees


def test_names_with_line_breaks_cannot_break_the_yaml(tmp_path: Path):
    from gasp_cli.creating import new_meeting
    from gasp_cli.loader import load_workspace
    from gasp_cli.models import Meeting
    from gasp_cli.workspace import Workspace

    root = _agents(tmp_path)
    workspace = Workspace(root)
    records = load_workspace(workspace).records
    # Whatever the checks let through, what gasp writes stays valid YAML: names only reach comments, on one line.
    records.groups["agents"] = records.groups["agents"].model_copy(
        update={"name": "Groupe\ndes agents\nstatus: cancelled\n- x"}
    )
    place = records.gasp.places["salle"].model_copy(update={"name": "Salle\r\nplace: ailleurs\x0b"})
    records.gasp = records.gasp.model_copy(update={"places": {"salle": place}})
    created = new_meeting(workspace, records, "agents", datetime.date(2026, 3, 10), datetime.date(2026, 3, 12))
    data = yaml.safe_load(created.path.read_text(encoding="utf-8"))
    Meeting.model_validate(data)
    assert data["status"] == "planned" and data["place"] == "salle" and data["group"] == "agents"
    header = created.path.read_text(encoding="utf-8").splitlines()[0]
    assert (
        header
        == "# Réunion : Groupe des agents status: cancelled - x, mardi 10 mars 2026 à 14 h, Salle place: ailleurs."
    )
