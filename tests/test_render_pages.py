"""What a reader sees on the calendar page and in the guides: why a meeting moved or was cancelled,
a first page that is not blank, opening hours that do not break in the middle."""

from __future__ import annotations

from pathlib import Path

from conftest import add_group, gasp, minimal_workspace, typeset, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}


def test_the_calendar_says_why_a_slot_moved_and_why_a_meeting_was_cancelled(tmp_path: Path):
    root = minimal_workspace(tmp_path, as_of="2021-12-31")
    add_group(
        root,
        "agents",
        "agents",
        "frequency: monthly\nweekday: monday\nweek: 1\navoid: [public-holidays]",
        since="2021-01-01",
    )
    write(
        root,
        "records/meetings/2021/2021-03-01-agents.yaml",
        "group: agents\ndate: 2021-03-01\nstatus: cancelled\ncancel_reason: La salle est <b>inondée</b>.\n",
    )
    result = gasp("render", "--only", "calendrier", "--format", "html", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    html = (root / "out/calendrier/calendrier-2021.html").read_text(encoding="utf-8")
    rows = {row.split("</td>")[0]: row for row in html.split("<tr><td>")[1:]}
    # 5 April 2021 is Easter Monday: the slot moves a week later, and the page says so.
    april, march = rows[typeset("lundi 12 avril 2021", "html")], rows[typeset("lundi 1er mars 2021", "html")]
    assert typeset("décalée du 5 avril 2021 (Lundi de Pâques)", "html") in april
    assert "<td>La salle est &lt;b&gt;inondée&lt;/b&gt;.</td>" in march
    assert "<td>annulée</td>" in march
    assert "<td>14\u00a0h</td>" in march  # an hour never breaks


def test_a_cancelled_meeting_s_compte_rendu_gives_its_reason(tmp_path: Path):
    root = minimal_workspace(tmp_path, as_of="2021-12-31")
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: monday\nweek: 1", since="2021-01-01")
    write(
        root,
        "records/meetings/2021/2021-03-01-agents.yaml",
        "group: agents\ndate: 2021-03-01\nstatus: cancelled\ncancel_reason: Grève des transports.\n",
    )
    result = gasp("render", "2021-03-01-agents", "--format", "md", workspace=root, env=EPOCH)
    assert result.exit_code == 0, result.output
    md = (root / "out/comptes-rendus/2021-03-01-agents.md").read_text(encoding="utf-8")
    assert typeset("n’a pas eu lieu. Motif : Grève des transports.") in md


def test_the_guide_s_first_page_holds_the_cover_and_the_contents(example: Path):
    from pypdf import PdfReader

    result = gasp("render", "--only", "guides", "--format", "pdf", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    for edition in ("usagers", "agents"):
        pages = PdfReader(example / f"out/guide/guide-{edition}.pdf").pages
        first = " ".join(pages[0].extract_text().split())
        assert "Guide des services publics" in first and "Sommaire" in first, edition
    usagers = PdfReader(example / "out/guide/guide-usagers.pdf").pages
    # The first services follow the contents on the same page: no page is mostly blank.
    assert "Courrier, colis, services financiers" in usagers[0].extract_text()
    assert len(usagers) <= 5


def test_opening_hours_never_break_inside(example: Path):
    result = gasp("render", "--only", "guides", "--format", "html,md", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    html = (example / "out/guide/guide-usagers.html").read_text(encoding="utf-8")
    assert "<dd>Permanence le mercredi, 9\u00a0h\u00a0–\u00a012\u00a0h</dd>" in html
    assert "9 h – 12 h" not in html
    md = (example / "out/guide/guide-agents.md").read_text(encoding="utf-8")
    assert "9\u00a0h\u00a0–\u00a012\u00a0h" in md


def test_the_hours_filter_only_binds_hours():
    from gasp_cli.render.environment import hours

    assert (
        hours("Du lundi au vendredi, 8 h 30 – 12 h ; 2 heures")
        == "Du lundi au vendredi, 8\u00a0h\u00a030\u00a0–\u00a012\u00a0h ; 2 heures"
    )
    assert hours("9h-12h") == "9h-12h" and hours(None) is None


def test_hours_in_a_long_note_do_not_break_either(example: Path):
    result = gasp("render", "--only", "suivi", "--format", "html", workspace=example, env=EPOCH)
    assert result.exit_code == 0, result.output
    html = (example / "out/suivi.html").read_text(encoding="utf-8")
    assert "9\u00a0h\u00a0–\u00a012\u00a0h et 16\u00a0h\u00a0–\u00a019\u00a0h" in html
