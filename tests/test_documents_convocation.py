"""The convocation and the attendance sheet of a planned meeting (DESIGN « gasp render »).

`gasp render` writes `convocations/<id>.{md,html,pdf}` and `emargement/<id>.pdf` for every
planned meeting of the next six weeks and for a planned meeting named on the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import gasp, typeset, write
from test_accessibility import html_problems, pdf_problems

ENV = {"SOURCE_DATE_EPOCH": "1764028800"}


def fresh_workspace(root: Path) -> Path:
    """`gasp init`, then what a secretary adds in her first fortnight: a theme, people, the
    agents' meeting of 8 December held, the usagers' of 10 December planned."""
    env = {**ENV, "GASP_TODAY": "2026-12-01"}
    for args in (
        ("init", str(root), "--name", "Gasp d'Escautpont", "--commune", "Escautpont"),
        ("--records", str(root), "new", "theme", "--title", "Logement"),
        ("--records", str(root), "new", "person", "--kind", "resident"),
        ("--records", str(root), "new", "person", "--kind", "agent", "--name", "Agent d'accueil", "--role", "Accueil"),
        ("--records", str(root), "new", "meeting", "--group", "agents"),
        ("--records", str(root), "new", "meeting", "--group", "usagers"),
    ):
        result = gasp(*args, env=env)
        assert result.exit_code == 0, result.output
    write(
        root,
        "records/people/habitant-1.yaml",
        "name: Josiane Discrète-Confidentielle\nkind: resident\nemail: josiane.discrete@exemple.fr\n",
    )
    write(
        root,
        "records/people/agent-d-accueil.yaml",
        "name: Agent d'accueil\nkind: agent\nrole: Accueil\nemail: accueil@mairie.exemple.fr\n",
    )
    usagers = root / "records/groups/usagers.yaml"
    usagers.write_text(
        usagers.read_text(encoding="utf-8").replace(
            "members:\n", "members:\n  - {person: habitant-1, since: 2026-12-01}\n"
        ),
        encoding="utf-8",
    )
    write(
        root,
        "records/meetings/2026/2026-12-08-agents.yaml",
        "group: agents\ndate: 2026-12-08\nstatus: held\nattendees: [secretaire, agent-d-accueil]\n"
        "problems_raised:\n  - theme: logement\n    note: Des halls d'immeuble mal éclairés.\ntopic: logement\n",
    )
    return root


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = fresh_workspace(tmp_path_factory.mktemp("cycle") / "gasp")
    result = gasp("render", workspace=root, env={**ENV, "GASP_TODAY": "2026-12-09"})
    assert result.exit_code == 0, result.output
    return root


def test_a_fresh_workspace_convenes_the_usagers_with_what_the_agents_worked_on(rendered: Path) -> None:
    out = rendered / "out"
    text = (out / "convocations/2026-12-10-usagers.md").read_text(encoding="utf-8")
    assert text.startswith("# Convocation — Groupe des usagers\n")
    assert typeset("**jeudi 10 décembre 2026, de 18 h à 20 h** (2 heures)") in text
    assert "Pas d’ordre du jour" in text  # the method: a tour de table, then a subject
    worked = text[text.index("### Les thèmes travaillés par les agents") : text.index("### Les projets en cours")]
    assert typeset("**Logement** — sujet retenu le 8 décembre 2026") in worked
    assert "### Les dernières décisions" in text
    assert "Josiane" not in text and "@" not in text
    # Only the meetings planned in the next weeks: the agents' meeting is held, January's not recorded.
    assert sorted(p.name for p in (out / "convocations").iterdir()) == [
        "2026-12-10-usagers.html",
        "2026-12-10-usagers.md",
        "2026-12-10-usagers.pdf",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="convocations/2026-12-10-usagers.html"' in index
    assert 'href="emargement/2026-12-10-usagers.pdf"' in index


def test_the_convocation_and_the_sheet_are_accessible_pdfs_and_pages(rendered: Path) -> None:
    out = rendered / "out"
    for pdf in (out / "convocations/2026-12-10-usagers.pdf", out / "emargement/2026-12-10-usagers.pdf"):
        assert pdf_problems(pdf, "Gasp d'Escautpont") == [], pdf
    page = (out / "convocations/2026-12-10-usagers.html").read_text(encoding="utf-8")
    assert html_problems(page) == []


def test_the_attendance_sheet_is_one_a4_page_with_a_blank_line_for_the_resident(rendered: Path) -> None:
    reader = PdfReader(rendered / "out/emargement/2026-12-10-usagers.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    # The PDF's no-break spaces (French typography) read as spaces here.
    text = reader.pages[0].extract_text().replace("\xa0", " ").replace("\u202f", " ")
    for needed in ("Feuille d’émargement", "Groupe des usagers", "jeudi 10 décembre 2026", "Mairie", "Signature"):
        assert needed in text, needed
    assert "Secrétaire du Gasp" in text
    assert "Josiane" not in text and "Discrète" not in text  # the resident did not consent: a blank line


def test_a_sheet_for_a_large_group_has_every_member_and_blank_lines(tmp_path: Path) -> None:
    from gasp_cli.documents import emargement
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    root = fresh_workspace(tmp_path / "gasp")
    records = load_workspace(Workspace(root)).records
    sheet = emargement.build(records, "2026-12-10-usagers")
    assert [line.name for line in sheet.members] == ["Secrétaire du Gasp", ""]  # named first, the resident blank
    assert sheet.blank == emargement.LINES_ON_A_PAGE - 2


def test_a_planned_meeting_named_on_the_command_line_gets_its_convocation(tmp_path: Path) -> None:
    root = fresh_workspace(tmp_path / "gasp")
    env = {**ENV, "GASP_TODAY": "2026-12-09"}
    result = gasp("render", "2026-12-10-usagers", "--format", "md,pdf", workspace=root, env=env)
    assert result.exit_code == 0, result.output
    assert (root / "out/convocations/2026-12-10-usagers.md").is_file()
    assert (root / "out/emargement/2026-12-10-usagers.pdf").is_file()
    assert not (root / "out/comptes-rendus").exists()
    # Asked for its compte rendu only: still none before it is held.
    result = gasp("render", "2026-12-10-usagers", "--only", "comptes-rendus", workspace=root, env=env)
    assert result.exit_code == 1
    assert "encore prévue" in result.stderr and "gasp render 2026-12-10-usagers" in result.stderr


def test_a_named_meeting_far_ahead_is_convened_and_others_are_left_alone(tmp_path: Path) -> None:
    root = fresh_workspace(tmp_path / "gasp")
    write(root, "records/meetings/2027/2027-06-10-usagers.yaml", "group: usagers\ndate: 2027-06-10\nstatus: planned\n")
    env = {**ENV, "GASP_TODAY": "2026-12-09"}
    assert gasp("render", "--only", "convocations", workspace=root, env=env).exit_code == 0
    assert not (root / "out/convocations/2027-06-10-usagers.md").exists()  # past the six weeks
    result = gasp("render", "2027-06-10-usagers", workspace=root, env=env)
    assert result.exit_code == 0, result.output
    assert (root / "out/convocations/2027-06-10-usagers.md").is_file()
    assert (root / "out/convocations/2026-12-10-usagers.md").is_file()  # a partial render removes nothing else


def test_on_the_residents_site_the_agents_topics_stay_private(rendered: Path) -> None:
    from test_site import crawl

    public = rendered / "out/public"
    page = (public / "convocations/2026-12-10-usagers.html").read_text(encoding="utf-8")
    assert "Logement" not in page and "halls" not in page  # the agents' minutes are not public
    assert typeset("Le groupe des agents s’est réuni le 8 décembre 2026", "html") in page
    assert "Réunion 2026-12-10-usagers" not in page  # named in words on the site, not by its id
    assert 'href="convocations/2026-12-10-usagers.html"' in (public / "index.html").read_text(encoding="utf-8")
    assert (public / "convocations/2026-12-10-usagers.pdf").is_file()
    assert not (public / "emargement").exists()
    assert crawl(public)[1] == []


def test_the_agents_are_told_what_the_residents_raised(example: Path) -> None:
    write(example, "records/meetings/2002/2002-07-09-agents.yaml", "group: agents\ndate: 2002-07-09\nstatus: planned\n")
    result = gasp("render", "2002-07-09-agents", "--format", "md", workspace=example, env=ENV)
    assert result.exit_code == 0, result.output
    text = (example / "out/convocations/2002-07-09-agents.md").read_text(encoding="utf-8")
    assert typeset("Depuis votre dernière réunion, le 11 juin 2002.") in text
    raised = text[text.index("### Ce que les habitants ont soulevé") :]
    assert typeset("tour de table du 13 juin 2002") in raised


def test_the_referents_get_the_points_to_decide_with_the_commitment(example: Path) -> None:
    gasp_yaml = example / "records/gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  decision_within_days: 60\n", encoding="utf-8"
    )
    result = gasp("render", "2002-12-20-referents", "--format", "md", workspace=example, env=ENV)
    assert result.exit_code == 0, result.output
    text = (example / "out/convocations/2002-12-20-referents.md").read_text(encoding="utf-8")
    assert "### Les points à décider" in text
    assert typeset("L’engagement du Gasp : les référents répondent à une proposition dans les 60 jours") in text
    assert "Pas d’ordre du jour" not in text
    from gasp_cli.documents import dossier
    from gasp_cli.lifecycle import histories
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    records = load_workspace(Workspace(example)).records
    import datetime

    row = dossier.next_referents_meeting(records, datetime.date(2002, 6, 30))
    assert row is not None
    expected = dossier.build(records, histories(records), datetime.date(2002, 6, 30), row).to_decide
    assert expected and all(f"**{p.title}**" in text.replace("\\", "") for p in expected)


def test_the_inter_group_meeting_gets_the_year_in_brief(example: Path) -> None:
    write(
        example,
        "records/meetings/2002/2002-07-04-intergroupes.yaml",
        "group: intergroupes\ndate: 2002-07-04\nstatus: planned\n",
    )
    (example / "records/meetings/2002/2002-06-27-intergroupes.yaml").unlink()
    for observation in (example / "records/observations").glob("*.yaml"):  # they name the meeting
        if "2002-06-27-intergroupes" in observation.read_text(encoding="utf-8"):
            observation.unlink()
    result = gasp("render", "2002-07-04-intergroupes", "--format", "md", workspace=example, env=ENV)
    assert result.exit_code == 0, result.output
    text = (example / "out/convocations/2002-07-04-intergroupes.md").read_text(encoding="utf-8")
    assert typeset("### L’année 2002 en bref, au 30 juin 2002") in text
    assert typeset("**jeudi 4 juillet 2002, de 18 h à 20 h 30** (2 h 30)") in text
    assert typeset("**Groupe des usagers** — 2 réunions tenues sur 2 prévues") in text
    assert typeset("**Réalisées dans l’année** — 1 proposition") in text


def test_record_text_is_data_in_every_format_of_the_convocation(tmp_path: Path) -> None:
    root = fresh_workspace(tmp_path / "gasp")
    gasp_yaml = root / "records/gasp.yaml"
    text = gasp_yaml.read_text(encoding="utf-8")
    gasp_yaml.write_text(
        text.replace("name: Mairie", 'name: "<b>Mairie</b> *gras* #set [lien](x)"', 1).replace(
            "name: Mairie\n", 'name: "<b>Mairie</b> *gras* #set [lien](x)"\n', 1
        )
        + "",
        encoding="utf-8",
    )
    assert "<b>Mairie</b>" in gasp_yaml.read_text(encoding="utf-8")
    result = gasp("render", "2026-12-10-usagers", workspace=root, env={**ENV, "GASP_TODAY": "2026-12-09"})
    assert result.exit_code == 0, result.output
    out = root / "out/convocations"
    assert "&lt;b&gt;Mairie&lt;/b&gt;" in (out / "2026-12-10-usagers.html").read_text(encoding="utf-8")
    assert r"\<b\>Mairie\<\/b\> \*gras\* #set \[lien\](x)" in (out / "2026-12-10-usagers.md").read_text(
        encoding="utf-8"
    ) or r"\<b\>Mairie\</b\> \*gras\* #set \[lien\](x)" in (out / "2026-12-10-usagers.md").read_text(encoding="utf-8")
    pdf = PdfReader(out / "2026-12-10-usagers.pdf").pages[0].extract_text()
    assert "<b>Mairie</b> *gras* #set [lien](x)" in pdf


def test_a_renamed_member_is_on_the_next_render_of_the_sheet(tmp_path: Path) -> None:
    root = fresh_workspace(tmp_path / "gasp")
    env = {**ENV, "GASP_TODAY": "2026-12-09"}
    assert gasp("render", "--only", "convocations", "--format", "pdf", workspace=root, env=env).exit_code == 0
    person = root / "records/people/secretaire.yaml"
    person.write_text(
        person.read_text(encoding="utf-8").replace("Secrétaire du Gasp", "Marie Dupont"), encoding="utf-8"
    )
    result = gasp("render", "--only", "convocations", "--format", "pdf", workspace=root, env=env)
    assert result.exit_code == 0, result.output
    text = PdfReader(root / "out/emargement/2026-12-10-usagers.pdf").pages[0].extract_text()
    assert "Marie Dupont" in text
