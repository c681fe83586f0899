"""`propositions/<id>.*`: one page per proposal, its story in plain words, each step linked to its compte rendu."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp, typeset, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}  # 2002-06-30


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("propositions")
    shutil.copytree(EXAMPLE, root / "records")
    result = gasp("render", "--only", "propositions", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    return root / "out"


def test_one_page_per_proposal_in_every_format(rendered: Path):
    ids = sorted(p.stem for p in (EXAMPLE / "proposals").glob("*.yaml"))
    for proposal_id in ids:
        for extension in ("md", "html", "pdf"):
            assert (rendered / f"propositions/{proposal_id}.{extension}").is_file(), (proposal_id, extension)
    assert sorted(p.name for p in rendered.iterdir()) == [".gasp-manifest.json", "index.html", "propositions"]


def test_the_story_in_plain_words_from_raising_to_decision(rendered: Path):
    md = (rendered / "propositions/regie-de-quartier.md").read_text(encoding="utf-8")
    assert md.startswith("# Créer une régie de quartier\n")
    assert typeset("**Où en est-elle ?** Mise à l’étude le 21 juin 2002") in md
    steps = [line for line in md.splitlines() if line.startswith("- **")]
    assert steps[0] == typeset(
        "- **14 juin 2001** — Groupe des usagers : la proposition est faite. Proposée par l'amicale "
        "des locataires. ([compte rendu](../comptes-rendus/2001-06-14-usagers.md))"
    )
    assert steps[1].startswith(typeset("- **28 juin 2001** — Réunion intergroupes : tous les groupes en discutent."))
    assert (
        typeset("- **21 décembre 2001** — Groupe des référents : la proposition est mise à l’étude avant de décider.")
        in md
    )
    assert len(steps) == 6


def test_milestones_close_the_story_without_a_link(rendered: Path):
    md = (rendered / "propositions/guide-des-services-publics.md").read_text(encoding="utf-8")
    assert typeset("**Où en est-elle ?** Réalisée le 1er octobre 2001.") in md
    assert (
        typeset(
            "- **15 janvier 2001** — Mise en œuvre : la mise en œuvre commence. Chaque service rédige sa fiche ; "
            "la maison des services coordonne.\n"
        )
        in md
    )
    assert typeset("- **1er octobre 2001** — Mise en œuvre : c’est fait : la proposition est réalisée.") in md


def test_html_links_each_step_to_its_compte_rendu(rendered: Path):
    html = (rendered / "propositions/regie-de-quartier.html").read_text(encoding="utf-8")
    assert html.count('href="../comptes-rendus/') == 6
    assert '(<a href="../comptes-rendus/2001-12-21-referents.html">compte rendu</a>)' in html
    assert "<h2>Son histoire</h2>" in html


def test_the_pdf_tells_the_same_story(rendered: Path):
    from test_render import pdf_text

    text = pdf_text(rendered / "propositions/regie-de-quartier.pdf")
    assert "Créer une régie de quartier" in text and "Son histoire" in text
    assert "la proposition est mise à l’étude avant de décider" in text


def test_what_it_replaces_and_what_replaces_it(example: Path):
    write(
        example,
        "records/proposals/guide-en-ligne.yaml",
        "title: Le guide des services publics en ligne\ntheme: connaissance-des-services\n"
        "summary: Mettre le guide sur le site de la commune.\nreplaces: guide-des-services-publics\n",
    )
    result = gasp("render", "--only", "propositions", "--format", "md,html", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    old = (example / "out/propositions/guide-des-services-publics.md").read_text(encoding="utf-8")
    assert (
        "Elle est remplacée par [Le guide des services publics en ligne](guide-en-ligne.md) (pas encore présentée)."
        in old
    )
    new = (example / "out/propositions/guide-en-ligne.html").read_text(encoding="utf-8")
    assert (
        'Elle remplace <a href="guide-des-services-publics.html">Un guide des services publics en deux éditions</a>'
        in new
    )
    assert "Elle n’a pas encore été présentée en réunion." in new


def test_the_page_is_cut_at_the_day():
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import proposition
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(EXAMPLE.parent), datetime.date(2002, 6, 30))
    page = proposition.build(records, datetime.date(2001, 12, 20), "regie-de-quartier")
    assert [step.iso_date for step in page.steps] == ["2001-06-14", "2001-06-28", "2001-09-11"]
    assert page.status == "discutée"
    assert (
        page.where
        == "Proposée le 14 juin 2001 (Groupe des usagers) et discutée depuis : elle attend la décision des référents."
    )
    assert page.steps[0].meeting == "2001-06-14-usagers"


def test_record_text_on_the_page_is_data(example: Path):
    path = example / "records/proposals/regie-de-quartier.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: Créer une régie de quartier", "title: '<script>x</script> #set {{ 7*7 }} *gras*'"
        ),
        encoding="utf-8",
    )
    result = gasp("render", "--only", "propositions", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    html = (example / "out/propositions/regie-de-quartier.html").read_text(encoding="utf-8")
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt; #set {{ 7*7 }} *gras*" in html
    md = (example / "out/propositions/regie-de-quartier.md").read_text(encoding="utf-8")
    assert md.startswith("# \\<script\\>x\\</script\\> #set {{ 7\\*7 }} \\*gras\\*\n")


def test_a_project_under_way_discussed_again_stays_under_way(example: Path):
    """A discussion after the decision is told in the story but changes nothing to where it stands."""
    meeting = example / "records/meetings/2002/2002-06-13-usagers.yaml"
    text = meeting.read_text(encoding="utf-8")
    addition = (
        "- proposal: formation-agents-de-mediation\n  event: discussed\n"
        "  note: Les habitants ont déjà fait appel aux médiateurs.\n"
    )
    text = (
        text.replace("proposals:\n", "proposals:\n" + addition)
        if "proposals:\n" in text
        else text + "proposals:\n" + addition
    )
    meeting.write_text(text, encoding="utf-8")
    assert gasp("validate", workspace=example).exit_code == 0, gasp("validate", workspace=example).output
    result = gasp("render", "--only", "propositions", "--only", "suivi", "--format", "md", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    page = (example / "out/propositions/formation-agents-de-mediation.md").read_text(encoding="utf-8")
    assert typeset("**Où en est-elle ?** Validée, en cours de réalisation depuis le 4 mars 2002.") in page
    assert (
        typeset(
            "- **13 juin 2002** — Groupe des usagers : le groupe en discute. Les habitants ont déjà fait appel "
            "aux médiateurs."
        )
        in page
    )
    sheet = (example / "out/suivi.md").read_text(encoding="utf-8")
    under_way = sheet[sheet.index("## C’est en cours") : sheet.index("## En attente")]
    assert typeset("Vous en avez parlé le 14 juin 2001 et le 13 juin 2002.") in under_way
