"""out/ tells the truth today: a report for every year since the first meeting, a dossier for every
held référents or intergroupes meeting as it stood the day before, one for the next meeting, and an
index grouped by year (DESIGN.md, `gasp render`)."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, add_group, gasp, minimal_workspace, typeset, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}  # 2002-06-30


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("histoire")
    shutil.copytree(EXAMPLE, root / "records")
    result = gasp("render", "--format", "md,html", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    return root / "out"


def test_a_report_for_every_year_from_the_first_meeting_to_today(rendered: Path):
    assert sorted(p.name for p in (rendered / "rapport").iterdir()) == [
        f"rapport-{year}.{extension}" for year in (2000, 2001, 2002) for extension in ("html", "md")
    ]
    assert "2001" in (rendered / "rapport/rapport-2001.md").read_text(encoding="utf-8").split("\n")[0]


def test_a_dossier_for_every_held_referents_or_intergroupes_meeting_and_the_next(rendered: Path):
    days = sorted(p.stem.removeprefix("dossier-") for p in (rendered / "referents").glob("*.md"))
    assert days == ["2000-12-15", "2001-06-15", "2001-06-28", "2001-12-21", "2002-06-21", "2002-06-27", "2002-12-20"]


def test_a_held_meeting_s_dossier_is_as_it_stood_the_day_before(rendered: Path):
    md = (rendered / "referents/dossier-2001-12-21.md").read_text(encoding="utf-8")
    assert "**Cette réunion a eu lieu.**" in md and typeset("la veille, le 20 décembre 2001") in md
    assert "[compte rendu](../comptes-rendus/2001-12-21-referents.md)" in md
    # Raised in September 2001 and discussed since: awaiting the décision of that day.
    assert "### Créer un poste de médiateur administratif" in md
    assert (
        typeset(
            "- Statut : en attente d’une décision des référents depuis qu’elle a été soulevée le 13 septembre 2001"
            " (98 jours)"
        )
        in md
    )
    # Its decision of 21 December (ajournée) and what came after are not there yet.
    assert ": ajournée" not in md and "2002" not in md
    # The guide, validated on 15 December 2000, no longer awaited a decision.
    assert "Un guide des services publics" not in md
    first = (rendered / "referents/dossier-2000-12-15.md").read_text(encoding="utf-8")
    assert "### Un guide des services publics en deux éditions" in first


def test_the_intergroupes_dossier_says_so(rendered: Path):
    md = (rendered / "referents/dossier-2001-06-28.md").read_text(encoding="utf-8")
    assert md.startswith("# Dossier de la réunion intergroupes\n")


def test_the_next_meeting_s_dossier_is_as_of_today_and_not_marked_held(rendered: Path):
    md = (rendered / "referents/dossier-2002-12-20.md").read_text(encoding="utf-8")
    assert "a eu lieu" not in md and md.startswith("# Dossier des référents\n")
    assert (
        typeset("- Statut : mise à l’étude depuis le 21 juin 2002 (9 jours), en attente du résultat de l’étude") in md
    )


def test_the_index_groups_by_year(rendered: Path):
    html = (rendered / "index.html").read_text(encoding="utf-8")
    sections = re.findall(r"<h2>([^<]+)</h2>", html)
    assert sections == [
        "Comptes rendus",
        "Vous avez dit, nous avons fait",
        "Propositions",
        "Dossiers des référents",
        "Guide des services publics",
        "Calendrier",
        "Rapports annuels",
        "Site des habitants",
    ]
    comptes_rendus = html[html.index("<h2>Comptes rendus</h2>") : html.index("<h2>Vous avez dit")]
    assert re.findall(r"<h3>(\d{4})</h3>", comptes_rendus) == ["2002", "2001", "2000"]
    dossiers = html[html.index("<h2>Dossiers des référents</h2>") : html.index("<h2>Guide")]
    assert re.findall(r"<h3>(\d{4})</h3>", dossiers) == ["2002", "2001", "2000"]
    assert dossiers.index("dossier-2002-12-20") < dossiers.index("dossier-2002-06-27")
    assert "Réunion intergroupes\u202f: réunion tenue (le dossier de la veille)" in dossiers
    assert ">Prochaine réunion des référents</a>" in dossiers
    for year in (2000, 2001, 2002):
        assert f'href="rapport/rapport-{year}.html"' in html
    assert 'href="suivi.html"' in html and 'href="propositions/regie-de-quartier.html"' in html


def test_a_year_without_meetings_since_the_last_still_has_its_report(tmp_path: Path):
    root = minimal_workspace(tmp_path, as_of="2023-03-01")
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nmonths: [3, 6, 9, 12]\nweekday: thursday\nweek: 2",
        since="2021-01-01",
    )
    write(
        root,
        "records/meetings/2021/2021-03-11-usagers.yaml",
        "group: usagers\ndate: 2021-03-11\nstatus: held\nattendees: [secretaire]\n",
    )
    result = gasp("render", "--only", "rapport", "--format", "md", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "out/rapport").iterdir()) == [
        "rapport-2021.md",
        "rapport-2022.md",
        "rapport-2023.md",
    ]


def test_dossier_meetings_cuts_each_at_the_day_before():
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents.dossier import meetings as dossier_meetings
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), datetime.date(2002, 6, 30))
    found = dossier_meetings(records, datetime.date(2002, 6, 30))
    assert [(row.date.isoformat(), day.isoformat()) for row, day in found][:2] == [
        ("2000-12-15", "2000-12-14"),
        ("2001-06-15", "2001-06-14"),
    ]
    assert (found[-1][0].date, found[-1][1]) == (datetime.date(2002, 12, 20), datetime.date(2002, 6, 30))
