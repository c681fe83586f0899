"""The sociologist's observations: in `gasp trace` and `gasp export`, never in any other output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, gasp, write

ENV = {"GASP_TODAY": "2002-06-30", "SOURCE_DATE_EPOCH": "1025395200"}
SECRET = "Zorglub-observation-7f3a"  # in no template, no record, no word of French


@pytest.fixture(scope="module")
def observed(tmp_path_factory) -> Path:
    """The example with one observation on a meeting where `horaires-police` was decided, on its theme."""
    root = tmp_path_factory.mktemp("observe")
    shutil.copytree(REPO / "records", root / "records")
    write(
        root,
        "records/observations/referents-juin-2001.yaml",
        f"date: 2001-06-15\nmeeting: 2001-06-15-referents\nthemes: [insecurite]\n"
        f"text: |-\n  Les élus écoutent les agents ; {SECRET}.\n  Deuxième ligne de la note.\n",
    )
    write(root, "records/observations/sans-lien.yaml", "date: 2001-01-01\ntext: Une note sur rien de précis.\n")
    write(
        root,
        "records/observations/rencontre.yaml",
        "date: 2001-06-28\nmeeting: 2001-06-28-intergroupes\ntext: Les groupes se découvrent.\n",
    )
    return root


def test_trace_shows_the_observations_of_a_proposal(observed: Path):
    data = json.loads(
        gasp("trace", "proposal", "horaires-police", "--format", "json", workspace=observed, env=ENV).stdout
    )
    assert data["observations"] == [
        {
            "id": "referents-juin-2001",
            "date": "2001-06-15",
            "meeting": "2001-06-15-referents",
            "themes": ["insecurite"],
            "text": f"Les élus écoutent les agents ; {SECRET}.\nDeuxième ligne de la note.",
        }
    ]
    md = gasp("trace", "proposal", "horaires-police", "--format", "md", workspace=observed, env=ENV).stdout
    assert "## Observations de terrain" in md and SECRET in md and "Une note sur rien" not in md
    text = gasp("trace", "proposal", "horaires-police", workspace=observed, env=ENV).stdout
    assert "Observations de terrain" in text and SECRET in " ".join(text.split())


def test_an_observation_on_the_theme_alone_is_linked_too(observed: Path):
    # formulaire-plainte-simplifie is on the theme insecurite too.
    data = json.loads(
        gasp(
            "trace", "proposal", "formulaire-plainte-simplifie", "--format", "json", workspace=observed, env=ENV
        ).stdout
    )
    assert [o["id"] for o in data["observations"]] == ["referents-juin-2001"]
    other = json.loads(
        gasp("trace", "proposal", "guide-des-services-publics", "--format", "json", workspace=observed, env=ENV).stdout
    )
    assert other["observations"] == []  # not its meetings, not its theme
    # On a meeting where the proposal was discussed, whatever the theme.
    mediation = json.loads(
        gasp(
            "trace", "proposal", "formation-agents-de-mediation", "--format", "json", workspace=observed, env=ENV
        ).stdout
    )
    # The example's own observation of that meeting (E. Sion, from the article) comes with it.
    assert [o["id"] for o in mediation["observations"]] == ["regard-sur-le-quartier", "rencontre"]


def test_the_export_holds_them(observed: Path, tmp_path: Path):
    result = gasp("export", "--out", str(tmp_path / "donnees"), workspace=observed, env=ENV)
    assert result.exit_code == 0, result.output
    assert SECRET in (tmp_path / "donnees/observations.csv").read_text(encoding="utf-8")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_never_in_a_rendered_document_the_report_or_the_calendar(observed: Path, tmp_path: Path):
    out = tmp_path / "rendu"
    result = gasp("render", "--out", str(out), workspace=observed, env=ENV)
    assert result.exit_code == 0, result.output
    files = [p for p in out.rglob("*") if p.is_file()]
    # Every file gasp render writes (the residents' site too, once it is rendered) is read.
    for folder in ("comptes-rendus", "guide", "referents", "rapport", "calendrier", "propositions"):
        assert any(p.parent.name == folder and p.suffix == ".pdf" for p in files) or folder == "calendrier", folder
    for path in files:
        text = _pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8", errors="replace")
        assert SECRET not in text and "Zorglub" not in text, path
        assert "Deuxième ligne de la note" not in text, path
    for year in ("2000", "2001", "2002"):
        for fmt in ("text", "md", "html", "json"):
            report = gasp("report", "--year", year, "--format", fmt, workspace=observed, env=ENV)
            assert report.exit_code == 0, report.output
            assert "Zorglub" not in report.stdout
        pdf = tmp_path / f"rapport-{year}.pdf"
        assert (
            gasp("report", "--year", year, "--format", "pdf", "--out", str(pdf), workspace=observed, env=ENV).exit_code
            == 0
        )
        assert "Zorglub" not in _pdf_text(pdf)
    for fmt in ("table", "json", "md", "ics"):
        calendar = gasp("calendar", "--year", "2001", "--format", fmt, workspace=observed, env=ENV)
        assert calendar.exit_code == 0, calendar.output
        assert "Zorglub" not in calendar.stdout
