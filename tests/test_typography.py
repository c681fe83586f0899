"""French typography and words, once: every md, html and pdf gasp writes spaces « ; : ! ? »
and « » with a narrow no-break space, keeps dates and a number with its unit on one line,
writes « 1er » with its superscript; one folding makes ids, the alphabetical order and typed
words agree on « œ »; averages are rounded half up."""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, gasp
from gasp_cli.documents.rapport import GroupYear
from gasp_cli.render import typography as formats
from gasp_cli.vocabulary import (
    MONTHS_FR,
    PROPOSAL_STATUS_WORDS,
    fold,
    round_half_up,
    slugify,
    sort_key,
    status_word,
    typography,
    words_match,
)

NNBSP, NBSP = "\u202f", "\u00a0"


# --- words ----------------------------------------------------------------------------------


def test_a_slug_spells_out_ligatures_and_cuts_at_punctuation():
    assert slugify("Mise en œuvre du guide") == "mise-en-oeuvre-du-guide"
    assert slugify("L’Œuvre d'Ærø à Straße") == "l-oeuvre-d-aero-a-strasse"
    assert slugify("Réunion Agents_2 : bilan !") == "reunion-agents-2-bilan"


def test_gasp_new_writes_the_slug_of_a_title_with_oe(tmp_path: Path):
    shutil.copytree(EXAMPLE, tmp_path / "records")
    result = gasp("new", "proposal", "--title", "Mise en œuvre du guide", "--theme", "logement", workspace=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "records/proposals/mise-en-oeuvre-du-guide.yaml").is_file()
    assert not (tmp_path / "records/proposals/mise-en-uvre-du-guide.yaml").exists()


def test_oeuvre_sorts_under_o_and_matches_oe():
    assert sorted(["Urbanisme", "Parc", "Œuvre", "Ordre", "Accueil"], key=sort_key) == [
        "Accueil",
        "Œuvre",
        "Ordre",
        "Parc",
        "Urbanisme",
    ]
    assert fold("Mise en Œuvre à l’Étude") == "mise en oeuvre a l'etude"
    assert words_match("oeuvre", "mise en œuvre") and words_match("Œuvre", "mise en oeuvre")


def test_one_table_of_status_words_with_its_plurals():
    assert status_word("deferred") == "ajournée" and status_word("study", 2) == "mises à l’étude"
    assert status_word("validated", 1) == "validée" and status_word("validated", 0) == "validée"
    assert all("'" not in words.one + words.several + words.noun for words in PROPOSAL_STATUS_WORDS.values())


def test_no_status_label_table_outside_vocabulary():
    """The words « ajournée » / « décision reportée » and « à l'étude » live in vocabulary.py only
    (sentences that explain them may use them; a label table may not)."""
    package = Path(__file__).resolve().parent.parent / "gasp_cli"
    tables = []
    for path in package.rglob("*.py"):
        if path.name == "vocabulary.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'"(deferred|study|validated|rejected)"\s*:\s*\(?"[^#]', line):
                tables.append(f"{path.name}:{number}: {line.strip()}")
    assert tables == []


def test_averages_round_half_up():
    assert round_half_up(14.25) == 14.3 and round(14.25, 1) == 14.2  # what Python's round would say
    assert round_half_up(2.675, 2) == 2.68 and round_half_up(14.0) == 14.0
    group = GroupYear("agents", "Groupe des agents", "agents", 4, 4, 0, [14, 14, 14, 15])
    assert group.attendance_mean == 14.3


# --- the rules on text ----------------------------------------------------------------------


def test_the_rules_on_running_text():
    assert typography("Motif : rien ; voir ! ou ?") == f"Motif{NNBSP}: rien{NNBSP}; voir{NNBSP}! ou{NNBSP}?"
    assert typography("« ici »") == typography("«ici»") == f"«{NNBSP}ici{NNBSP}»"
    assert typography("le 30 juin 2002, le 1er janvier") == f"le 30{NBSP}juin{NBSP}2002, le 1er{NBSP}janvier"
    assert typography("26 jours, 40 %, 1 200 €") == f"26{NBSP}jours, 40{NBSP}%, 1{NNBSP}200{NBSP}€"
    assert typography("9 h 30 – 12 h") == f"9{NBSP}h{NBSP}30{NBSP}–{NBSP}12{NBSP}h"
    # Not typography's to touch: a time, an address, a ratio without spaces.
    assert typography("14:00 http://exemple.fr a:b") == "14:00 http://exemple.fr a:b"


def test_html_text_only():
    page = (
        '<p title="a : b" data-x="1er">Prochaine réunion : le 1er mars</p>'
        "<script>const x = a ? b : c;</script><style>a:hover { color: red; }</style>"
        "<!-- note : rien --><title>Le 1er mars : bilan</title>"
        "<svg><title>Validées : 2</title><text>le 1er mars</text></svg><p>1er</p>"
    )
    assert formats.html(page) == (
        f'<p title="a : b" data-x="1er">Prochaine réunion{NNBSP}: le 1<sup>er</sup>{NBSP}mars</p>'
        "<script>const x = a ? b : c;</script><style>a:hover { color: red; }</style>"
        f"<!-- note : rien --><title>Le 1er{NBSP}mars{NNBSP}: bilan</title>"
        f"<svg><title>Validées{NNBSP}: 2</title><text>le 1er{NBSP}mars</text></svg><p>1<sup>er</sup></p>"
    )


def test_markdown_text_only():
    page = "| Date | Motif |\n| --- | :---: |\n| 1er mars | voir `a : b` et [ici : là](x.md#a:b) ! |\n"
    assert formats.markdown(page) == (
        f"| Date | Motif |\n| --- | :---: |\n| 1er{NBSP}mars | voir `a : b` et [ici{NNBSP}: là](x.md#a:b){NNBSP}! |\n"
    )


def test_typst_markup_only():
    source = (
        '#set text(lang: "fr")\n'
        '#let vide(body) = text(fill: rgb("#5b6670"), body)\n'
        "#if 1 != 2 [Motif : le 1er mars] else { [Rien ?] }\n"
        "#block(inset: 8pt)[Prochaine réunion : #gris[le 30 juin 2002] ; fin]\n"
        "= Compte rendu du 1er mars\n"
        "// commentaire : rien\n"
    )
    assert formats.typst(source) == (
        '#set text(lang: "fr")\n'
        '#let vide(body) = text(fill: rgb("#5b6670"), body)\n'
        f"#if 1 != 2 [Motif{NNBSP}: le 1#super[er];{NBSP}mars] else {{ [Rien{NNBSP}?] }}\n"
        f"#block(inset: 8pt)[Prochaine réunion{NNBSP}: #gris[le 30{NBSP}juin{NBSP}2002]{NNBSP}; fin]\n"
        f"= Compte rendu du 1#super[er];{NBSP}mars\n"
        "// commentaire : rien\n"
    )


# --- every document of the embedded example -------------------------------------------------


@pytest.fixture(scope="module")
def rendered(rendered_example: Path) -> Path:
    return rendered_example / "out"


def _html_text(path: Path, tag: str = "") -> str:
    """The text a reader reads; `tag`: what each tag becomes (a space keeps words of two blocks apart)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]*>", tag, page))


def _md_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$", "", page, flags=re.MULTILINE)  # delimiter rows
    return re.sub(r"`[^`]*`|\]\([^)]*\)", "", page)


_BAD_SPACE = re.compile(r".{0,40}(?: [;:!?»]|« ).{0,20}")


def test_no_ordinary_space_before_high_punctuation_in_html_and_md(rendered: Path):
    found = []
    for path in sorted(rendered.rglob("*")):
        if path.suffix in (".html", ".md"):
            text = _html_text(path) if path.suffix == ".html" else _md_text(path)
            found += [f"{path.relative_to(rendered)}: {m[0]!r}" for m in _BAD_SPACE.finditer(text)]
    assert found == []


def _pdf_words(path: Path) -> list[tuple[float, float, float, float, str]]:
    layout = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [
        (float(x0), float(y0), float(x1), float(y1), html.unescape(word))
        for x0, y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', layout
        )
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
def test_pdfs_space_high_punctuation_narrowly_and_keep_dates_whole(rendered: Path):
    """A PDF holds no space characters, only gaps: an ordinary space is a gap of about a quarter
    of the line's height (more where the line is justified), a narrow no-break space half that.
    A date's day and month on two lines is a line break inside the date."""
    wide, split = [], []
    pdfs = sorted(rendered.rglob("*.pdf"))
    assert len(pdfs) > 70
    for path in pdfs:
        words = _pdf_words(path)
        for before, word in itertools.pairwise(words):
            same_line = abs(before[1] - word[1]) < 0.5
            gap = (word[0] - before[2]) / (word[3] - word[1])
            if same_line and gap > 0.16 and (word[4][0] in ";:!?»" or before[4] == "«"):
                wide.append(f"{path.relative_to(rendered)}: {before[4]} {word[4]}")
            if word[4] in MONTHS_FR and re.fullmatch(r"\d{1,2}|1er", before[4]) and not same_line:
                split.append(f"{path.relative_to(rendered)}: {before[4]} / {word[4]}")
    assert wide == []
    assert split == []


def test_dates_and_units_are_bound_in_every_html_and_typst(rendered: Path):
    suivi = (rendered / "suivi.html").read_text(encoding="utf-8")
    assert f"30{NBSP}juin{NBSP}2002" in suivi and "30 juin 2002" not in suivi
    assert f"1<sup>er</sup>{NBSP}octobre{NBSP}2001" in suivi and "1er octobre" not in suivi
    markdown = (rendered / "suivi.md").read_text(encoding="utf-8")
    assert f"1er{NBSP}octobre{NBSP}2001" in markdown  # Markdown has no superscript


def test_the_pdf_writes_1er_with_its_superscript(rendered: Path):
    """`1#super[er]`: Typst sets « er » in the font's superior letters, which pdftotext reads as
    « 1er » still, but narrower: about 0,9 of the line's height where a plain « 1er » takes 1,13."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) absent")
    firsts = [word for word in _pdf_words(rendered / "suivi.pdf") if word[4] == "1er"]
    assert firsts, "no « 1er » found in suivi.pdf"
    assert [round((x1 - x0) / (y1 - y0), 2) for x0, y0, x1, y1, _ in firsts if (x1 - x0) / (y1 - y0) > 1.0] == []


def test_gasp_s_own_words_use_the_typographic_apostrophe(rendered: Path):
    """Every « ' » left in a page comes from a record (record text may keep its own)."""

    def strings(node: object) -> list[str]:
        if isinstance(node, dict):
            return [text for value in node.values() for text in strings(value)]
        if isinstance(node, list):
            return [text for value in node for text in strings(value)]
        return [" ".join(node.split())] if isinstance(node, str) else []

    paths = (rendered.parent / "records").rglob("*.yaml")
    records = " ".join(text for path in paths for text in strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    found = set()
    for path in sorted(rendered.rglob("*")):
        if path.suffix in (".html", ".md"):
            text = _html_text(path, " ") if path.suffix == ".html" else path.read_text(encoding="utf-8")
            found |= {word for word in re.findall(r"\w+'\w+", text) if word.strip("_") not in records}
    assert found == set()
