"""Accessibility of what gasp publishes, checked without a browser (issue 14).

PDF: PDF/UA-1 and PDF/A-2a declared in the XMP metadata, the title shown in the window
(DisplayDocTitle), French as the language, the Gasp as the author, a header cell (/TH) in
every table, alt text on every figure, bookmarks when there are headings.
HTML: `lang="fr"`, `<th scope>` in every table, an accessible name on every
`<svg role="img">`, no skipped heading level, in-page links that lead somewhere, and the
contrast of the colours (WCAG 2.1: 4.5:1 for text, 3:1 for the bars of the charts).
The same checks in a real browser (axe-core in headless Chromium): `make a11y`.

The helpers return the problems as French sentences; the mutation tests at the end prove
that they report a table that loses its header row and a chart that loses its name.
"""

from __future__ import annotations

import itertools
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, REPO, gasp

# --- PDF ----------------------------------------------------------------------------------------


def _kids(node) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if hasattr(kids, "get_object") else kids
    kids = kids if isinstance(kids, list) else [kids]
    found = []
    for reference in kids:
        kid = reference.get_object() if hasattr(reference, "get_object") else reference
        if isinstance(kid, dict) and "/S" in kid:
            found.append(kid)
    return found


def _structure(node, found: list) -> list:
    """Every structure element under `node`, depth first."""
    for kid in _kids(node):
        found.append(kid)
        _structure(kid, found)
    return found


def _outline_count(reader) -> int:
    def count(items) -> int:
        return sum(count(item) if isinstance(item, list) else 1 for item in items)

    return count(reader.outline)


def pdf_problems(path: Path, author: str) -> list[str]:
    """What keeps the PDF at `path` from being PDF/UA-1 and PDF/A-2a as gasp promises."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    problems = []
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8") if "/Metadata" in catalog else ""
    if not re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", xmp):
        problems.append("pas de pdfuaid:part = 1 (PDF/UA-1) dans les métadonnées XMP")
    if not re.search(r"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", xmp):
        problems.append("pas de pdfaid:part = 2 (PDF/A-2) dans les métadonnées XMP")
    if not re.search(r"<pdfaid:conformance>A</pdfaid:conformance>|pdfaid:conformance=\"A\"", xmp):
        problems.append("pas de pdfaid:conformance = A dans les métadonnées XMP")
    preferences = catalog.get("/ViewerPreferences")
    shown = preferences.get_object().get("/DisplayDocTitle") if preferences else None
    if getattr(shown, "value", shown) is not True:
        problems.append("DisplayDocTitle n’est pas vrai")
    if not str(catalog.get("/Lang", "")).lower().startswith("fr"):
        problems.append(f"langue du document : {catalog.get('/Lang')!r}, pas fr")
    info = reader.metadata or {}
    if info.get("/Author") != author:
        problems.append(f"auteur : {info.get('/Author')!r}, pas {author!r}")
    if not str(info.get("/Title") or "").strip():
        problems.append("pas de titre")
    if "/StructTreeRoot" not in catalog:
        return [*problems, "PDF non balisé (pas d’arbre de structure)"]
    elements = _structure(catalog["/StructTreeRoot"].get_object(), [])
    for number, table in enumerate((e for e in elements if e["/S"] == "/Table"), start=1):
        if not any(cell["/S"] == "/TH" for cell in _structure(table, [])):
            problems.append(f"tableau {number} sans cellule d’en-tête (/TH)")
    for number, figure in enumerate((e for e in elements if e["/S"] == "/Figure"), start=1):
        if not str(figure.get("/Alt") or "").strip():
            problems.append(f"figure {number} sans texte de remplacement (/Alt)")
    headings = [e for e in elements if re.fullmatch(r"/H\d?", str(e["/S"]))]
    # The title of the contents (« Sommaire ») is a heading without a bookmark: a guide
    # without services has only that one.
    if len(headings) > 1 and _outline_count(reader) == 0:
        problems.append("des titres, mais pas de signets")
    return problems


def pdf_charts(path: Path) -> list[str]:
    """The alt text of each figure of the PDF's structure tree."""
    from pypdf import PdfReader

    catalog = PdfReader(path).trailer["/Root"]
    elements = _structure(catalog["/StructTreeRoot"].get_object(), [])
    return [str(e.get("/Alt") or "") for e in elements if e["/S"] == "/Figure"]


# --- HTML ---------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of a page the checks need: attributes of each element, text by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []  # tag, attributes, ancestors
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, list[str]] = {}
        self.headings: list[int] = []
        self.tables: list[dict] = []
        self.svg_titles: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes, [t for t, _ in self.stack]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables.append({"th": 0, "th_without_scope": 0})
        if tag == "th" and self.tables:
            self.tables[-1]["th"] += 1
            if attributes.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                self.tables[-1]["th_without_scope"] += 1
        if tag == "title" and self.stack and self.stack[-1][0] == "svg":
            self.svg_titles[-1] = True
        if tag == "svg":
            self.svg_titles.append(False)
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self.stack.append((tag, attributes))
        if attributes.get("id"):
            self.text_by_id.setdefault(attributes["id"], [])

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        for _, attributes in self.stack:
            if attributes.get("id"):
                self.text_by_id[attributes["id"]].append(data)


def html_problems(text: str) -> list[str]:
    """What keeps an html page gasp writes from meeting the structural WCAG 2.1 rules."""
    page = _Page()
    page.feed(text)
    problems = []
    html = next((attributes for tag, attributes, _ in page.elements if tag == "html"), {})
    if html.get("lang") != "fr":
        problems.append(f"langue de la page : {html.get('lang')!r}, pas fr")
    for number, table in enumerate(page.tables, start=1):
        if not table["th"]:
            problems.append(f"tableau {number} sans cellule d’en-tête (<th>)")
        elif table["th_without_scope"]:
            problems.append(f"tableau {number} : {table['th_without_scope']} <th> sans scope")
    svg_number = 0
    for tag, attributes, _ in page.elements:
        if tag == "svg":
            svg_number += 1
            if attributes.get("role") != "img":
                continue
            named = attributes.get("aria-label", "").strip() or page.svg_titles[svg_number - 1]
            for target in attributes.get("aria-labelledby", "").split():
                named = named or "".join(page.text_by_id.get(target, [])).strip()
            if not named:
                problems.append(f"graphique {svg_number} (svg role=img) sans nom accessible")
        if tag == "img" and "alt" not in attributes:
            problems.append(f"image {attributes.get('src')!r} sans alt")
        if tag == "a" and attributes.get("href", "").startswith("#") and attributes["href"][1:] not in page.text_by_id:
            problems.append(f"lien {attributes['href']!r} vers un élément qui n’existe pas")
    if page.headings and page.headings[0] != 1:
        problems.append(f"la page commence par un titre h{page.headings[0]}, pas h1")
    for before, after in itertools.pairwise(page.headings):
        if after > before + 1:
            problems.append(f"niveau de titre sauté : h{before} puis h{after}")
    if page.headings.count(1) != 1:
        problems.append(f"{page.headings.count(1)} titres h1 au lieu d’un")
    return problems


# --- contrast (WCAG 2.1, relative luminance) ----------------------------------------------------


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_HEX = r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"


def css_colours(text: str) -> tuple[set[str], set[str]]:
    """The text colours and the background colours of a page's <style>, variables resolved."""
    style = re.search(r"<style>(.*?)</style>", text, re.DOTALL)
    css = re.sub(r"/\*.*?\*/", "", style.group(1) if style else "", flags=re.DOTALL)
    variables = dict(re.findall(r"(--[\w-]+)\s*:\s*(" + _HEX + ")", css))

    def resolve(value: str) -> list[str]:
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m.group(1), m.group(0)), value)
        return re.findall(_HEX, value)

    foregrounds, backgrounds = set(), {"#fff"}
    for declaration, value in re.findall(r"(?<![-\w])(color|background(?:-color)?)\s*:\s*([^;}]+)", css):
        (foregrounds if declaration == "color" else backgrounds).update(resolve(value))
    return foregrounds, backgrounds


def contrast_problems(text: str) -> list[str]:
    """Every text colour of the CSS on every background colour of the CSS: 4.5:1 at least;
    the text of a chart 4.5:1 and its bars 3:1 on white."""
    foregrounds, backgrounds = css_colours(text)
    problems = [
        f"{fg} sur {bg} : {contrast(fg, bg):.2f}:1 (4,5:1 au moins pour du texte)"
        for fg in sorted(foregrounds)
        for bg in sorted(backgrounds)
        if contrast(fg, bg) < 4.5
    ]
    for svg in re.findall(r"<svg.*?</svg>", text, re.DOTALL):
        for colour in re.findall(r"<text[^>]*fill=\"(" + _HEX + ')"', svg):
            if contrast(colour, "#ffffff") < 4.5:
                problems.append(f"texte de graphique {colour} : {contrast(colour, '#ffffff'):.2f}:1")
        for colour in re.findall(r"<rect[^>]*fill=\"(" + _HEX + ')"', svg):
            if contrast(colour, "#ffffff") < 3:
                problems.append(f"barre de graphique {colour} : {contrast(colour, '#ffffff'):.2f}:1 (3:1 au moins)")
    return problems


# --- the documents of the example and of a new workspace -----------------------------------------


def _gasp_name(workspace: Path) -> str:
    return yaml.safe_load((workspace / "records/gasp.yaml").read_text(encoding="utf-8"))["name"]


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory, rendered_example: Path) -> list[Path]:
    """The example and a workspace fresh from `gasp init`, each rendered in every format."""
    fresh = tmp_path_factory.mktemp("nouveau") / "gasp"
    result = gasp("init", str(fresh), "--name", 'Gasp d’Onnaing & "Quiévrechain" <test>', "--commune", "Onnaing")
    assert result.exit_code == 0, result.output
    result = gasp("render", workspace=fresh)
    assert result.exit_code == 0, result.output
    return [rendered_example, fresh]


def test_every_pdf_is_pdf_ua_1_and_pdf_a_2a(workspaces: list[Path]):
    checked = 0
    for root in workspaces:
        author = _gasp_name(root)
        for path in sorted((root / "out").rglob("*.pdf")):
            assert pdf_problems(path, author) == [], path
            checked += 1
    assert checked >= 50  # every kind of document: the example alone has more than 50 PDFs


def test_the_tables_and_charts_of_the_report_pdf_are_tagged(workspaces: list[Path]):
    from pypdf import PdfReader

    catalog = PdfReader(workspaces[0] / "out/rapport/rapport-2001.pdf").trailer["/Root"]
    elements = _structure(catalog["/StructTreeRoot"].get_object(), [])
    assert len([e for e in elements if e["/S"] == "/Table"]) >= 3
    charts = pdf_charts(workspaces[0] / "out/rapport/rapport-2001.pdf")
    assert len(charts) == 2
    assert (
        charts[0].startswith("Réunions prévues par la cadence et tenues, par groupe : ") and " prévues, " in charts[0]
    )
    assert charts[1].startswith("Propositions de l’année, par état : Soulevées dans l’année, ")


def test_every_html_page_is_structured_and_has_enough_contrast(workspaces: list[Path]):
    checked = 0
    for root in workspaces:
        for path in sorted((root / "out").rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            assert html_problems(text) + contrast_problems(text) == [], path
            checked += 1
    assert checked >= 60


def test_every_page_starts_with_a_skip_link_and_shows_the_focus(workspaces: list[Path]):
    for root in workspaces:
        for path in sorted((root / "out").rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            links = re.findall(r'<a [^>]*href="([^"]*)"', text)
            assert links[0] == "#contenu" and 'id="contenu"' in text, path
            assert re.search(r"a:focus-visible \{ outline: 3px solid", text), path


def test_the_charts_are_named_by_their_caption_and_labels_are_not_cut(workspaces: list[Path]):
    page = (workspaces[0] / "out/rapport/rapport-2001.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg[^>]*>", page)
    assert len(svgs) == 2
    for svg in svgs:
        target = re.search(r'aria-labelledby="([^"]+)"', svg).group(1)
        assert re.search(rf'<figcaption[^>]*id="{target}"[^>]*>[^<]*tableau', page)
    # A label after the longest bar ends inside the drawing: « 11 prévues », not « 11 prévue ».
    for svg in re.findall(r"<svg.*?</svg>", page, re.DOTALL):
        width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
        for x, words in re.findall(r'<text x="([\d.]+)"[^>]*font-size="11"[^>]*>([^<]*)</text>', svg):
            assert float(x) + len(words) * 11 * 0.6 <= width, words


def test_the_text_colours_of_the_pdf_templates_have_enough_contrast_on_their_backgrounds():
    typst = "\n".join(path.read_text(encoding="utf-8") for path in sorted((REPO / "templates").glob("*.typ.j2")))
    foregrounds = set(re.findall(r'text\([^)]*fill: rgb\("(#\w+)"\)', typst))
    backgrounds = {
        "#ffffff",
        *re.findall(r'#block\([^)]*fill: rgb\("(#\w+)"\)', typst),
        *re.findall(r'if y == 0 \{ rgb\("(#\w+)"\)', typst),
    }
    assert {"#5b6670", "#33658a"} <= foregrounds and {"#eef3fb", "#fff8e6", "#fdecea"} <= backgrounds
    assert [(fg, bg) for fg in foregrounds for bg in backgrounds if contrast(fg, bg) < 4.5] == []


def test_the_palette_contrast_is_computed_as_wcag_says():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_problems("<style>.x { color: #777; }</style>") == [
        "#777 sur #fff : 4.48:1 (4,5:1 au moins pour du texte)"
    ]
    bars = '<svg><rect fill="#c9d3dd"/><text fill="#5b6670">1</text></svg>'
    assert contrast_problems(bars) == ["barre de graphique #c9d3dd : 1.52:1 (3:1 au moins)"]


# --- the checks fail when a template loses a header row or a chart its name ----------------------


def _mutated(tmp_path: Path, template: str, old: str, new: str) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "records")
    text = (REPO / "templates" / template).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / template).write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


def test_a_pdf_table_without_its_header_row_is_reported(tmp_path: Path):
    root = _mutated(tmp_path, "rapport.typ.j2", "table.header([*Propositions*], [*Nombre*]),", "")
    result = gasp("render", "--only", "rapport", "--format", "pdf", workspace=root)
    assert result.exit_code == 0, result.output
    problems = pdf_problems(root / "out/rapport/rapport-2001.pdf", _gasp_name(root))
    assert any("sans cellule d’en-tête (/TH)" in problem for problem in problems), problems


def test_a_pdf_chart_without_alt_text_and_the_author_gasp_are_reported(tmp_path: Path):
    root = _mutated(tmp_path, "_base.typ.j2", 'author: "{{ doc.gasp_name | typst_string }}"', 'author: "gasp"')
    text = (REPO / "templates/rapport.typ.j2").read_text(encoding="utf-8")
    (root / "templates/rapport.typ.j2").write_text(
        re.sub(r'#figure\(alt: "[^\n]*",\n', "#figure(\n", text), encoding="utf-8"
    )
    result = gasp("render", "--only", "rapport", "--format", "pdf", workspace=root)
    assert result.exit_code == 0, result.output
    path = root / "out/rapport/rapport-2001.pdf"
    assert f"auteur : 'gasp', pas {_gasp_name(root)!r}" in pdf_problems(path, _gasp_name(root))
    # Without alt text, Typst tags the chart as plain text: no /Figure is left to name it.
    assert pdf_charts(path) == []


def test_an_html_table_without_scope_or_header_and_a_chart_without_name_are_reported(tmp_path: Path):
    root = _mutated(tmp_path, "rapport.html.j2", ' aria-labelledby="{{ name }}"', "")
    text = (root / "templates/rapport.html.j2").read_text(encoding="utf-8")
    text = re.sub(r'<thead><tr><th scope="col">Groupe</th><th scope="col">Prévues.*?</thead>', "", text)
    text = text.replace('<tr><th scope="row">Total</th>', "<tr><th>Total</th>")
    (root / "templates/rapport.html.j2").write_text(text, encoding="utf-8")
    result = gasp("render", "--only", "rapport", "--format", "html", workspace=root)
    assert result.exit_code == 0, result.output
    problems = html_problems((root / "out/rapport/rapport-2001.html").read_text(encoding="utf-8"))
    assert problems[0] == "tableau 1 sans cellule d’en-tête (<th>)"
    assert "graphique 1 (svg role=img) sans nom accessible" in problems
    assert "graphique 2 (svg role=img) sans nom accessible" in problems
    assert any(re.fullmatch(r"tableau \d sans cellule d’en-tête \(<th>\)", problem) for problem in problems), problems
    assert any(re.fullmatch(r"tableau \d : 1 <th> sans scope", problem) for problem in problems), problems


def test_the_html_checks_catch_a_skipped_heading_a_missing_lang_and_a_dead_skip_link():
    page = '<html lang="en"><body><a href="#contenu">Aller au contenu</a><h1>A</h1><h3>B</h3></body></html>'
    assert html_problems(page) == [
        "langue de la page : 'en', pas fr",
        "lien '#contenu' vers un élément qui n’existe pas",
        "niveau de titre sauté : h1 puis h3",
    ]


# --- every way to a PDF ---------------------------------------------------------------------------


def test_the_report_command_writes_a_pdf_ua_too(example: Path):
    result = gasp(
        "report", "--year", "2001", "--format", "pdf", "--out", str(example / "rapport.pdf"), workspace=example
    )
    assert result.exit_code == 0, result.output
    assert pdf_problems(example / "rapport.pdf", _gasp_name(example)) == []
    assert len(pdf_charts(example / "rapport.pdf")) == 2


def test_a_pdf_compiled_before_the_standards_is_not_reused(example: Path, monkeypatch):
    from gasp_cli.render import documents, request

    with monkeypatch.context() as patch:
        # Where the PDFs are compiled, and where the render's input keys read the standards.
        patch.setattr(documents, "PDF_STANDARDS", ())
        patch.setattr(request, "PDF_STANDARDS", ())
        assert gasp("render", "--only", "rapport", "--format", "pdf", workspace=example).exit_code == 0
    path = example / "out/rapport/rapport-2001.pdf"
    assert "pas de pdfuaid:part = 1 (PDF/UA-1) dans les métadonnées XMP" in pdf_problems(path, _gasp_name(example))
    result = gasp("render", "--only", "rapport", "--format", "pdf", workspace=example)
    assert result.exit_code == 0, result.output
    assert pdf_problems(path, _gasp_name(example)) == []
