"""The residents' site read by a resident on a phone: words instead of ids and tool names,
links from a compte rendu to its proposals, a report that fits a narrow screen, a search
box whose placeholder can be read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, typeset


@pytest.fixture(scope="module")
def out(rendered_example: Path) -> Path:
    """The example rendered in every format: the members' out/ and the residents' out/public/."""
    return rendered_example / "out"


def _footer(page: Path) -> str:
    found = re.search(r"<footer>(.*?)</footer>", page.read_text(encoding="utf-8"), re.DOTALL)
    assert found is not None, page
    return found.group(1)


def _pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(path).pages)


def test_the_footers_of_the_site_name_the_meeting_and_the_proposal_in_words(out: Path) -> None:
    public = out / "public"
    minutes = sorted((public / "comptes-rendus").glob("*.html"))
    proposals = sorted((public / "propositions").glob("*.html"))
    assert minutes and proposals
    for page in minutes:
        footer = _footer(page)
        assert page.stem not in footer, footer
        assert "Réunion 2" not in footer
    assert _footer(public / "comptes-rendus" / "2001-06-14-usagers.html").endswith(
        typeset("Groupe des usagers, 14 juin 2001.", "html")
    )
    for page in proposals:
        footer = _footer(page)
        assert page.stem not in footer, footer
        assert footer.startswith("Proposition du Gasp, état au ")
    # The PDF twins on the site too.
    assert "2001-06-14-usagers" not in _pdf_text(public / "comptes-rendus" / "2001-06-14-usagers.pdf")
    assert "horaires-police" not in _pdf_text(public / "propositions" / "horaires-police.pdf")
    # The members' documents keep the id the secretary finds her records by.
    assert _footer(out / "comptes-rendus" / "2001-06-14-usagers.html").endswith("Réunion 2001-06-14-usagers.")
    assert _footer(out / "propositions" / "horaires-police.html").startswith("Proposition horaires-police,")


def test_the_site_s_report_says_when_its_indicators_were_computed_not_with_which_tool(out: Path) -> None:
    page = (out / "public" / "rapport" / "rapport-2001.html").read_text(encoding="utf-8")
    assert "Indicateurs" in page
    assert "gasp export" not in page and "indicators.csv" not in page
    assert typeset("Chiffres comptés au 31 décembre 2001.", "html") in page
    assert "gasp export" not in _pdf_text(out / "public" / "rapport" / "rapport-2001.pdf")
    # The members' report keeps the reference to the export (the sociologist's file).
    assert "indicators.csv" in (out / "rapport" / "rapport-2001.html").read_text(encoding="utf-8")


def test_a_public_compte_rendu_links_each_proposal_to_its_page_on_the_site(out: Path) -> None:
    public = out / "public"
    page = public / "comptes-rendus" / "2001-06-28-intergroupes.html"
    text = page.read_text(encoding="utf-8")
    links = re.findall(r'<a href="(\.\./propositions/[^"]+\.html)">([^<]+)</a>', text)
    assert len(links) >= 5
    for href, _ in links:
        assert (page.parent / href).resolve().is_file(), href
    # Every proposal of the list and of the decisions is a link: none left as plain bold text.
    proposals = text.split("<h2>Propositions</h2>", 1)[1].split("<h2>", 1)[0]
    assert re.findall(r"<li><strong>(?!<a )", proposals) == []
    decisions = text.split("<h2>Décisions</h2>", 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<tr><td>(?!<a )", decisions) == []
    # Each public compte rendu that names a proposal links it.
    for minutes in sorted((public / "comptes-rendus").glob("*.html")):
        body = minutes.read_text(encoding="utf-8")
        assert ("<li><strong>" in body.split("<h2>Propositions</h2>", 1)[-1].split("<h2>", 1)[0]) <= (
            "../propositions/" in body
        ), minutes
    # The members' comptes rendus are unchanged: their proposals are in out/, not linked from here.
    assert "../propositions/" not in (out / "comptes-rendus" / "2001-06-28-intergroupes.html").read_text(
        encoding="utf-8"
    )


def test_only_the_proposals_with_a_page_are_linked() -> None:
    from gasp_cli.documents import compte_rendu
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    records = load_workspace(Workspace(EXAMPLE.parent)).records
    linked = compte_rendu.build(records, "2001-06-28-intergroupes", public=True, pages={"horaires-police"})
    items = linked.proposals + linked.decisions + [item for other in linked.others for item in other.items]
    hrefs = {item.href for item in items}
    assert hrefs == {"", "../propositions/horaires-police.html"}


def _specificity(selector: str) -> tuple[int, int, int]:
    selector = selector.replace("::placeholder", "")
    ids = len(re.findall(r"#[\w-]+", selector))
    classes = len(re.findall(r"\.[\w-]+|:[\w-]+|\[[^]]+\]", selector))
    elements = len(re.findall(r"(?:^|[\s>+~])[a-zA-Z][\w-]*", selector))
    return ids, classes, elements


def test_the_search_box_placeholder_is_drawn_opaque_in_a_colour_with_enough_contrast(out: Path) -> None:
    from test_accessibility import contrast

    page = re.sub(r"/\*.*?\*/", "", (out / "public" / "index.html").read_text(encoding="utf-8"), flags=re.DOTALL)
    ours = re.findall(r"([^{}]*::placeholder)\s*\{([^}]*)\}", page)
    assert ours, "no placeholder rule on the site"
    pagefind = out / "public" / "pagefind" / "pagefind-ui.css"
    if not pagefind.is_file():
        pytest.skip("Pagefind absent: no search box")
    theirs = [
        selector
        for selector, body in re.findall(r"([^{}]*::placeholder)\{([^}]*)\}", pagefind.read_text())
        if "opacity" in body or "color" in body
    ]
    assert theirs
    grey = re.search(r"--gris: (#\w+)", page)
    assert grey is not None
    for selector, body in ours:
        assert "opacity: 1" in body and "color: var(--gris)" in body
        for other in theirs:  # ours wins over Pagefind's though its sheet comes after
            assert _specificity(selector.strip()) > _specificity(other.strip()), (selector, other)
    assert contrast(grey.group(1), "#ffffff") >= 4.5


def test_the_report_s_charts_can_be_read_on_a_phone(out: Path) -> None:
    """A chart is scaled to the width of its page: 360 px on a phone. Its viewBox is narrow enough
    that its smallest text (11 units) is drawn at 12 px at least, and every text fits in it."""
    for page in (out / "public" / "rapport" / "rapport-2001.html", out / "rapport" / "rapport-2001.html"):
        text = page.read_text(encoding="utf-8")
        assert re.search(r"svg\.graphique \{[^}]*max-width: \d+rem", text)
        svgs = re.findall(r"<svg.*?</svg>", text, re.DOTALL)
        assert len(svgs) == 2
        for svg in svgs:
            width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
            sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
            assert sizes and min(sizes) * 360 / width >= 12, (width, min(sizes))
            for x, size, words in re.findall(r'<text x="([\d.]+)"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg):
                assert float(x) + len(words) * float(size) * 0.6 <= width, words


def _columns(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<th scope=\"col\">(.*?)</th>", table)]


@pytest.mark.parametrize("report", ["public/rapport/rapport-2001.html", "rapport/rapport-2001.html"])
def test_the_report_s_wide_tables_reflow_on_a_phone_keeping_their_headings(out: Path, report: str) -> None:
    """Tables of more than two columns are shown one row a block on a narrow screen: each figure
    after its column's heading (data-label), the heading row still in the table for screen readers.
    The members' report too: it is read on a phone as well."""
    page = (out / report).read_text(encoding="utf-8")
    assert re.search(
        r"@media \(max-width: 40rem\) \{.*html table\.repli td\[data-label\]::before \{ content: "
        r"attr\(data-label\)",
        page,
        re.DOTALL,
    )
    tables = re.findall(r"<table[^>]*>.*?</table>", page, re.DOTALL)
    wide = [table for table in tables if len(_columns(table)) > 2]
    assert len(wide) >= 3
    for table in wide:
        assert table.startswith('<table class="repli">'), table[:80]
        columns = _columns(table)
        body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL)
        assert body is not None
        for row in body.group(1).split("</tr>")[:-1]:
            labels = [
                re.search(r'data-label="([^"]*)"', attributes) for attributes in re.findall(r"<t[dh]([^>]*)>", row)
            ]
            assert len(labels) == len(columns), row
            assert labels[0] is None, row  # the row's name, shown as its heading
            assert all(label is not None and label.group(1) for label in labels[1:]), row
    meetings = wide[0]
    assert re.findall(r'data-label="([^"]*)"', meetings)[:4] == _columns(meetings)[1:]
