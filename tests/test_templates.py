"""Workspace templates: a default stays reachable as `gasp/<name>`, and an override changes one block."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, gasp

ENV = {"GASP_TODAY": "2002-06-30", "SOURCE_DATE_EPOCH": "1700000000"}


def _logo_example() -> str:
    """The five lines of templates/README.md that add a logo."""
    readme = (REPO / "templates" / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```jinja\n(.*?)```", readme, re.S)
    assert found is not None
    return found[1]


def _words(html: str) -> str:
    return re.sub(r"\s*\n\s*", "", html)


def _render(workspace: Path, out: Path) -> Path:
    result = gasp(
        "render", "2001-03-13-agents", "--format", "html,pdf", "--out", str(out), workspace=workspace, env=ENV
    )
    assert result.exit_code == 0, result.output
    return out


def test_the_logo_example_of_the_docs_is_five_lines_and_changes_only_the_header(example: Path, tmp_path: Path):
    snippet = _logo_example()
    assert len(snippet.strip().splitlines()) == 5
    plain = (_render(example, tmp_path / "avant") / "comptes-rendus" / "2001-03-13-agents.html").read_text("utf-8")
    (example / "templates").mkdir()
    (example / "templates" / "_page.html.j2").write_text(snippet, encoding="utf-8")
    with_logo = (_render(example, tmp_path / "apres") / "comptes-rendus" / "2001-03-13-agents.html").read_text("utf-8")
    logo = '<img src="https://www.escautpont.fr/logo.png" alt="Commune d’Escautpont" height="48">\n'
    assert with_logo.count(logo) == 1
    # Everything else is the default page (styles, skip link, content, footer), but for a line break.
    assert _words(with_logo.replace(logo, "")) == _words(plain)
    assert with_logo.index(logo) < with_logo.index('<header class="entete">')


def test_a_pdf_template_can_change_its_footer_only(example: Path, tmp_path: Path):
    (example / "templates").mkdir()
    (example / "templates" / "_base.typ.j2").write_text(
        '{% extends "gasp/_base.typ.j2" %}\n{% block footer %}align(center, text(size: 8pt)[Mairie d’Escautpont]){% endblock %}\n',
        encoding="utf-8",
    )
    out = _render(example, tmp_path / "out")
    pdf = (out / "comptes-rendus" / "2001-03-13-agents.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(out / "comptes-rendus" / "2001-03-13-agents.pdf").pages[0].extract_text()
    assert "Mairie d’Escautpont" in text or "Mairie d'Escautpont" in text


def test_every_default_template_is_reachable_under_the_gasp_prefix(example: Path, tmp_path: Path):
    # A workspace that replaces the compte rendu by the default one, reached through the prefix,
    # renders exactly the default bytes.
    plain = _render(example, tmp_path / "avant") / "comptes-rendus" / "2001-03-13-agents.html"
    (example / "templates").mkdir()
    (example / "templates" / "compte-rendu.html.j2").write_text(
        '{% extends "gasp/compte-rendu.html.j2" %}\n', encoding="utf-8"
    )
    same = _render(example, tmp_path / "apres") / "comptes-rendus" / "2001-03-13-agents.html"
    assert same.read_bytes() == plain.read_bytes()
