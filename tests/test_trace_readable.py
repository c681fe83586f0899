"""`gasp trace proposal` as the sociologist reads it: ids in full at any width, French filters,
the compte rendu of each event, the days to the first and to the last decision."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO, gasp

IDS = [
    "guide-des-services-publics",
    "horaires-police",
    "reamenagement-des-locaux",
    "formulaire-plainte-simplifie",
    "formation-agents-de-mediation",
    "regie-de-quartier",
    "mediateur-administratif",
]


def listed(*args: str, columns: int = 80) -> str:
    result = gasp("trace", "proposal", *args, workspace=REPO, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_every_id_shows_in_full_and_titles_wrap(columns: int):
    text = listed(columns=columns)
    assert all(line_width(line) <= columns for line in text.splitlines())
    for pid in IDS:
        assert pid in text
    assert "…" not in text
    if columns == 80:  # the longest title is on two lines or more, and every word of it is there
        assert "Former des agents de médiation pour les conflits de voisinage" not in text
        assert all(
            word in text
            for word in ["Former", "des", "agents", "de", "médiation", "pour", "les", "conflits", "de", "voisinage"]
        )


def line_width(line: str) -> int:
    return len(line.rstrip())


def test_a_very_narrow_terminal_still_prints_every_id_in_full():
    text = listed(columns=20)
    for pid in IDS:
        assert pid in text.splitlines()
    one = listed("mediateur-administratif", columns=20)
    assert "mediateur-administratif" in one.splitlines()
    assert "2001-12-21-referents" in one.splitlines()
    assert "comptes-rendus/2001-12-21-referents.html" in one.splitlines()


def test_one_proposal_at_80_columns_keeps_meeting_ids_whole():
    text = listed("mediateur-administratif", columns=80)
    for meeting in ("2001-09-13-usagers", "2001-12-21-referents", "2002-06-21-referents"):
        assert meeting in text
    assert all(line_width(line) <= 80 for line in text.splitlines())


@pytest.mark.parametrize(
    "args", [[], ["regie-de-quartier"], ["--format", "json"], ["regie-de-quartier", "--format", "md"]]
)
def test_a_reader_that_stops_early_is_a_success(args: list[str]):
    """`gasp trace proposal | head`: the reader closed the pipe before gasp wrote anything."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gasp_cli", "--records", str(REPO), "trace", "proposal", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    process.stdout.close()  # like `head` that has read its lines and gone
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors.decode()
    assert b"Traceback" not in errors


@pytest.mark.parametrize("word", ["etude", "étude", "mise à l'étude", "mise à l’étude", "Mise à l'Étude", "study"])
def test_the_status_filter_takes_the_french_shown(word: str):
    rows = json.loads(listed("--status", word, "--format", "json"))
    assert [r["id"] for r in rows] == ["regie-de-quartier", "mediateur-administratif"]


def test_other_french_statuses_groups_and_themes():
    ids = lambda *args: [r["id"] for r in json.loads(listed(*args, "--format", "json"))]  # noqa: E731
    assert ids("--status", "en cours") == ["formation-agents-de-mediation"]
    assert ids("--status", "réalisées") == IDS[:4]
    assert ids("--status", "validée") == []
    assert ids("--group", "usagers") == ["regie-de-quartier", "mediateur-administratif"]
    assert ids("--group", "Groupe des usagers") == ["regie-de-quartier", "mediateur-administratif"]
    assert ids("--theme", "Logement") == ["regie-de-quartier"]
    assert ids("--theme", "démarches administratives") == ["mediateur-administratif"]


def test_an_unknown_word_is_still_refused_with_the_french_choices():
    result = gasp("trace", "proposal", "--status", "envolée", workspace=REPO)
    assert result.exit_code == 2
    assert "« mise à l’étude »" in result.stderr and "study" in result.stderr


def test_events_carry_their_compte_rendu():
    trace = json.loads(listed("regie-de-quartier", "--format", "json"))
    assert trace["events"][0]["document"] == "comptes-rendus/2001-06-14-usagers.html"
    formation = json.loads(listed("formation-agents-de-mediation", "--format", "json"))
    milestones = [e for e in formation["events"] if e["meeting"] is None]
    assert milestones and all(e["document"] is None for e in milestones)
    md = listed("regie-de-quartier", "--format", "md")
    assert "[2001-06-14-usagers](comptes-rendus/2001-06-14-usagers.html)" in md
    assert "comptes-rendus/2001-06-14-usagers.html" in listed("regie-de-quartier", columns=20)
    assert "comptes-rendus/<réunion>.html" in listed("regie-de-quartier", columns=160)


def test_days_to_the_first_and_to_the_last_decision():
    rows = {r["id"]: r for r in json.loads(listed("--format", "json"))}
    regie = rows["regie-de-quartier"]
    assert (regie["days_to_first_decision"], regie["days_to_decision"]) == (190, 372)
    assert rows["guide-des-services-publics"]["days_to_first_decision"] == 66
    assert "190 / 372" in listed(columns=80) and "190 / 372" in listed(columns=200)
    assert "190 / 372" in listed("--format", "md")


def test_a_study_says_since_when_and_of_what():
    text = listed("regie-de-quartier", columns=160)
    assert "mise à l’étude depuis le 21 juin 2002 (9 jours), en attente du résultat de l’étude" in text


def test_the_status_filter_says_it_keeps_the_current_status():
    result = gasp("trace", "proposal", "--status", "validée", workspace=REPO, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "--status retient le statut actuel ; 5 autres propositions ont été « validée » puis ont avancé" in (
        result.stderr
    )
    assert "guide-des-services-publics" in result.stderr.splitlines()[-1]
    # A status proposals still hold: nothing to add.
    assert "statut actuel" not in gasp("trace", "proposal", "--status", "réalisée", workspace=REPO).stderr


def test_a_french_word_for_a_group_gets_its_group_suggested():
    for args in (("trace", "proposal", "--group", "habitants"), ("calendar", "--group", "habitants")):
        result = gasp(*args, workspace=REPO)
        assert result.exit_code == 1
        assert "groupe « habitants » inconnu ; vouliez-vous dire « usagers » ?" in result.stderr, result.stderr


def test_at_80_columns_no_word_of_a_title_is_cut(tmp_path):
    import shutil

    shutil.copytree(REPO / "records", tmp_path / "records")
    path = tmp_path / "records/proposals/guide-des-services-publics.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("en deux éditions", "de l'intercommunalité"),
        encoding="utf-8",
    )
    result = gasp("trace", "proposal", workspace=tmp_path, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    words = {word for line in result.stdout.splitlines() for word in line.replace("│", " ").split()}
    assert "l'intercommunalité" in words, result.stdout
    assert all(line_width(line) <= 80 for line in result.stdout.splitlines())
