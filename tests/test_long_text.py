"""Long text (`discussion`, `note`, `summary`, `description`) keeps its paragraphs and `- ` list items
in every format, and every piece of it stays escaped data (DESIGN.md, Input rules and Guarantees)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import gasp, typeset
from gasp_cli.render.environment import Raw, make_environment

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}

TEXT = "Premier paragraphe,\nsur deux lignes.\n\nLe groupe retient :\n- un\n- deux\n\nDernier paragraphe."
HOSTILE = (
    "<script>alert(1)</script>\n\n- #set page(width: 1cm)\n- *gras* {{ 7*7 }}\n\n# titre $x$ {% if 1 %}x{% endif %}"
)


def filtered(output_format: str, text: str, **options) -> str:
    environment = make_environment(output_format, None)
    arguments = ", ".join(f"{key}={value!r}" for key, value in options.items())
    template = environment.from_string(f"{{{{ text | long_text({arguments}) }}}}")
    return template.render(text=text)


def test_markdown_keeps_paragraphs_line_breaks_and_list_items():
    md = filtered("md", TEXT)
    assert md == "Premier paragraphe,\\\nsur deux lignes.\n\nLe groupe retient :\n\n- un\n- deux\n\nDernier paragraphe."


def test_html_makes_paragraphs_and_a_list():
    html = filtered("html", TEXT)
    assert html == (
        "<p>Premier paragraphe,<br>sur deux lignes.</p>\n<p>Le groupe retient :</p>\n"
        "<ul><li>un</li><li>deux</li></ul>\n<p>Dernier paragraphe.</p>"
    )


def test_typst_makes_paragraphs_and_a_list():
    typ = filtered("typ", TEXT)
    assert typ == (
        "Premier paragraphe, \\\nsur deux lignes\\.\n\nLe groupe retient :\n\n- un\n- deux\n\nDernier paragraphe\\."
    )


def test_inline_keeps_the_first_paragraph_on_the_line_and_indents_the_rest():
    assert filtered("md", "Avis :\n- oui\n- non", inline=True) == "Avis :\n\n  - oui\n  - non"
    assert filtered("typ", "Seul", inline=True) == "Seul"
    assert filtered("html", "Un.\n\nDeux.", inline=True) == "Un.\n<p>Deux.</p>"


def test_an_indented_line_continues_its_list_item():
    assert filtered("html", "- un\n  suite\n- deux") == "<ul><li>un<br>suite</li><li>deux</li></ul>"
    assert filtered("md", "- un\n  suite") == "- un\\\n  suite"


@pytest.mark.parametrize("output_format", ["md", "html", "typ"])
def test_hostile_long_text_stays_data(output_format: str):
    out = filtered(output_format, HOSTILE)
    assert "49" not in out and "{{ 7*7 }}" in out.replace("\\*", "*")
    if output_format == "html":
        assert "<script>" not in out and "&lt;script&gt;" in out
        assert "<li>#set page(width: 1cm)</li>" in out and "{% if 1 %}x{% endif %}" in out
    if output_format == "md":
        assert "\\<script\\>" in out and "\\*gras\\*" in out and "\n\\# titre" in out
        assert "\n- \\#set page(width: 1cm)\n" in out
    if output_format == "typ":
        assert "- \\#set page(width: 1cm)" in out and "\\*gras\\*" in out and "\\$x\\$" in out
        assert "\\<script\\>" in out


def test_long_text_is_marked_as_already_escaped():
    """The filter's output is markup made by gasp: `finalize` must not escape it twice."""
    from gasp_cli.render.environment import _markdown_long_text, _typst_long_text

    assert isinstance(_markdown_long_text("a"), Raw) and isinstance(_typst_long_text("a"), Raw)
    assert filtered("md", "a & b") == "a \\& b"  # escaped once


def test_a_markdown_table_cell_keeps_paragraphs_and_items_on_one_row():
    environment = make_environment("md", None)
    cell = environment.from_string("| {{ text | long_cell }} |").render(text="Motif :\n- un | deux\n- trois")
    assert cell == "| Motif :<br><br>• un \\| deux<br>• trois |"


DISCUSSION = (
    "Le groupe a parlé de deux choses.\n"
    "\n"
    "Ce qu'il retient :\n"
    "- un coin pour les enfants\n"
    "- des chaises <b>en plus</b> #set\n"
    "\n"
    "Suite à la prochaine réunion."
)


@pytest.fixture
def long_texts(example: Path) -> Path:
    """The example with a discussion, a note and a summary written in paragraphs and lists."""
    meeting = example / "records/meetings/2001/2001-06-14-usagers.yaml"
    text = meeting.read_text(encoding="utf-8")
    start = text.index("discussion:")
    end = text.index("proposals:")
    text = text[:start] + f"discussion: {json.dumps(DISCUSSION)}\n" + text[end:]
    text = text.replace(
        "note: Proposée par l'amicale des locataires.",
        'note: "Proposée par l\'amicale.\\n- avec les locataires\\n- avec le bailleur"',
    )
    meeting.write_text(text, encoding="utf-8")
    proposal = example / "records/proposals/regie-de-quartier.yaml"
    proposal.write_text(
        proposal.read_text(encoding="utf-8").replace(
            "summary: Une régie de quartier",
            'summary: "Deux idées :\\n- emploi\\n- entretien\\n\\nUne régie de quartier',
        ),
        encoding="utf-8",
    )
    proposal.write_text(
        proposal.read_text(encoding="utf-8").replace("espaces publics.", 'espaces publics."'), encoding="utf-8"
    )
    result = gasp("validate", workspace=example)
    assert result.exit_code == 0, result.output
    return example


def test_the_compte_rendu_keeps_paragraphs_and_items_in_every_format(long_texts: Path):
    from test_render import pdf_text

    result = gasp("render", "2001-06-14-usagers", workspace=long_texts, env=EPOCH)
    assert result.exit_code == 0, result.output
    out = long_texts / "out/comptes-rendus"
    md = (out / "2001-06-14-usagers.md").read_text(encoding="utf-8")
    assert (
        typeset(
            "## Discussion\n\nLe groupe a parlé de deux choses.\n\nCe qu'il retient :\n\n"
            "- un coin pour les enfants\n- des chaises \\<b\\>en plus\\</b\\> #set\n\n"
            "Suite à la prochaine réunion.\n"
        )
        in md
    )
    assert (
        typeset(
            "- **Créer une régie de quartier** — soulevée : Proposée par l'amicale.\n\n"
            "  - avec les locataires\n  - avec le bailleur\n"
        )
        in md
    )
    html = (out / "2001-06-14-usagers.html").read_text(encoding="utf-8")
    assert "<p>Le groupe a parlé de deux choses.</p>" in html
    assert "<ul><li>un coin pour les enfants</li><li>des chaises &lt;b&gt;en plus&lt;/b&gt; #set</li></ul>" in html
    assert "<ul><li>avec les locataires</li><li>avec le bailleur</li></ul>" in html
    pdf = pdf_text(out / "2001-06-14-usagers.pdf")
    assert "- un coin" not in pdf and "un coin pour les enfants" in pdf
    assert "• un coin pour les enfants • des chaises <b>en plus</b> #set" in pdf


def test_the_dossier_and_the_proposal_page_keep_the_summary_s_list(long_texts: Path):
    result = gasp(
        "render", "--only", "dossier", "--only", "propositions", "--format", "md,html", workspace=long_texts, env=EPOCH
    )
    assert result.exit_code == 0, result.output
    dossier = (long_texts / "out/referents/dossier-2002-12-20.md").read_text(encoding="utf-8")
    assert typeset("Deux idées :\n\n- emploi\n- entretien\n\nUne régie de quartier") in dossier
    page = (long_texts / "out/propositions/regie-de-quartier.html").read_text(encoding="utf-8")
    assert "<p>Deux idées\u202f:</p>\n<ul><li>emploi</li><li>entretien</li></ul>" in page


def test_the_guide_keeps_a_description_s_paragraphs(example: Path):
    service = example / "records/services/la-poste.yaml"
    text = service.read_text(encoding="utf-8")
    start = text.index("  description:")
    end = text.index("\n", start)
    text = text[:start] + '  description: "Courrier.\\n\\n- colis\\n- mandats"' + text[end:]
    service.write_text(text, encoding="utf-8")
    result = gasp("render", "--only", "guides", "--format", "md,html", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    md = (example / "out/guide/guide-usagers.md").read_text(encoding="utf-8")
    assert "Courrier.\n\n- colis\n- mandats\n" in md
    html = (example / "out/guide/guide-agents.html").read_text(encoding="utf-8")
    assert "<p>Courrier.</p>\n<ul><li>colis</li><li>mandats</li></ul>" in html
