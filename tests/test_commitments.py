"""Issue 15, outside the residents' site: the Gasp's commitments (`commitments` in gasp.yaml) in
`gasp validate`, the dossier and the report; what changed in a service, in both guides; why a
meeting was cancelled, in the calendar, the ics and the report. Every figure is computed by
hand in the comments, from the small workspace below."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, typeset, validate_json, write

# The workspace: one theme per letter of the alphabet would be too many; two are enough to
# show that a late proposal comes before the themes' alphabetical order.
#
# Proposals, all raised by the agents:
#   a  raised 2021-03-01, never decided                              (theme Accueil)
#   b  raised 2021-03-01, validated 2021-03-20 (19 days), done 2021-05-03, services [mairie]
#   c  raised 2021-03-01, deferred 2021-03-20 (19 days), validated 2021-06-10
#   d  raised 2021-03-01, rejected 2021-06-10 (101 days)
#   e  raised 2020-12-01, study 2021-03-20 (109 days)                (theme Voirie)
#   f  raised 2021-06-01, never decided, services [mairie] but not done
# Meetings and their minutes:
#   2020-12-01 agents held, sent 2020-12-02        2021-03-01 agents held, sent 2021-03-05 (4 days)
#   2021-03-20 referents held, never sent          2021-06-01 agents held, sent 2021-06-21 (20 days)
#   2021-06-10 referents held, sent 2021-06-13 (3) 2021-09-07 agents cancelled, a reason, sent 2021-09-30


def _meeting(root: Path, day: str, group: str, body: str) -> None:
    write(root, f"records/meetings/{day[:4]}/{day}-{group}.yaml", f"group: {group}\ndate: {day}\n{body}")


def committed(
    root: Path,
    commitments: str = "commitments:\n  decision_within_days: 30\n  minutes_within_days: 10\n",
    as_of: str | None = None,
) -> Path:
    minimal_workspace(root, as_of=as_of)
    gasp_yaml = root / "records/gasp.yaml"
    gasp_yaml.write_text(gasp_yaml.read_text(encoding="utf-8") + commitments, encoding="utf-8")
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 1")
    add_group(root, "referents", "referents", "frequency: quarterly\nweekday: saturday\nweek: 3\nmonths: [3, 6, 9, 12]")
    write(root, "records/themes/accueil.yaml", "title: Accueil\n")
    write(root, "records/themes/voirie.yaml", "title: Voirie\n")
    write(
        root,
        "records/services/mairie.yaml",
        "name: Accueil de la mairie\ninstitution: Commune d’Escautpont\ncategory: Démarches\npublic: {}\n",
    )
    titles = {
        "a": "Un banc devant la mairie",
        "b": "Ouvrir la mairie le samedi matin",
        "c": "Un guichet unique",
        "d": "Un parking payant",
        "e": "Réparer les trottoirs",
        "f": "Un numéro unique",
    }
    extra = {
        "b": "services: [mairie]\nmilestones:\n- {date: 2021-05-03, status: done, note: Ouvert.}\n",
        "e": "",
        "f": "services: [mairie]\n",
    }
    for pid, title in titles.items():
        theme = "voirie" if pid == "e" else "accueil"
        write(root, f"records/proposals/{pid}.yaml", f"title: {title}\ntheme: {theme}\n{extra.get(pid, '')}")
    _meeting(
        root,
        "2020-12-01",
        "agents",
        "status: held\nminutes_sent: 2020-12-02\nproposals:\n- {proposal: e, event: raised}\n",
    )
    _meeting(
        root,
        "2021-03-01",
        "agents",
        "status: held\nminutes_sent: 2021-03-05\nproposals:\n"
        + "".join(f"- {{proposal: {p}, event: raised}}\n" for p in "abcd"),
    )
    _meeting(
        root,
        "2021-03-20",
        "referents",
        "status: held\ndecisions:\n- {proposal: b, outcome: validated}\n"
        "- {proposal: c, outcome: deferred}\n- {proposal: e, outcome: study}\n",
    )
    _meeting(
        root,
        "2021-06-01",
        "agents",
        "status: held\nminutes_sent: 2021-06-21\nproposals:\n- {proposal: f, event: raised}\n",
    )
    _meeting(
        root,
        "2021-06-10",
        "referents",
        "status: held\nminutes_sent: 2021-06-13\ndecisions:\n"
        "- {proposal: d, outcome: rejected}\n- {proposal: c, outcome: validated}\n",
    )
    _meeting(
        root,
        "2021-09-07",
        "agents",
        "status: cancelled\nminutes_sent: 2021-09-30\n"
        "cancel_reason: La salle est <b>inondée</b> ; « grève », des transports.\n",
    )
    return root


COMMITMENT_CODES = ("late-decision", "late-minutes")


def _late(root: Path, today: str, *extra: str) -> tuple[int, list[dict]]:
    result = gasp("validate", "--format", "json", *extra, workspace=root, env={"GASP_TODAY": today})
    found = json.loads(result.stdout)
    if "--strict" not in extra:
        assert [d for d in found if d["severity"] == "error"] == []
    return result.exit_code, [d for d in found if d["code"] in COMMITMENT_CODES]


# --- gasp validate ----------------------------------------------------------------------------


def test_validate_warns_for_each_proposal_and_compte_rendu_past_the_commitment(tmp_path: Path):
    root = committed(tmp_path)
    # On 15 April 2021: a and d raised 1 March, 45 days ago (30 in March + 15), not answered: 15 days late.
    # b is validated; c was deferred on day 19 and e put under study on day 109: both answered (late or
    # not, an answer is an answer), still to decide, never warned late.
    # The référents' meeting of 20 March has no minutes_sent, 26 days on (11 + 15): 16 days late.
    code, late = _late(root, "2021-04-15")
    assert code == 0  # warnings never block
    by_file = {d["file"]: d for d in late}
    assert set(by_file) == {
        "records/proposals/a.yaml",
        "records/proposals/d.yaml",
        "records/meetings/2021/2021-03-20-referents.yaml",
    }
    assert all(d["severity"] == "warning" for d in late)
    a = by_file["records/proposals/a.yaml"]
    assert (a["code"], a["line"], a["column"]) == ("late-decision", 1, 1)
    assert a["message"] == (
        "proposition sans réponse des référents depuis le 1er mars 2021 (45 jours) : 15 jours "
        "de retard sur l’engagement de réponse en 30 jours (commitments.decision_within_days)"
    )
    minutes = by_file["records/meetings/2021/2021-03-20-referents.yaml"]
    assert minutes["code"] == "late-minutes" and minutes["line"] == 2  # the meeting's date
    assert minutes["message"].startswith(
        "compte rendu de la réunion du 20 mars 2021 toujours pas envoyé : "
        "16 jours de retard sur l’engagement de 10 jours"
    )


def test_validate_text_names_the_file_line_and_column(tmp_path: Path):
    root = committed(tmp_path)
    result = gasp("validate", workspace=root, env={"GASP_TODAY": "2021-04-15"})
    assert (
        "records/proposals/a.yaml:1:1: avertissement: proposition sans réponse des référents depuis le 1er mars 2021"
    ) in result.stderr


@pytest.mark.parametrize(
    ("today", "late_proposals", "late_minutes"),
    [
        ("2021-03-31", set(), True),  # a, d at 30 days: on time; the minutes at 11 days: late
        ("2021-04-01", {"a", "d"}, True),  # 31 days: 1 day late (c was deferred on day 19: answered)
    ],
)
def test_the_last_day_of_the_commitment_is_still_on_time(
    tmp_path: Path, today: str, late_proposals: set[str], late_minutes: bool
):
    root = committed(tmp_path)
    _, late = _late(root, today)
    found = {
        d["file"].removeprefix("records/proposals/").removesuffix(".yaml") for d in late if d["code"] == "late-decision"
    }
    assert found == late_proposals  # e, raised in 2020, was answered (a study) on 20 March
    assert any(d["code"] == "late-minutes" for d in late) is late_minutes


def test_minutes_on_the_last_day_are_on_time(tmp_path: Path):
    root = committed(tmp_path)
    # 20 March + 10 days = 30 March: on time; 31 March: 1 day late.
    assert [d for d in _late(root, "2021-03-30")[1] if d["code"] == "late-minutes"] == []
    late = [d for d in _late(root, "2021-03-31")[1] if d["code"] == "late-minutes"]
    assert len(late) == 1 and "1 jour de retard" in late[0]["message"]


def test_minutes_sent_late_are_history_not_a_warning(tmp_path: Path):
    """Sent 20 days after the meeting of 1 June, past the 10 promised: the report's median says it."""
    root = committed(tmp_path)
    _, late = _late(root, "2021-12-31")
    assert [d["file"] for d in late if d["code"] == "late-minutes"] == [
        "records/meetings/2021/2021-03-20-referents.yaml"
    ]


def test_without_commitments_there_is_no_such_warning(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    _, late = _late(root, "2021-12-31", "--strict")
    assert late == []
    only_decisions = committed(tmp_path / "decisions", commitments="commitments:\n  decision_within_days: 30\n")
    assert {d["code"] for d in _late(only_decisions, "2021-12-31")[1]} == {"late-decision"}
    only_minutes = committed(tmp_path / "minutes", commitments="commitments:\n  minutes_within_days: 10\n")
    assert {d["code"] for d in _late(only_minutes, "2021-12-31")[1]} == {"late-minutes"}


def test_strict_turns_the_commitment_warnings_into_failure(tmp_path: Path):
    root = committed(tmp_path)
    code, late = _late(root, "2021-04-15", "--strict")
    assert code == 1 and late and all(d["severity"] == "error" for d in late)


def test_an_archive_is_judged_on_its_as_of(tmp_path: Path):
    """as_of 25 March 2021: a is 24 days old (on time), e was answered (a study), the minutes 5 days;
    on 1 March 2021, e was 90 days old and not answered: 60 days late."""
    root = committed(tmp_path, as_of="2021-03-25")
    _, late = _late(root, "2026-01-01")
    assert late == []
    earlier = committed(tmp_path / "earlier", as_of="2021-03-01")
    _, late = _late(earlier, "2026-01-01")
    assert [(d["file"], d["code"]) for d in late] == [("records/proposals/e.yaml", "late-decision")]
    assert "60 jours de retard" in late[0]["message"]


def test_minutes_sent_before_the_meeting_is_an_error(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    path = root / "records/meetings/2021/2021-06-01-agents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("minutes_sent: 2021-06-21", "minutes_sent: 2021-05-30"),
        encoding="utf-8",
    )
    code, found = validate_json(root)
    wrong = [d for d in found if d["code"] == "date-order"]
    assert code == 1
    assert [(d["file"], d["line"], d["severity"]) for d in wrong] == [
        ("records/meetings/2021/2021-06-01-agents.yaml", 4, "error")
    ]
    assert wrong[0]["message"] == "compte rendu envoyé le 30 mai 2021, avant la réunion du 1er juin 2021"


def test_a_proposal_service_is_a_checked_reference(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    write(root, "records/proposals/f.yaml", "title: Un numéro unique\ntheme: accueil\nservices: [mairi]\n")
    code, found = validate_json(root)
    assert code == 1
    assert [d["message"] for d in found if d["code"] == "dangling-ref"] == [
        "« services » : service « mairi » inconnu ; vouliez-vous dire « mairie » ?"
    ]


# --- the dossier of the référents ---------------------------------------------------------------


def _plain(text: str) -> str:
    """The text of a page without the no-break spaces of French typography (« ; », « : »)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _render(root: Path, today: str, only: str, formats: str = "md") -> Path:
    result = gasp("render", "--only", only, "--format", formats, workspace=root, env={"GASP_TODAY": today})
    assert result.exit_code == 0, result.output
    return root / "out"


def test_the_dossier_puts_the_late_proposals_first(tmp_path: Path):
    root = committed(tmp_path)
    out = _render(root, "2021-12-31", "dossier", "md,html")
    # The dossier of 20 March, as it stood on 19 March: e raised 108 days before (78 late) comes first,
    # before the theme Accueil (a, b, c, d: 18 days, on time) although Voirie comes after Accueil.
    march = (out / "referents/dossier-2021-03-20.md").read_text(encoding="utf-8")
    assert typeset("L’engagement du Gasp : les référents répondent à une proposition dans les 30 jours") in march
    late = march.index(typeset("## En retard sur l’engagement de réponse en 30 jours"))
    assert late < march.index("### Réparer les trottoirs") < march.index("## Accueil")
    assert typeset("**En retard de 78 jours sur l’engagement de réponse en 30 jours (thème : Voirie).**") in march
    assert "## Voirie" not in march
    assert march.count("En retard de") == 1
    table = march[march.index("## Décisions attendues") :]
    assert table.index("| Réparer les trottoirs (en retard) |") < table.index("| Un banc devant la mairie |")
    # The dossier of 10 June, as it stood on 9 June: a and d, raised 100 days before and not answered,
    # are 70 days late and come first. c (deferred on day 19) and e (under study since 20 March, on
    # day 109) are answered and still to decide: under their themes, never late. f raised 8 days
    # before is on time, under its theme.
    june = (out / "referents/dossier-2021-06-10.md").read_text(encoding="utf-8")
    order = [june.index(f"### {title}") for title in ("Un banc devant la mairie", "Un parking payant")]
    accueil, voirie = june.index("## Accueil"), june.index("## Voirie")
    assert order == sorted(order) and order[-1] < accueil
    assert accueil < june.index("### Un guichet unique") < voirie and accueil < june.index("### Un numéro unique")
    assert voirie < june.index("### Réparer les trottoirs")
    assert june.count(typeset("En retard de 70 jours")) == 2 and june.count("En retard de") == 2
    page = _plain((out / "referents/dossier-2021-06-10.html").read_text(encoding="utf-8"))
    assert '<h2 class="en-retard">En retard sur l’engagement de réponse en 30 jours</h2>' in page
    assert '<section class="fiche en-retard" id="a">' in page
    assert '<section class="fiche en-retard" id="e">' not in page
    assert "<strong>En retard de 70 jours sur l’engagement de réponse en 30 jours (thème : Accueil).</strong>" in page


def test_a_dossier_without_commitment_has_no_late_section(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    march = (_render(root, "2021-12-31", "dossier") / "referents/dossier-2021-03-20.md").read_text(encoding="utf-8")
    assert "retard" not in march and "engagement" not in march
    assert march.index("## Accueil") < march.index("## Voirie")


def test_the_dossier_pdf_marks_the_late_proposals(tmp_path: Path):
    root = committed(tmp_path)
    out = _render(root, "2021-12-31", "dossier", "pdf")
    text = _pdf_text(out / "referents/dossier-2021-03-20.pdf")
    assert "En retard de 78 jours sur l’engagement de réponse en 30 jours (thème : Voirie)" in text
    assert text.index("Réparer les trottoirs") < text.index("Un banc devant la mairie")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


# --- the report -----------------------------------------------------------------------------


def _report(root: Path, year: int, output_format: str = "json", today: str = "2021-12-31") -> str:
    result = gasp(
        "report",
        "--year",
        str(year),
        "--format",
        output_format,
        workspace=root,
        env={"GASP_TODAY": today, "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_report_counts_first_answers_within_the_commitment(tmp_path: Path):
    root = committed(tmp_path)
    report = json.loads(_report(root, 2021))
    # First decisions taken in 2021: b 19 days, c 19 days (its validation in June is not a first
    # answer), e 109 days, d 101 days. Within 30 days: b and c.
    assert report["decided_within_commitment"] == 2
    # Held meetings of 2021 with minutes_sent: 4, 20 and 3 days; the référents of March sent none,
    # the cancelled meeting of September does not count. Median of [3, 4, 20]: 4.
    assert report["median_days_to_minutes"] == 4
    assert json.loads(_report(root, 2020))["decided_within_commitment"] == 0  # no decision in 2020
    assert json.loads(_report(root, 2020))["median_days_to_minutes"] == 1


def test_an_even_count_of_minutes_gives_a_half_day_median(tmp_path: Path):
    root = committed(tmp_path)
    path = root / "records/meetings/2021/2021-03-20-referents.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "minutes_sent: 2021-04-04\n", encoding="utf-8")  # 15 days
    assert json.loads(_report(root, 2021))["median_days_to_minutes"] == 9.5  # [3, 4, 15, 20]: (4 + 15) / 2
    assert typeset("Délai médian d’envoi des comptes rendus : 10 jours (engagement : 10 jours).") in _report(
        root, 2021, "md"
    )


def test_without_commitment_the_report_says_nothing_of_one(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    report = json.loads(_report(root, 2021))
    assert report["decided_within_commitment"] is None
    assert report["median_days_to_minutes"] == 4  # the delay is measured, promised or not
    md = _report(root, 2021, "md")
    assert "Engagement" not in md and "engagement" not in md
    assert typeset("Délai médian d’envoi des comptes rendus : 4 jours.") in md


@pytest.mark.parametrize("output_format", ["text", "md", "html"])
def test_the_report_shows_the_commitment_the_minutes_and_the_cancellations(tmp_path: Path, output_format: str):
    root = committed(tmp_path)
    shown = _plain(_report(root, 2021, output_format))
    if output_format == "html":
        import html

        shown = html.unescape(shown.replace("<b>", "").replace("</b>", ""))
        assert "&lt;b&gt;inondée&lt;/b&gt;" in _report(root, 2021, "html")  # record text stays text
    shown = " ".join(shown.split())
    assert ("2 propositions ont reçu leur première réponse des référents dans les 30 jours promis") in shown
    assert "Délai médian d’envoi des comptes rendus : 4 jours (engagement : 10 jours)" in shown
    assert "Réunions annulées" in shown
    reason = "La salle est <b>inondée</b> ; « grève », des transports."
    if output_format == "md":
        reason = "La salle est \\<b\\>inondée\\</b\\> ; « grève », des transports."
    assert f"Groupe agents, mardi 7 septembre 2021 : {reason}" in shown


def test_the_report_pdf_shows_the_same(tmp_path: Path):
    root = committed(tmp_path)
    pdf = tmp_path / "rapport.pdf"
    result = gasp(
        "report",
        "--year",
        "2021",
        "--format",
        "pdf",
        "--out",
        str(pdf),
        workspace=root,
        env={"GASP_TODAY": "2021-12-31"},
    )
    assert result.exit_code == 0, result.output
    text = _pdf_text(pdf)
    assert "2 propositions ont reçu leur première réponse des référents dans les 30 jours promis" in text
    assert "Délai médian d’envoi des comptes rendus : 4 jours (engagement : 10 jours)" in text
    assert "Groupe agents, mardi 7 septembre 2021 : La salle est <b>inondée</b> ; « grève », des transports." in text


def test_a_cancellation_without_reason_says_so(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    path = root / "records/meetings/2021/2021-09-07-agents.yaml"
    path.write_text("group: agents\ndate: 2021-09-07\nstatus: cancelled\n", encoding="utf-8")
    assert typeset("- Groupe agents, mardi 7 septembre 2021 : motif non noté") in _report(root, 2021, "md")


def test_the_example_report_lists_its_cancelled_meeting():
    md = gasp("report", "--year", "2002", "--format", "md", workspace=REPO).stdout
    assert (
        typeset(
            "Réunions annulées :\n\n- Groupe des agents, mardi 12 février 2002 : Les nouveaux locaux ouvraient le "
            "4 février et les services s'y installaient."
        )
        in md
    )
    assert "Réunions annulées" not in gasp("report", "--year", "2001", "--format", "md", workspace=REPO).stdout


# --- the calendar -------------------------------------------------------------------------------


def test_the_reason_of_a_cancellation_is_in_the_ics_description(tmp_path: Path):
    import icalendar

    root = committed(tmp_path, commitments="")
    result = gasp(
        "calendar",
        "--year",
        "2021",
        "--group",
        "agents",
        "--format",
        "ics",
        workspace=root,
        env={"GASP_TODAY": "2021-12-31"},
    )
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(result.stdout_bytes)
    cancelled = [e for e in calendar.walk("VEVENT") if str(e.get("status")) == "CANCELLED"]
    assert len(cancelled) == 1
    assert str(cancelled[0]["description"]) == (
        "Réunion annulée. Motif : La salle est <b>inondée</b> ; « grève », des transports."
    )
    # RFC 5545 TEXT: the semicolon and the comma of the record are escaped in the file.
    assert (
        "Motif : La salle est <b>inondée</b> \\; « grève »\\, des transports."
        in result.stdout_bytes.decode().replace("\r\n ", "")
    )


def test_a_multi_line_reason_stays_one_property(tmp_path: Path):
    import icalendar

    root = committed(tmp_path, commitments="")
    path = root / "records/meetings/2021/2021-09-07-agents.yaml"
    path.write_text(
        "group: agents\ndate: 2021-09-07\nstatus: cancelled\ncancel_reason: |\n  Grève.\n  DTSTART:20300101T000000\n",
        encoding="utf-8",
    )
    ics = gasp("calendar", "--year", "2021", "--group", "agents", "--format", "ics", workspace=root).stdout
    assert "\nDTSTART:20300101" not in ics
    events = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["description"]) for e in events if "Grève" in str(e.get("description", ""))] == [
        "Réunion annulée. Motif : Grève.\nDTSTART:20300101T000000"
    ]


def test_the_reason_of_a_cancellation_is_the_remarque_of_the_calendar(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    md = gasp(
        "calendar",
        "--year",
        "2021",
        "--group",
        "agents",
        "--format",
        "md",
        workspace=root,
        env={"GASP_TODAY": "2021-12-31"},
    ).stdout
    row = next(line for line in md.splitlines() if typeset("7 septembre 2021") in line)
    assert row.endswith(typeset("| annulée | La salle est \\<b\\>inondée\\</b\\> ; « grève », des transports. |"))
    out = _render(root, "2021-12-31", "calendrier", "html")
    page = _plain((out / "calendrier/calendrier-2021.html").read_text(encoding="utf-8"))
    assert "La salle est &lt;b&gt;inondée&lt;/b&gt; ; « grève », des transports." in page


def test_the_cancellation_notice_gives_the_reason(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    out = _render(root, "2021-12-31", "comptes-rendus", "md,html")
    notice = (out / "comptes-rendus/2021-09-07-agents.md").read_text(encoding="utf-8")
    assert (
        typeset("n’a pas eu lieu. Motif : La salle est \\<b\\>inondée\\</b\\> ; « grève », des transports.") in notice
    )
    page = _plain((out / "comptes-rendus/2021-09-07-agents.html").read_text(encoding="utf-8"))
    assert "Motif : La salle est &lt;b&gt;inondée&lt;/b&gt;" in page


# --- what changed, in the guide -----------------------------------------------------------------


def test_both_guides_say_what_changed_thanks_to_the_gasp(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    out = _render(root, "2021-12-31", "guides", "md,html")
    for edition in ("usagers", "agents"):
        md = (out / f"guide/guide-{edition}.md").read_text(encoding="utf-8")
        expected = typeset(
            "Ce qui a changé grâce au Gasp :\n\n- Ouvrir la mairie le samedi matin (depuis le 3 mai 2021)\n"
        )
        assert expected in md, edition
        assert "Un numéro unique" not in md  # f names the service but is not done
        page = _plain((out / f"guide/guide-{edition}.html").read_text(encoding="utf-8"))
        assert "<li>Ouvrir la mairie le samedi matin (depuis le 3 mai 2021)</li>" in page


def test_the_guide_says_nothing_before_the_proposal_is_done(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    md = (_render(root, "2021-05-02", "guides") / "guide/guide-usagers.md").read_text(encoding="utf-8")
    assert "changé grâce au Gasp" not in md


def test_the_example_guides_say_what_the_police_changed():
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import guide
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(REPO), datetime.date(2002, 6, 30))
    for edition in guide.build(records, datetime.date(2002, 6, 30)):
        police = next(s for c in edition.categories for s in c.services if s.id == "police-de-proximite")
        assert [(c.proposal, c.since) for c in police.changes] == [
            ("horaires-police", "3 septembre 2001"),
            ("formulaire-plainte-simplifie", "5 novembre 2001"),
        ]
        assert all(not s.changes for c in edition.categories for s in c.services if s.id != "police-de-proximite")


def test_the_guide_pdf_says_what_changed(tmp_path: Path):
    root = committed(tmp_path, commitments="")
    out = _render(root, "2021-12-31", "guides", "pdf")
    for edition in ("usagers", "agents"):
        text = _pdf_text(out / f"guide/guide-{edition}.pdf")
        assert "Ce qui a changé grâce au Gasp : • Ouvrir la mairie le samedi matin (depuis le 3 mai 2021)" in text


# --- gasp init ----------------------------------------------------------------------------------


def test_init_shows_the_commitments_to_uncomment(tmp_path: Path):
    result = gasp("init", str(tmp_path), "--name", "Gasp de test", "--commune", "Escautpont")
    assert result.exit_code == 0, result.output
    gasp_yaml = tmp_path / "records/gasp.yaml"
    text = gasp_yaml.read_text(encoding="utf-8")
    assert "# commitments:\n#   decision_within_days: 90" in text
    gasp_yaml.write_text(text.replace("# commitments:", "commitments:").replace("#   ", "  "), encoding="utf-8")
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, diagnostics = check_workspace(Workspace(tmp_path), datetime.date.today())
    assert [d for d in diagnostics if d.severity == "error"] == []
    assert records.gasp is not None and records.gasp.commitments is not None
    assert (records.gasp.commitments.decision_within_days, records.gasp.commitments.minutes_within_days) == (90, 15)
