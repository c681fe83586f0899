"""`gasp render`: the documents, their separation of audiences, their escaping, their atomic publication."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp, tree, typeset, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}  # 2002-06-30


def render(workspace: Path, *args: str, env: dict | None = None):
    return gasp("render", *args, workspace=workspace, env=env or EPOCH)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The whole example rendered once, in all formats."""
    import shutil

    root = tmp_path_factory.mktemp("rendu")
    shutil.copytree(EXAMPLE, root / "records")
    result = render(root)
    assert result.exit_code == 0, result.output
    return root


def test_every_document_of_the_example(rendered: Path):
    out = rendered / "out"
    meetings = sorted(
        p.stem
        for p in (rendered / "records/meetings").rglob("*.yaml")
        if "status: planned" not in p.read_text(encoding="utf-8")
    )
    assert len(meetings) == 35 and not (out / "comptes-rendus/2002-12-20-referents.md").exists()
    for meeting in meetings:
        for extension in ("md", "html", "pdf"):
            assert (out / f"comptes-rendus/{meeting}.{extension}").is_file(), meeting
    for edition in ("usagers", "agents"):
        for extension in ("md", "html", "pdf"):
            assert (out / f"guide/guide-{edition}.{extension}").is_file()
    # A dossier for every held référents or intergroupes meeting, and for the next one (DESIGN.md).
    dossiers = ["2000-12-15", "2001-06-15", "2001-06-28", "2001-12-21", "2002-06-21", "2002-06-27", "2002-12-20"]
    assert sorted(p.name for p in (out / "referents").iterdir()) == [
        f"dossier-{day}.{extension}" for day in dossiers for extension in ("html", "md", "pdf")
    ]
    assert sorted(p.name for p in (out / "calendrier").iterdir()) == ["calendrier-2002.html", "calendrier-2002.ics"]
    assert (out / "comptes-rendus/2001-06-14-usagers.pdf").read_bytes().startswith(b"%PDF")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index
    assert 'href="comptes-rendus/2000-09-12-agents.html"' in index and typeset("12 septembre 2000", "html") in index
    assert 'href="referents/dossier-2002-12-20.html"' in index
    assert 'href="guide/guide-usagers.pdf"' in index
    assert [p.name for p in rendered.glob(".out.*")] == [".out.verrou"]  # the lock, kept between renders


def test_the_compte_rendu_in_french_usage(rendered: Path):
    md = (rendered / "out/comptes-rendus/2001-06-14-usagers.md").read_text(encoding="utf-8")
    assert md.startswith("# Compte rendu — Groupe des usagers\n")
    assert typeset("jeudi 14 juin 2001 à 18 h, Maison des services publics") in md
    for heading in (
        "## Présents",
        "## Excusés",
        "## Tour de table",
        "## Sujet retenu",
        "## Discussion",
        "## Propositions",
        "## Actions",
        "## Prochaine réunion",
        "## Ce qu’en ont dit les autres groupes",
    ):
        assert f"\n{heading}\n" in md, heading
    # Residents are counted; the one who consented is named by her function.
    assert "- 4 habitants\n" in md and "Présidente de l'amicale des locataires" in md
    assert typeset("- **Créer une régie de quartier** — soulevée : Proposée par l'amicale des locataires.") in md
    assert typeset("jeudi 13 septembre 2001 à 18 h") in md
    assert typeset("### Groupe des agents, 10 avril 2001") in md and typeset("depuis la réunion du 8 mars 2001") in md


def test_decisions_appear_for_referents(rendered: Path):
    md = (rendered / "out/comptes-rendus/2001-12-21-referents.md").read_text(encoding="utf-8")
    assert typeset("| Créer une régie de quartier | mise à l’étude | Étude de faisabilité avec le bailleur. |") in md
    assert "## Tour de table" not in md


def test_a_cancelled_meeting_gets_a_notice(rendered: Path):
    md = (rendered / "out/comptes-rendus/2002-02-12-agents.md").read_text(encoding="utf-8")
    assert md.startswith("# Réunion annulée — Groupe des agents")
    assert "n’a pas eu lieu" in md and "## Présents" not in md
    assert typeset("## Prochaine réunion\n\nmardi 12 mars 2002 à 14 h") in md


def test_the_next_meeting_comes_from_the_calendar_when_none_is_recorded(rendered: Path):
    md = (rendered / "out/comptes-rendus/2002-06-11-agents.md").read_text(encoding="utf-8")
    assert typeset("mardi 9 juillet 2002 à 14 h, Maison des services publics (date prévue par la cadence)") in md


def test_the_usagers_guide_never_holds_agents_data(rendered: Path):
    import yaml

    secrets = []
    for path in (EXAMPLE / "services").glob("*.yaml"):
        agents = yaml.safe_load(path.read_text(encoding="utf-8")).get("agents") or {}
        secrets += [str(v) for k, v in agents.items() if k != "contact"]
    assert len(secrets) > 20
    for extension in ("md", "html"):
        usagers = (rendered / f"out/guide/guide-usagers.{extension}").read_text(encoding="utf-8")
        agents = (rendered / f"out/guide/guide-agents.{extension}").read_text(encoding="utf-8")
        usagers, agents = (
            text.replace("\u202f", " ").replace("\u00a0", " ").replace("&#39;", "'") for text in (usagers, agents)
        )
        for secret in secrets:
            fragment = secret[:30]
            assert fragment in agents, secret  # so that the next line can fail
            assert fragment not in usagers, secret
        assert "Ligne directe" in agents and "Qui appeler pour quoi" in agents
        assert "Ligne directe" not in usagers and "Notes internes" not in usagers
    assert typeset("Édition pour les usagers — 30 juin 2002") in (rendered / "out/guide/guide-usagers.md").read_text(
        encoding="utf-8"
    )


def test_the_usagers_view_has_no_room_for_agents_data():
    from dataclasses import fields

    from gasp_cli.documents.guide import AgentsService, PublicService

    public = {f.name for f in fields(PublicService)}
    assert not public & {"contact", "direct_phone", "agents_email", "referral", "notes"}
    assert {f.name for f in fields(AgentsService)} > public


def test_the_dossier_lists_what_awaits_a_decision(rendered: Path):
    md = (rendered / "out/referents/dossier-2002-12-20.md").read_text(encoding="utf-8")
    assert typeset("Réunion du vendredi 20 décembre 2002 à 10 h") in md
    assert "## Démarches administratives" in md and "## Logement" in md
    assert "### Créer un poste de médiateur administratif" in md
    assert typeset("- Origine : Groupe des usagers, réunion du 13 septembre 2001") in md
    assert typeset("Groupe des référents, 21 décembre 2001 : ajournée") in md
    assert "| Créer une régie de quartier | regie-de-quartier |  |  |" in md
    assert "Un guide des services publics" not in md  # done: nothing to decide


def test_same_records_same_bytes(rendered: Path, tmp_path: Path):
    again = render(rendered, "--out", str(tmp_path / "encore"))
    assert again.exit_code == 0
    first, second = tree(rendered / "out"), tree(tmp_path / "encore")
    for path, digest in first.items():
        if not path.endswith(".pdf"):
            assert second[path] == digest, path


def test_nothing_is_written_under_records(example: Path):
    before = tree(example / "records")
    assert render(example, "--only", "guides").exit_code == 0
    assert tree(example / "records") == before
    refused = render(example, "--out", str(example / "records" / "out"))
    assert refused.exit_code == 1 and "records/" in refused.stderr
    assert tree(example / "records") == before


def test_invalid_records_stop_the_render_before_anything_is_written(example: Path):
    write(example, "records/themes/casse.yaml", "titre: x\n")
    result = render(example)
    assert result.exit_code == 1
    assert "records/themes/casse.yaml:1:1" in result.stderr
    assert not (example / "out").exists()


def test_a_planned_meeting_has_no_compte_rendu_yet_but_its_convocation(example: Path):
    result = render(example, "2002-12-20-referents", "--format", "md")
    assert result.exit_code == 0, result.output
    files = sorted(tree(example / "out"))
    assert files == [".gasp-manifest.json", "convocations/2002-12-20-referents.md", "index.html"]
    result = render(example, "2002-12-20-referents", "--only", "comptes-rendus")
    assert result.exit_code == 1 and "encore prévue" in result.stderr


def test_meeting_ids_and_only(example: Path):
    result = render(example, "2001-06-14-usagers", "--format", "md")
    assert result.exit_code == 0, result.output
    files = sorted(tree(example / "out"))
    assert files == [".gasp-manifest.json", "comptes-rendus/2001-06-14-usagers.md", "index.html"]
    unknown = render(example, "2001-06-14-usager")
    assert unknown.exit_code == 1
    assert "réunion « 2001-06-14-usager » inconnue ; vouliez-vous dire « 2001-06-14-usagers » ?" in unknown.stderr
    guides = render(example, "--only", "guides", "--format", "html")
    assert guides.exit_code == 0
    assert "guide/guide-agents.html" in tree(example / "out")
    assert "comptes-rendus/2001-06-14-usagers.md" in tree(example / "out")  # earlier output kept
    assert render(example, "--only", "guide").exit_code == 2
    assert render(example, "--format", "docx").exit_code == 2


def test_residents_are_never_named_without_consent(example: Path):
    path = example / "records/people/habitant-1.yaml"
    path.write_text("name: Madame Secret\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert render(example, "--format", "md,html").exit_code == 0
    for output in (example / "out").rglob("*.*"):
        data = output.read_bytes()  # the site's search index (public/pagefind/) is gzip-compressed, or binary
        data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        assert b"Madame Secret" not in data, output
    path.write_text(path.read_text(encoding="utf-8") + "publish_name: true\n", encoding="utf-8")
    assert render(example, "2001-06-14-usagers", "--format", "md").exit_code == 0
    assert "Madame Secret" in (example / "out/comptes-rendus/2001-06-14-usagers.md").read_text(encoding="utf-8")


HOSTILE = (
    "<script>alert(1)</script> {{ 7*7 }} {% raw %} #set page(width: 1cm) $x$ **gras** [lien](http://x) @ref // fin"
)


def test_record_text_is_data_in_every_format(example: Path):
    path = example / "records/meetings/2001/2001-06-14-usagers.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("discussion: L'amicale", f"discussion: '{HOSTILE}' # L'amicale").replace(
            "\n  Le groupe approuve aussi l'idée d'agents de médiation.", ""
        ),
        encoding="utf-8",
    )
    assert gasp("validate", workspace=example).exit_code == 0, gasp("validate", workspace=example).stderr
    result = render(example, "2001-06-14-usagers")
    assert result.exit_code == 0, result.output
    html = (example / "out/comptes-rendus/2001-06-14-usagers.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html
    md = (example / "out/comptes-rendus/2001-06-14-usagers.md").read_text(encoding="utf-8")
    assert "\\<script\\>" in md and "\\*\\*gras\\*\\*" in md and "\\[lien\\](http://x)" in md
    assert (example / "out/comptes-rendus/2001-06-14-usagers.pdf").read_bytes().startswith(b"%PDF")

    import datetime

    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import compte_rendu
    from gasp_cli.render.documents import Renderer
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(example), datetime.date(2002, 6, 30))
    source = Renderer(None, datetime.datetime(2002, 6, 30, tzinfo=datetime.UTC)).text(
        "compte-rendu.typ.j2", "typ", compte_rendu.build(records, "2001-06-14-usagers")
    )
    assert "\\#set page(width: 1cm) \\$x\\$ \\*\\*gras\\*\\*" in source
    assert "\\/\\/ fin" in source and "\\<script\\>" in source


def test_a_failed_render_leaves_the_previous_out_as_it_was(example: Path):
    assert render(example, "--only", "guides").exit_code == 0
    before = tree(example / "out")
    write(example, "templates/compte-rendu.typ.j2", "#let x = \n")
    result = render(example)
    assert result.exit_code == 1
    assert "Typst" in result.stderr and "rien n'a été écrit" in result.stderr
    assert "Traceback" not in result.output
    assert tree(example / "out") == before
    assert sorted(p.name for p in example.iterdir() if p.name.startswith(".")) == [".out.verrou"]


def test_workspace_templates_override_the_defaults_by_name(example: Path):
    default = (Path(__file__).parent.parent / "templates/_page.html.j2").read_text(encoding="utf-8")
    write(
        example,
        "templates/_page.html.j2",
        default.replace(
            '<p class="gasp">{{ doc.gasp_name }}</p>', '<p class="gasp">Mairie de Bruay — {{ doc.gasp_name }}</p>'
        ),
    )
    assert render(example, "2001-06-14-usagers", "--format", "html").exit_code == 0
    html = (example / "out/comptes-rendus/2001-06-14-usagers.html").read_text(encoding="utf-8")
    assert "Mairie de Bruay — Gasp d" in html


def test_an_undefined_name_in_a_template_is_a_clear_error(example: Path):
    write(example, "templates/compte-rendu.md.j2", "# {{ doc.titre_inexistant }}\n")
    result = render(example, "2001-06-14-usagers", "--format", "md")
    assert result.exit_code == 1
    assert "compte-rendu.md.j2" in result.stderr and "titre_inexistant" in result.stderr
    assert not (example / "out").exists()


def test_out_must_be_gasp_s_own_folder(example: Path, tmp_path: Path):
    foreign = tmp_path / "mes-documents"
    write(foreign, "lettre.txt", "à garder")
    result = render(example, "--out", str(foreign))
    assert result.exit_code == 1 and "ne vient pas de gasp" in result.stderr
    assert (foreign / "lettre.txt").read_text(encoding="utf-8") == "à garder"
    assert render(example, "--out", str(example)).exit_code == 1


def test_the_dossier_falls_back_on_the_calendar(example: Path):
    (example / "records/meetings/2002/2002-12-20-referents.yaml").unlink()
    assert render(example, "--only", "dossier", "--format", "md").exit_code == 0
    md = (example / "out/referents/dossier-2002-12-20.md").read_text(encoding="utf-8")
    assert "(date prévue par la cadence)" in md


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_pdfs_are_real_pdfs_holding_the_expected_words(rendered: Path):
    text = pdf_text(rendered / "out/comptes-rendus/2001-06-14-usagers.pdf")
    for words in (
        "Compte rendu",
        "Groupe des usagers — jeudi 14 juin 2001 à 18 h",
        "4 habitants",
        "Créer une régie de quartier",
        "Ce qu’en ont dit les autres groupes",
    ):
        assert words in text, words
    guide = pdf_text(rendered / "out/guide/guide-agents.pdf")
    assert "Édition pour les agents" in guide and "Qui appeler pour quoi" in guide and "Ligne directe" in guide
    usagers = pdf_text(rendered / "out/guide/guide-usagers.pdf")
    assert "Édition pour les usagers" in usagers and "Ligne directe" not in usagers and "Notes internes" not in usagers
    dossier = pdf_text(rendered / "out/referents/dossier-2002-12-20.pdf")
    assert "Dossier des référents" in dossier and "Décisions attendues" in dossier


ACCENTS = "àâäçéèêëîïôöùûüÿœæ ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ « » ’"
LONG = "Une phrase qui revient encore et encore, pour voir les retours à la ligne. " * 40


def test_a_hostile_workspace_comes_out_literally_in_every_format(example: Path):
    path = example / "records/meetings/2001/2001-06-14-usagers.yaml"
    text = path.read_text(encoding="utf-8")
    hostile = (
        "[clic](javascript:alert(1)) <img src=x onerror=alert(1)> {% if 1 %}jinja{% endif %} "
        f"#pagebreak() $x^2$ _souligné_ @ref <label> \\ {ACCENTS}"
    )
    text = text.replace("discussion: L'amicale", f"discussion: {json.dumps(hostile + ' ' + LONG)}\n# L'amicale")
    text = text.replace("  Le groupe approuve aussi l'idée d'agents de médiation.\n", "")
    path.write_text(text, encoding="utf-8")
    person = example / "records/people/presidente-amicale-locataires.yaml"
    person.write_text(
        person.read_text(encoding="utf-8").replace(
            "name: Présidente de l'amicale des locataires",
            "name: Présidente de l'amicale des locataires du quartier de la Maison des services publics et des environs",
        ),
        encoding="utf-8",
    )
    assert gasp("validate", workspace=example).exit_code == 0, gasp("validate", workspace=example).stderr
    assert render(example, "2001-06-14-usagers").exit_code == 0
    out = example / "out/comptes-rendus"
    html = (out / "2001-06-14-usagers.html").read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert (
        'href="javascript' not in html
        and typeset("{% if 1 %}jinja{% endif %}", "html") in html
        and ACCENTS.split()[0] in html
    )
    md = (out / "2001-06-14-usagers.md").read_text(encoding="utf-8")
    assert "\\[clic\\](javascript:alert(1))" in md and "\\<img" in md and typeset("{% if 1 %}jinja{% endif %}") in md
    pdf = pdf_text(out / "2001-06-14-usagers.pdf")
    assert "[clic](javascript:alert(1))" in pdf and "#pagebreak() $x^2$ _souligné_ @ref <label>" in pdf
    for word in ACCENTS.split():
        assert word in pdf, word
    assert "du quartier de la Maison des services publics et des environs" in pdf


def test_a_second_render_with_nothing_changed_rewrites_nothing(example: Path):
    assert render(example).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (example / "out").rglob("*") if p.is_file()}
    again = render(example)
    assert again.exit_code == 0
    assert "out est à jour : rien n'a changé" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (example / "out").rglob("*") if p.is_file()} == before
    assert again.stderr == ""  # no progress bar when stderr is not a terminal

    # One record changes: its compte rendu is made again; the PDFs of the others are reused.
    path = example / "records/meetings/2001/2001-06-14-usagers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topic: logement", "topic: insecurite"), encoding="utf-8")
    changed = render(example)
    assert changed.exit_code == 0 and "fichiers mis à jour" in changed.stdout
    after = {p: p.stat().st_mtime_ns for p in (example / "out").rglob("*") if p.is_file()}
    assert (
        after[example / "out/comptes-rendus/2001-06-14-usagers.pdf"]
        != before[example / "out/comptes-rendus/2001-06-14-usagers.pdf"]
    )
    assert "Sentiment d" in pdf_text(example / "out/comptes-rendus/2001-06-14-usagers.pdf")
