"""`gasp report --format json` carries everything the pages show (DESIGN.md, machine-readable output),
and the pages say the same thing in the table and in the chart."""

from __future__ import annotations

import datetime
import html
import json
import re
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, write

DESIGN_KEYS = [
    "year",
    "groups",
    "proposals",
    "median_days_to_decision",
    "open_actions",
    "funding",
    "institutions",
    "arrivals",
    "departures",
    "guest_institutions",
    "themes",
    "shared_themes",
    "decided_within_commitment",
    "median_days_to_minutes",
    "next_year",
    "indicators",
]
INDICATOR_KEYS = ["indicator", "group", "subject", "origin_group", "value", "unit", "n", "counted_to"]
GROUP_KEYS = ["kind", "due", "held", "cancelled", "attendance_mean", "attendance_min", "attendance_max"]


def report_json(root: Path, year: int, env: dict | None = None) -> dict:
    result = gasp("report", "--year", str(year), "--format", "json", workspace=root, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_example_report_has_every_key_of_the_contract():
    report = report_json(REPO, 2001)
    assert list(report) == DESIGN_KEYS
    for group in report["groups"].values():
        assert list(group) == GROUP_KEYS
    assert report["groups"]["intergroupes"]["attendance_min"] == report["groups"]["intergroupes"]["attendance_max"]
    assert "police-de-proximite" in report["institutions"]
    assert {"person", "date"} == set(report["arrivals"][0]) == set(report["departures"][0])
    assert report["shared_themes"]["insecurite"] == ["agents", "usagers", "intergroupes"]
    assert set(report["themes"]) == {"agents", "usagers", "intergroupes"}
    assert report["decided_within_commitment"] is None  # the example promises no delay
    assert {row["group"] for row in report["next_year"]} == {"agents", "usagers", "referents", "intergroupes"}
    assert report["indicators"] and all(list(row) == INDICATOR_KEYS for row in report["indicators"])
    assert {row["counted_to"] for row in report["indicators"]} == {"2001-12-31"}
    assert list(report["next_year"][0]) == [
        "date",
        "time",
        "group",
        "place",
        "origin",
        "status",
        "moved_from",
        "reason",
    ]


@pytest.fixture
def with_guests(tmp_path: Path) -> Path:
    root = minimal_workspace(tmp_path)
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since="2020-01-01",
    )
    write(
        root,
        "records/services/bailleur.yaml",
        "name: Agence de Bruay\ninstitution: Partenord Habitat\ncategory: Logement\npublic: {}\n",
    )
    write(
        root,
        "records/meetings/2021/2021-03-11-usagers.yaml",
        "group: usagers\ndate: 2021-03-11\nstatus: held\nattendees: [secretaire]\n"
        "guests: [bailleur, Une journaliste de La Voix du Nord]\n",
    )
    write(
        root,
        "records/meetings/2021/2021-06-10-usagers.yaml",
        "group: usagers\ndate: 2021-06-10\nstatus: held\nattendees: [secretaire]\nguests: [bailleur]\n",
    )
    return root


def test_guests_that_are_services_are_counted_as_occasional_institutions(with_guests: Path):
    report = report_json(with_guests, 2021, env={"GASP_TODAY": "2021-12-31"})
    assert report["guest_institutions"] == ["bailleur"]
    md = gasp("report", "--year", "2021", "--format", "md", workspace=with_guests, env={"GASP_TODAY": "2021-12-31"})
    assert "### Institutions invitées\n\n- Partenord Habitat — Agence de Bruay\n" in md.stdout
    assert "journaliste" not in md.stdout


def _records(root: Path, day: datetime.date):
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, diagnostics = check_workspace(Workspace(root), day)
    assert [d for d in diagnostics if d.severity == "error"] == []
    return records


def test_the_referents_commitment_and_the_delay_of_the_minutes():
    """The commitment of gasp.yaml (a real `Commitments`) and the minutes' delays, set on loaded records."""
    from gasp_cli.documents.rapport_chiffres import annual_report
    from gasp_cli.lifecycle import histories
    from gasp_cli.models import Commitments

    records = _records(REPO, datetime.date(2002, 6, 30))
    bare = annual_report(records, histories(records), 2001, datetime.date(2002, 6, 30))
    assert bare.as_json()["decided_within_commitment"] is None
    # 2001's first decisions: 15 Jun (horaires-police 213 days, formulaire 122), 28 Jun (reamenagement 170),
    # 21 Dec (formation 255, regie 190, mediateur 99). Within 180 days: 122, 170, 99.
    records.gasp = records.gasp.model_copy(update={"commitments": Commitments(decision_within_days=180)})
    first_sent = {}
    for mid, meeting in list(records.meetings.items()):
        if mid.startswith("2001-") and meeting.status == "held":
            days = 3 if mid.endswith("agents") else 10
            first_sent[mid] = days
            records.meetings[mid] = meeting.model_copy(
                update={"minutes_sent": meeting.date + datetime.timedelta(days=days)}
            )
    report = annual_report(records, histories(records), 2001, datetime.date(2002, 6, 30)).as_json()
    assert report["decided_within_commitment"] == 3
    assert report["median_days_to_minutes"] == 3  # 10 agents meetings at 3 days, 7 others at 10


def test_the_commitment_in_gasp_yaml_reaches_the_json(tmp_path: Path):
    import shutil

    shutil.copytree(REPO / "records", tmp_path / "records")
    gasp_yaml = tmp_path / "records/gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  decision_within_days: 180\n", encoding="utf-8"
    )
    assert report_json(tmp_path, 2001)["decided_within_commitment"] == 3


def _table_and_chart(page: str) -> tuple[dict[str, int], dict[str, int]]:
    section = page[page.index("<h2>Propositions</h2>") : page.index("<h2>Actions en cours</h2>")]
    table = {
        html.unescape(k): int(v) for k, v in re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>', section)
    }
    chart = {html.unescape(k): int(v) for k, v in re.findall(r"<title>([^<]+)\u202f: (\d+)</title>", section)}
    return table, chart


@pytest.mark.parametrize("year", [2001, 2002])
def test_the_chart_and_the_table_say_the_same(year: int):
    page = gasp("report", "--year", str(year), "--format", "html", workspace=REPO).stdout
    table, chart = _table_and_chart(page)
    assert chart and chart == table
    report = report_json(REPO, year)
    assert chart["Réalisées dans l’année"] == report["proposals"]["implemented"]
    assert chart["Soulevées dans l’année"] == report["proposals"]["raised"]
    assert chart["Validées dans l’année"] == report["proposals"]["decided"]["validated"]


def test_a_year_before_the_gasp_says_there_was_no_gasp_yet():
    for output_format in ("text", "md", "html"):
        result = gasp("report", "--year", "1999", "--format", output_format, workspace=REPO, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        text = result.stdout.replace("\u00a0", " ").replace("\u202f", " ")
        assert "Le Gasp n’existait pas encore en 1999 : il a commencé le 15 juin 2000." in text
        assert "institution" not in text and "aucune" not in text.lower()
    assert report_json(REPO, 1999)["proposals"]["raised"] == 0
    assert "n’existait pas encore" not in gasp("report", "--year", "2000", "--format", "md", workspace=REPO).stdout
