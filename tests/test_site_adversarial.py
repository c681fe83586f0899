"""The residents' site, out/public/, read as a resident would and attacked as a careless secretary could.

Each test is a problem found by crafting a workspace: what a resident reads must be
French words and names, never an id; what the site promises (the next meetings, the
calendar to subscribe to) must be there; nothing private, whatever the records say.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp

ENV = {"SOURCE_DATE_EPOCH": "1000000000"}


def _example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "records")
    return root / "records"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _render(root: Path, *extra: str, today: str | None = None) -> Path:
    env = dict(ENV, **({"GASP_TODAY": today} if today else {}))
    result = gasp("render", "--only", "public", "--format", "html", *extra, workspace=root, env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return root / "out" / "public"


def _text(page: Path) -> str:
    """What a resident reads on a page: its text, without the markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def test_a_service_invited_to_a_meeting_is_named_not_shown_by_its_id(tmp_path: Path) -> None:
    """`guests` may name a service by its id (the report counts them): the compte rendu says
    « Bailleurs sociaux », never « bailleurs »."""
    records = _example(tmp_path)
    meeting = records / "meetings" / "2001" / "2001-03-08-usagers.yaml"
    meeting.write_text(
        meeting.read_text(encoding="utf-8") + "guests:\n- bailleurs\n- Un voisin de passage\n", encoding="utf-8"
    )
    public = _render(tmp_path)
    text = _text(public / "comptes-rendus" / "2001-03-08-usagers.html")
    guests = text.split("Invités", 1)[1].split("Tour de table", 1)[0]
    assert "Bailleurs sociaux" in guests and "Un voisin de passage" in guests
    assert "bailleurs " not in guests


def test_the_next_meetings_open_to_residents_are_those_residents_attend(tmp_path: Path) -> None:
    """« Prochaines réunions ouvertes aux habitants »: the usagers and inter-group meetings, whether
    or not their comptes rendus are published; never the agents', even when theirs are."""
    records = _example(tmp_path)
    (records / "groups" / "agents.yaml").write_text(
        (records / "groups" / "agents.yaml").read_text(encoding="utf-8") + "public_minutes: true\n", encoding="utf-8"
    )
    (records / "groups" / "usagers.yaml").write_text(
        (records / "groups" / "usagers.yaml").read_text(encoding="utf-8") + "public_minutes: false\n", encoding="utf-8"
    )
    public = _render(tmp_path)
    text = _text(public / "index.html")
    upcoming = text.split("Prochaines réunions ouvertes aux habitants", 1)[1].split("Toutes les réunions", 1)[0]
    assert "Groupe des usagers" in upcoming and "Réunion intergroupes" in upcoming
    assert "Groupe des agents" not in upcoming
    # the agents' comptes rendus are public all the same, and the usagers' are not
    assert (public / "comptes-rendus" / "2002-06-11-agents.html").is_file()
    assert not (public / "comptes-rendus" / "2002-06-13-usagers.html").exists()
    # … and the list of comptes rendus does not call the agents' meetings open to residents
    listing = _text(public / "comptes-rendus.html")
    assert "Groupe des agents" in listing and "ouvertes aux habitants" not in listing


def test_every_next_meeting_of_the_home_page_is_in_the_calendars_it_links(tmp_path: Path) -> None:
    """In June 2002, the home page lists meetings of 2003: the calendar it points at has them,
    and the file to subscribe to keeps its name from one year to the next (a subscription to
    « calendrier-2002.ics » would stop on 1 January, when that file leaves the site)."""
    from urllib.parse import urljoin

    _example(tmp_path)
    public = _render(tmp_path)
    home = (public / "index.html").read_text(encoding="utf-8")
    upcoming = home.split('id="reunions"', 1)[1].split('id="comptes-rendus"', 1)[0]
    dates = re.findall(r"<strong>([^<]+)</strong>", upcoming)
    assert any("2003" in date for date in dates), dates
    calendars = re.findall(r'href="(calendrier/calendrier-\d{4}\.html)"', upcoming)
    shown = " ".join(_text(public / link) for link in calendars)
    assert all(re.sub(r"\s+", " ", date) in shown for date in dates), (dates, calendars)
    subscription = re.findall(r'href="(calendrier/[^"]+\.ics)"', upcoming)
    assert len(subscription) == 1 and not re.search(r"\d{4}", subscription[0]), subscription
    ics = (public / urljoin("", subscription[0])).read_text(encoding="utf-8")
    assert "DTSTART;TZID=Europe/Paris:20020912T180000" in ics and "DTSTART;TZID=Europe/Paris:20030313T180000" in ics
    # the next year's calendar page links its own iCalendar file, which exists
    assert (public / "calendrier" / "calendrier-2003.ics").is_file()


def test_a_guide_without_services_says_so(tmp_path: Path) -> None:
    """A new Gasp (gasp init) has no service yet: the guide's page says why it is empty."""
    result = gasp("init", str(tmp_path))
    assert result.exit_code == 0, result.output
    public = _render(tmp_path, today="2026-11-26")
    text = _text(public / "guide" / "guide-usagers.html")
    assert "Aucun service n’est encore décrit dans le guide." in text


def test_every_edition_of_an_empty_guide_says_so(tmp_path: Path) -> None:
    from pypdf import PdfReader

    gasp("init", str(tmp_path))
    result = gasp("render", "--only", "guides", workspace=tmp_path, env=dict(ENV, GASP_TODAY="2026-11-26"))
    assert result.exit_code == 0, result.output
    guides = tmp_path / "out" / "guide"
    for edition in ("usagers", "agents"):
        assert "Aucun service n’est encore décrit dans le guide." in (guides / f"guide-{edition}.md").read_text()
        pdf = "".join(page.extract_text() or "" for page in PdfReader(guides / f"guide-{edition}.pdf").pages)
        assert "Aucun service n’est encore décrit dans le guide." in pdf.replace("\n", " ")


def test_asking_for_the_site_without_html_says_why_nothing_is_made(tmp_path: Path) -> None:
    """`--only public --format pdf`: the site is made of web pages; gasp says so, in good French."""
    _example(tmp_path)
    result = gasp("render", "--only", "public", "--format", "pdf", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "le site des habitants est fait de pages web" in result.stderr
    assert "(, " not in result.stdout and "1 fichiers" not in result.stdout, result.stdout
    assert not (tmp_path / "out" / "public").exists()
    again = gasp("render", "--only", "public", "--format", "pdf", workspace=tmp_path, env=ENV)
    assert "0 fichiers" not in again.stdout, again.stdout


def test_a_render_without_html_warns_when_the_site_it_leaves_is_out_of_date(tmp_path: Path) -> None:
    """The secretary withdraws a resident's consent, then prints (`--format md,pdf`): the site,
    left as it is, still names her. gasp says the site is out of date before it is uploaded."""
    records = _example(tmp_path)
    (records / "people" / "habitant-1.yaml").write_text(
        "name: Josiane Consentante\nkind: resident\npublish_name: true\n", encoding="utf-8"
    )
    public = _render(tmp_path)
    assert "Josiane Consentante" in (public / "comptes-rendus" / "2001-06-14-usagers.html").read_text(encoding="utf-8")
    quiet = gasp("render", "--format", "md", workspace=tmp_path, env=ENV)
    assert quiet.exit_code == 0 and "public/" not in quiet.stderr, quiet.stderr  # up to date: nothing to say
    (records / "people" / "habitant-1.yaml").write_text(
        "name: Josiane Consentante\nkind: resident\npublish_name: false\n", encoding="utf-8"
    )
    result = gasp("render", "--format", "md", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "le site des habitants (public/) n’est plus à jour" in result.stderr
    _render(tmp_path)
    assert "Josiane Consentante" not in (public / "comptes-rendus" / "2001-06-14-usagers.html").read_text(
        encoding="utf-8"
    )
    again = gasp("render", "--format", "md", workspace=tmp_path, env=ENV)
    assert "public/" not in again.stderr, again.stderr
    twice = gasp("render", "--format", "md", workspace=tmp_path, env=ENV)  # the keys of public/ are gone by now
    assert "public/" not in twice.stderr, twice.stderr


def test_remaking_the_search_index_is_not_reported_as_documents_removed(tmp_path: Path) -> None:
    """A changed page remakes Pagefind's index, whose files have new names: the old ones go,
    but they are no documents; « retirés de out » lists only what the secretary knows."""
    records = _example(tmp_path)
    _render(tmp_path)
    _edit(records / "proposals" / "horaires-police.yaml", "title: ", "title: Enfin, ")
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "pagefind" not in result.stderr, result.stderr
    # a document that goes is still told
    (records / "meetings" / "2001" / "2001-03-08-usagers.yaml").unlink()
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert "public/comptes-rendus/2001-03-08-usagers.html" in result.stderr and "pagefind" not in result.stderr


def test_the_site_as_it_stood_on_a_day_has_no_compte_rendu_of_a_later_meeting(tmp_path: Path) -> None:
    """« État au 1er juillet 2001 »: the proposals are told up to that day, and so are the
    comptes rendus; a meeting held after it is not « the latest compte rendu » yet. A
    cancellation recorded ahead of the day is news, and stays."""
    records = _example(tmp_path)
    (records / "meetings" / "2001" / "2001-07-12-usagers.yaml").write_text(
        "group: usagers\ndate: 2001-07-12\nstatus: cancelled\ncancel_reason: Salle indisponible.\n", encoding="utf-8"
    )
    public = _render(tmp_path, today="2001-07-01")
    published = sorted(path.stem for path in (public / "comptes-rendus").glob("*.html"))
    assert published[-2:] == ["2001-06-28-intergroupes", "2001-07-12-usagers"], published
    latest = _text(public / "index.html").split("Derniers comptes rendus", 1)[1]
    assert latest.index("12 juillet 2001") < latest.index("28 juin 2001")
    assert "2002" not in latest.split("Tous les comptes rendus", 1)[0]
    assert "2002" not in _text(public / "comptes-rendus.html").split("Comptes rendus", 2)[2]


def test_a_resident_put_among_the_guests_by_her_id_is_not_named(tmp_path: Path) -> None:
    """`gasp new person --name "Marie Durand"` makes the id marie-durand: written among the
    `guests` (free text), that id names her as surely as her name. Like an action's `who`, a
    guest who is a person is named only with consent."""
    records = _example(tmp_path)
    result = gasp("new", "person", "--kind", "resident", "--name", "Marie Durand", workspace=tmp_path)
    assert result.exit_code == 0 and (records / "people" / "marie-durand.yaml").is_file(), result.output
    meeting = records / "meetings" / "2001" / "2001-06-14-usagers.yaml"
    meeting.write_text(
        meeting.read_text(encoding="utf-8") + "guests:\n- marie-durand\n- policier-proximite\n", encoding="utf-8"
    )
    public = _render(tmp_path)
    page = (public / "comptes-rendus" / "2001-06-14-usagers.html").read_text(encoding="utf-8")
    assert "marie-durand" not in page.lower() and "Marie Durand" not in page
    guests = (
        _text(public / "comptes-rendus" / "2001-06-14-usagers.html").split("Invités", 1)[1].split("Tour de table")[0]
    )
    assert "un habitant" in guests and "Policier de proximité" in guests


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="sans Chromium, pas de mise en page à mesurer")
def test_on_a_phone_the_calendar_shows_every_meeting_whole(tmp_path: Path) -> None:
    """On a phone, the calendar's table scrolled sideways: the status (« annulée ») and the remark
    were off screen, and a resident saw a cancelled meeting like any other. Measured in Chromium:
    no cell of the calendar lies outside the page."""
    import subprocess

    _example(tmp_path)
    public = _render(tmp_path)
    page = public / "calendrier" / "calendrier-2002.html"
    probe = page.with_name("mesure.html")
    probe.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            """<script>
window.addEventListener("load", function () {
  var table = document.querySelector("table"), hidden = 0, cells = 0;
  table.querySelectorAll("td").forEach(function (cell) {
    var box = cell.getBoundingClientRect();
    if (cell.textContent.trim()) { cells++; if (box.right > table.getBoundingClientRect().right + 1) hidden++; }
  });
  document.body.setAttribute("data-mesure", cells + " " + hidden + " " + (table.scrollWidth - table.clientWidth));
});</script></body>""",
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profil'}",
            "--window-size=390,800",
            "--virtual-time-budget=3000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'data-mesure="(\d+) (\d+) (-?\d+)"', done.stdout)
    assert found, done.stderr[-2000:]
    cells, hidden, overflow = (int(value) for value in found.groups())
    assert cells > 50 and hidden == 0 and overflow <= 0, (cells, hidden, overflow)
