"""A discussion is allowed at any time after the raising and moves the status only from raised.

The article: the residents « discutent des projets en cours ». After a référents
validation and an `in-progress` milestone, a usagers meeting that discusses the
project is a normal record, shown in every timeline, and the project stays in progress.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import add_group, gasp, minimal_workspace, typeset, write

ENV = {"GASP_TODAY": "2021-12-31"}


@pytest.fixture
def under_way(tmp_path: Path) -> Path:
    root = minimal_workspace(tmp_path)
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2", since="2021-01-01")
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since="2021-01-01",
    )
    add_group(
        root,
        "referents",
        "referents",
        "frequency: semiannual\nweekday: friday\nweek: 3\nmonths: [6, 12]",
        since="2021-01-01",
    )
    write(root, "records/themes/transport.yaml", "title: Transport\n")
    write(
        root,
        "records/proposals/navette.yaml",
        "title: Une navette le soir\ntheme: transport\n"
        "milestones:\n  - {date: 2021-07-01, status: in-progress, note: Appel d’offres lancé}\n",
    )
    meetings = {
        "2021-03-11-usagers": "proposals:\n  - {proposal: navette, event: raised}\n",
        "2021-06-18-referents": "decisions:\n  - {proposal: navette, outcome: validated}\n",
        "2021-09-09-usagers": "proposals:\n  - {proposal: navette, event: discussed, note: Les horaires conviennent}\n",
        "2021-12-14-agents": "proposals:\n  - {proposal: navette, event: discussed, note: Premier bilan}\n",
    }
    for mid, body in meetings.items():
        group = mid.split("-", 3)[3]
        write(
            root,
            f"records/meetings/2021/{mid}.yaml",
            f"group: {group}\ndate: {mid[:10]}\nstatus: held\nattendees: [secretaire]\n{body}",
        )
    return root


def test_discussing_a_project_under_way_is_valid(under_way: Path):
    result = gasp("validate", "--format", "json", workspace=under_way, env=ENV)
    assert result.exit_code == 0, result.stdout
    assert [d for d in json.loads(result.stdout) if d["code"] == "lifecycle"] == []


def test_the_status_stays_in_progress_and_the_trace_shows_the_discussions(under_way: Path):
    listed = json.loads(gasp("trace", "proposal", "--format", "json", workspace=under_way, env=ENV).stdout)
    assert listed[0]["status"] == "in-progress"
    result = gasp("trace", "proposal", "navette", "--format", "json", workspace=under_way, env=ENV)
    assert result.exit_code == 0, result.output
    traced = json.loads(result.stdout)
    assert traced["status"] == "in-progress"
    assert [(e["date"], e["kind"], e["group"]) for e in traced["events"]] == [
        ("2021-03-11", "raised", "usagers"),
        ("2021-06-18", "validated", "referents"),
        ("2021-07-01", "in-progress", None),
        ("2021-09-09", "discussed", "usagers"),
        ("2021-12-14", "discussed", "agents"),
    ]
    text = gasp("trace", "proposal", "navette", workspace=under_way, env={**ENV, "COLUMNS": "160"}).stdout
    assert "Les horaires conviennent" in text and "en cours de mise en œuvre" in text
    md = gasp("trace", "proposal", "navette", "--format", "md", workspace=under_way, env=ENV).stdout
    assert "Premier bilan" in md and typeset("Statut : en cours") in md


def test_render_works_and_the_compte_rendu_lists_the_discussion(under_way: Path):
    result = gasp("render", "--format", "md", "--only", "comptes-rendus", workspace=under_way, env=ENV)
    assert result.exit_code == 0, result.output
    compte_rendu = (under_way / "out/comptes-rendus/2021-09-09-usagers.md").read_text(encoding="utf-8")
    assert "Une navette le soir" in compte_rendu


def test_a_discussion_after_a_final_status_is_allowed_and_changes_nothing(under_way: Path):
    write(
        under_way,
        "records/proposals/navette.yaml",
        "title: Une navette le soir\ntheme: transport\nmilestones:\n  - {date: 2021-07-01, status: done}\n",
    )
    assert gasp("validate", workspace=under_way, env=ENV).exit_code == 0
    traced = json.loads(gasp("trace", "proposal", "navette", "--format", "json", workspace=under_way, env=ENV).stdout)
    assert traced["status"] == "done"


def test_a_discussion_still_moves_a_raised_proposal_to_discussed(under_way: Path):
    (under_way / "records/meetings/2021/2021-06-18-referents.yaml").unlink()
    write(under_way, "records/proposals/navette.yaml", "title: Une navette le soir\ntheme: transport\n")
    traced = json.loads(gasp("trace", "proposal", "navette", "--format", "json", workspace=under_way, env=ENV).stdout)
    assert traced["status"] == "discussed"


def test_the_status_on_a_day_ignores_a_later_discussion(under_way: Path):
    import datetime

    from gasp_cli.checks import check_workspace
    from gasp_cli.lifecycle import histories
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(under_way), datetime.date(2021, 12, 31))
    history = histories(records)["navette"]
    assert history.status_on(datetime.date(2021, 6, 30)) == "validated"
    assert history.status_on(datetime.date(2021, 9, 30)) == "in-progress"
    assert history.status_event().date == datetime.date(2021, 7, 1)


def test_only_a_discussion_may_follow_a_closed_proposal_and_the_message_says_so_in_french(under_way: Path):
    write(
        under_way,
        "records/proposals/navette.yaml",
        "title: Une navette le soir\ntheme: transport\nmilestones:\n  - {date: 2021-07-01, status: done}\n",
    )
    write(
        under_way,
        "records/meetings/2021/2021-09-09-usagers.yaml",
        "group: usagers\ndate: 2021-09-09\nstatus: held\nattendees: [secretaire]\n"
        "proposals:\n  - {proposal: navette, event: withdrawn}\n",
    )
    result = gasp("validate", "--format", "json", workspace=under_way, env=ENV)
    assert result.exit_code == 1
    messages = [d["message"] for d in json.loads(result.stdout) if d["code"] == "lifecycle"]
    assert messages == [
        (
            "« navette » est close (« réalisée ») : seule une discussion peut suivre le 9 septembre 2021 ;"
            " créez une nouvelle proposition avec « replaces »"
        )
    ]
