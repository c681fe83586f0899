"""`gasp report`: a test workspace whose every figure was worked out by hand, and the example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, typeset, write


@pytest.fixture(scope="module")
def year_2005(tmp_path_factory) -> Path:
    root = minimal_workspace(tmp_path_factory.mktemp("annee"), as_of="2005-12-31")
    write(
        root,
        "records/services/poste.yaml",
        "name: Bureau de poste\ninstitution: La Poste\ncategory: Courrier\npublic: {}\n",
    )
    write(
        root, "records/services/accueil.yaml", "name: Accueil\ninstitution: Mairie\ncategory: Démarches\npublic: {}\n"
    )
    for pid, service in (("agent-a", "poste"), ("agent-b", "accueil"), ("agent-c", "poste")):
        write(root, f"records/people/{pid}.yaml", f"name: Agent {pid[-1].upper()}\nkind: agent\nservice: {service}\n")
    write(root, "records/people/habitant-x.yaml", "kind: resident\n")
    write(root, "records/people/elu.yaml", "name: L'élu\nkind: elected\n")
    write(
        root,
        "records/groups/agents.yaml",
        """name: Groupe des agents
kind: agents
cadence: {frequency: monthly, weekday: tuesday, week: 2, skip_months: [7, 8], time: "14:00", duration: 120, place: salle}
members:
  - {person: secretaire, since: 2005-01-01}
  - {person: agent-a, since: 2005-01-01, until: 2005-06-30}
  - {person: agent-b, since: 2005-01-01}
  - {person: agent-c, since: 2005-09-01}
""",
    )
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since="2005-01-01",
    )
    add_group(
        root,
        "referents",
        "referents",
        "frequency: semiannual\nweekday: friday\nweek: 3\nmonths: [6, 12]",
        since="2005-01-01",
    )
    write(root, "records/themes/logement.yaml", "title: Logement\n")
    write(root, "records/themes/transport.yaml", "title: Transport\n")
    write(
        root,
        "records/proposals/p1.yaml",
        "title: Un relais logement\ntheme: logement\ncost: 1000\nfunding:\n"
        "  - {source: commune, share: 60}\n  - {source: politique de la ville, share: 40}\n"
        "milestones:\n  - {date: 2005-10-01, status: done}\n",
    )
    write(
        root,
        "records/proposals/p2.yaml",
        "title: Une navette\ntheme: transport\ncost: 50000\nfunding:\n  - {source: commune, share: 100}\n",
    )
    write(root, "records/proposals/p3.yaml", "title: Une régie\ntheme: logement\n")
    write(root, "records/proposals/p4.yaml", "title: Un abri de bus\ntheme: transport\n")
    meetings = {
        "2005-01-11-agents": "status: held\nattendees: [secretaire, agent-a, agent-b]\n"
        "problems_raised:\n  - {theme: logement, note: Des loyers impayés}\ntopic: logement\n"
        "proposals:\n  - {proposal: p1, event: raised}\n"
        "actions:\n  - {what: Appeler le bailleur, who: agent-b, due: 2005-02-01}\n",
        "2005-02-08-agents": "status: held\nattendees: [secretaire, agent-b]\nproposals:\n  - {proposal: p4, event: raised}\n"
        "actions:\n  - {what: Écrire au transporteur, who: secretaire, due: 2005-03-01, done: true}\n",
        "2005-03-08-agents": "status: held\nattendees: [secretaire, agent-a, agent-b, elu]\n"
        "problems_raised:\n  - {theme: transport, note: Pas de bus le soir}\n"
        "actions:\n  - {what: Compter les voyageurs, who: accueil, due: 2006-01-31}\n",
        "2005-04-12-agents": "status: cancelled\n",
        "2005-03-10-usagers": "status: held\nattendees: [secretaire, habitant-x]\ntopic: transport\n"
        "proposals:\n  - {proposal: p2, event: raised}\n",
        "2005-06-09-usagers": "status: held\nattendees: [habitant-x]\nproposals:\n  - {proposal: p3, event: raised}\n",
        "2005-06-17-referents": "status: held\nattendees: [secretaire, elu]\ndecisions:\n"
        "  - {proposal: p1, outcome: validated}\n  - {proposal: p2, outcome: rejected}\n",
        "2005-12-16-referents": "status: held\nattendees: [secretaire, elu]\ndecisions:\n  - {proposal: p3, outcome: study}\n",
    }
    for mid, body in meetings.items():
        group = mid.split("-", 3)[3]
        write(root, f"records/meetings/2005/{mid}.yaml", f"group: {group}\ndate: {mid[:10]}\n{body}")
    result = gasp("validate", "--format", "json", workspace=root)
    assert result.exit_code == 0, result.stdout
    assert {d["code"] for d in json.loads(result.stdout)} <= {"missing-meeting", "overdue-action"}
    return root


def test_every_figure_worked_out_by_hand(year_2005: Path):
    result = gasp("report", "--year", "2005", "--format", "json", workspace=year_2005)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The calendar rows of 2006: 10 agents (no July, August), 4 usagers, 2 référents.
    next_year = report.pop("next_year")
    # The indicators of 2005: the rows of indicators.csv (test_verite.py compares them, value by value).
    indicators = report.pop("indicators")
    assert {(row["indicator"], row["group"], row["subject"]) for row in indicators} >= {
        ("decided_share", None, None),
        ("median_days", None, "raised-decided"),
    }
    assert {row["counted_to"] for row in indicators} == {"2005-12-31"}
    assert len(next_year) == 16 and next_year[0] == {
        "date": "2006-01-10",
        "time": "14:00",
        "group": "agents",
        "place": "salle",
        "origin": "planned",
        "status": "planned",
        "moved_from": None,
        "reason": None,
    }
    assert report == {
        "year": 2005,
        "groups": {
            # 10 months without July and August; Jan, Feb, Mar held with 3, 2 and 4 present; April cancelled.
            "agents": {
                "kind": "agents",
                "due": 10,
                "held": 3,
                "cancelled": 1,
                "attendance_mean": 3.0,
                "attendance_min": 2,
                "attendance_max": 4,
            },
            "usagers": {
                "kind": "usagers",
                "due": 4,
                "held": 2,
                "cancelled": 0,
                "attendance_mean": 1.5,
                "attendance_min": 1,
                "attendance_max": 2,
            },
            "referents": {
                "kind": "referents",
                "due": 2,
                "held": 2,
                "cancelled": 0,
                "attendance_mean": 2.0,
                "attendance_min": 2,
                "attendance_max": 2,
            },
        },
        "proposals": {
            "raised": 4,
            "decided": {"validated": 1, "rejected": 1, "deferred": 0, "study": 1},
            "awaiting_decision": 2,  # p3 under study, p4 never decided
            "implemented": 1,  # p1, done on 1 October
        },
        # p1: 11 Jan → 17 Jun = 157 days; p2: 10 Mar → 17 Jun = 99; p3: 9 Jun → 16 Dec = 190.
        "median_days_to_decision": 157,
        "open_actions": 2,  # « Appeler le bailleur » (overdue) and « Compter les voyageurs » (due in 2006)
        # p1 only was validated in 2005: 1 000 € split 60/40; p2 was rejected.
        "funding": {"commune": 600, "politique de la ville": 400},
        # The agents' services: agent A and C at the post office, agent B at the town hall.
        "institutions": ["accueil", "poste"],
        # The group began on 1 January with A and B; C came in September; A left in June.
        "arrivals": [
            {"person": "agent-a", "date": "2005-01-01"},
            {"person": "agent-b", "date": "2005-01-01"},
            {"person": "agent-c", "date": "2005-09-01"},
        ],
        "departures": [{"person": "agent-a", "date": "2005-06-30"}],
        "guest_institutions": [],
        "themes": {"agents": ["logement", "transport"], "usagers": ["logement", "transport"]},
        "shared_themes": {"logement": ["agents", "usagers"], "transport": ["agents", "usagers"]},
        "decided_within_commitment": None,  # no commitment in gasp.yaml
        "median_days_to_minutes": None,  # no minutes_sent recorded
    }


def test_the_text_report_tells_turnover_themes_and_actions(year_2005: Path):
    result = gasp("report", "--year", "2005", workspace=year_2005, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "2 institutions ou services représentés" in text
    assert "La Poste — Bureau de poste" in text and "Mairie — Accueil" in text
    assert "Agent C (La Poste — Bureau de poste), le 1er septembre 2005" in text
    assert "Départs :\n  • Agent A (La Poste — Bureau de poste), le 30 juin 2005" in text
    assert "Logement : Groupe des agents, Groupe usagers" in text
    assert "Transport : Groupe des agents, Groupe usagers" in text
    assert "2 actions ouvertes, dont 1 en retard" in text
    assert "commune : 600\u00a0€" in text and "Total : 1\u202f000\u00a0€" in text
    # One name per figure: to every decision of the year, not the indicators' « première décision ».
    assert (
        "Délai médian de la proposition à chaque décision prise dans l’année (première ou suivante) : 157 jours" in text
    )
    assert "Calendrier 2006" in text and "Groupe des agents : 10 janvier, 14 février" in text


def test_the_other_formats(year_2005: Path, tmp_path: Path):
    md = gasp("report", "--year", "2005", "--format", "md", workspace=year_2005)
    assert md.exit_code == 0
    assert md.stdout.startswith("# Rapport annuel 2005\n")
    assert "| Groupe des agents | 10 | 3 | 1 | 3 en moyenne (2 à 4) |" in md.stdout
    html = gasp("report", "--year", "2005", "--format", "html", workspace=year_2005)
    assert html.exit_code == 0 and '<html lang="fr">' in html.stdout
    assert html.stdout.count("<svg") == 2 and "<rect" in html.stdout
    target = tmp_path / "rapport-2005.pdf"
    pdf = gasp("report", "--year", "2005", "--format", "pdf", "--out", str(target), workspace=year_2005)
    assert pdf.exit_code == 0, pdf.output
    assert target.read_bytes().startswith(b"%PDF")


def test_a_year_with_no_meeting_is_an_honest_empty_report(year_2005: Path):
    result = gasp("report", "--year", "2003", "--format", "json", workspace=year_2005)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["groups"]["agents"] == {
        "kind": "agents",
        "due": 0,
        "held": 0,
        "cancelled": 0,
        "attendance_mean": None,
        "attendance_min": None,
        "attendance_max": None,
    }
    assert report["proposals"]["raised"] == 0 and report["median_days_to_decision"] is None
    assert report["funding"] == {}
    for output_format in ("text", "md", "html"):
        assert gasp("report", "--year", "2003", "--format", output_format, workspace=year_2005).exit_code == 0
    # 2003 is before the first meeting (2005) and the creation (2020): there was no Gasp yet.
    assert (
        "Le Gasp n’existait pas encore en 2003"
        in gasp("report", "--year", "2003", "--format", "md", workspace=year_2005).stdout
    )
    assert (
        "aucune décision cette année" in gasp("report", "--year", "2006", "--format", "md", workspace=year_2005).stdout
    )


def test_the_year_is_cut_at_today(year_2005: Path):
    """Due counts stop at `as_of` (here the end of 2005), so 2006 has nothing due yet."""
    report = json.loads(gasp("report", "--year", "2006", "--format", "json", workspace=year_2005).stdout)
    assert report["groups"]["agents"]["due"] == 0
    assert report["open_actions"] == 2


def test_the_example_report_for_2001():
    report = json.loads(gasp("report", "--year", "2001", "--format", "json", workspace=REPO).stdout)
    assert {g: (v["due"], v["held"]) for g, v in report["groups"].items()} == {
        "agents": (12, 12),
        "usagers": (4, 4),
        "referents": (2, 2),
        "intergroupes": (1, 1),
    }
    assert report["proposals"] == {
        "raised": 5,
        "decided": {"validated": 4, "rejected": 0, "deferred": 1, "study": 1},
        "awaiting_decision": 2,
        "implemented": 3,
    }
    assert report["median_days_to_decision"] == 180
    assert report["funding"] == {"politique de la ville": 40000}


def test_the_example_report_in_render():
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "records", root / "records")
        result = gasp("render", "--only", "rapport", workspace=root)
        assert result.exit_code == 0, result.output
        # Every year from the first recorded meeting to the current one (DESIGN.md).
        assert sorted(p.name for p in (root / "out/rapport").iterdir()) == [
            f"rapport-{year}.{extension}" for year in (2000, 2001, 2002) for extension in ("html", "md", "pdf")
        ]
        md = (root / "out/rapport/rapport-2002.md").read_text(encoding="utf-8")
        assert typeset("État au 30 juin 2002") in md


def test_bad_options(year_2005: Path):
    assert gasp("report", "--year", "deux", workspace=year_2005).exit_code == 2
    assert gasp("report", "--format", "docx", workspace=year_2005).exit_code == 2
    assert gasp("report", "--out", "x.txt", workspace=year_2005).exit_code == 2


def test_a_year_after_the_records_stop_lists_no_institution():
    """The example stops on 30 June 2002 (as_of): 2003 has nobody represented yet, in every format."""
    report = json.loads(gasp("report", "--year", "2003", "--format", "json", workspace=REPO).stdout)
    assert (report["institutions"], report["arrivals"], report["departures"]) == ([], [], [])
    text = gasp("report", "--year", "2003", workspace=REPO, env={"COLUMNS": "160"}).stdout
    assert "0 institution ou service représenté" in text and "Police nationale" not in text
    assert "Police nationale" in gasp("report", "--year", "2002", workspace=REPO, env={"COLUMNS": "160"}).stdout
