"""`suivi.*`, « Vous avez dit, nous avons fait » : what the usagers raised or discussed, and where it stands,
for residents: no agents-only data, nobody named."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, gasp, typeset, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}  # 2002-06-30


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("suivi")
    shutil.copytree(EXAMPLE, root / "records")
    result = gasp("render", "--only", "suivi", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    return root / "out"


def test_only_suivi_writes_the_sheet_in_every_format(rendered: Path):
    assert sorted(p.name for p in rendered.iterdir()) == [
        ".gasp-manifest.json",
        "index.html",
        "suivi.html",
        "suivi.md",
        "suivi.pdf",
    ]


def test_every_proposal_of_the_usagers_and_where_it_stands(rendered: Path):
    md = (rendered / "suivi.md").read_text(encoding="utf-8")
    assert md.startswith("# Vous avez dit, nous avons fait\n")
    assert (
        typeset("Pour la prochaine réunion des usagers : jeudi 12 septembre 2002 à 18 h, Maison des services publics.")
        in md
    )
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections == ["## C’est fait", "## C’est en cours", "## En attente d’une décision"]
    titles = [line for line in md.splitlines() if line.startswith("### ")]
    assert len(titles) == 7
    assert "### [Créer une régie de quartier](propositions/regie-de-quartier.md)" in titles
    regie = md[md.index("### [Créer une régie de quartier]") :]
    assert typeset("Vous l’avez proposée le 14 juin 2001 ; vous en avez parlé le 14 mars 2002.") in regie
    assert typeset("**Où en est-elle ?** Mise à l’étude le 21 juin 2002") in regie
    assert (
        typeset("- 21 décembre 2001 : mise à l’étude par les référents — Étude de faisabilité avec le bailleur.")
        in regie
    )
    assert typeset("- 4 février 2002 : réalisée — Nouveaux locaux ouverts au public.") in md


def test_nothing_of_the_agents_and_nobody_named(rendered: Path):
    for name in ("suivi.md", "suivi.html"):
        text = (rendered / name).read_text(encoding="utf-8")
        # What the agents' group said about a proposal stays in the agents' minutes.
        assert "Intérêt des services techniques et du bailleur" not in text
        assert "Les agents d'accueil confirment le besoin" not in text
        assert "Groupe des agents" not in text
        for path in (EXAMPLE / "people").glob("*.yaml"):
            person = yaml.safe_load(path.read_text(encoding="utf-8"))
            if person.get("name"):
                assert person["name"] not in text, (name, person["name"])
        for path in (EXAMPLE / "services").glob("*.yaml"):
            agents = yaml.safe_load(path.read_text(encoding="utf-8")).get("agents") or {}
            for key in ("direct_phone", "email", "notes", "referral"):
                if agents.get(key):
                    assert str(agents[key]) not in text, (name, key)


def test_a_resident_who_did_not_consent_is_never_named(example: Path):
    path = example / "records/people/habitant-1.yaml"
    path.write_text("name: Madame Secret\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = gasp(
        "render", "--only", "suivi", "--only", "propositions", "--format", "md,html", workspace=example, env=EPOCH
    )
    assert result.exit_code == 0, result.output
    for output in (example / "out").rglob("*.*"):
        assert "Madame Secret" not in output.read_text(encoding="utf-8"), output


def test_a_proposal_the_usagers_never_spoke_of_is_not_on_the_sheet(example: Path):
    write(
        example,
        "records/proposals/badge-agents.yaml",
        "title: Un badge pour les agents d'accueil\ntheme: accueil-du-public\n",
    )
    meeting = example / "records/meetings/2002/2002-05-14-agents.yaml"
    text = meeting.read_text(encoding="utf-8")
    addition = "- proposal: badge-agents\n  event: raised\n"
    text = (
        text.replace("proposals:\n", "proposals:\n" + addition)
        if "proposals:\n" in text
        else text + "proposals:\n" + addition
    )
    meeting.write_text(text, encoding="utf-8")
    assert gasp("validate", workspace=example).exit_code == 0, gasp("validate", workspace=example).output
    result = gasp("render", "--only", "suivi", "--format", "md", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    assert "badge" not in (example / "out/suivi.md").read_text(encoding="utf-8")


def test_the_sheet_is_cut_at_the_day():
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import suivi
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), datetime.date(2002, 6, 30))
    sheet = suivi.build(records, datetime.date(2001, 3, 31))
    assert [section.title for section in sheet.sections] == ["C’est en cours", "En attente d’une décision"]
    assert sheet.count == 4
    assert sheet.next_meeting.startswith("jeudi 14 juin 2001 à 18 h")


def test_the_pdf_is_the_same_sheet(rendered: Path):
    from test_render import pdf_text

    text = pdf_text(rendered / "suivi.pdf")
    assert "Vous avez dit, nous avons fait" in text and "Créer une régie de quartier" in text
