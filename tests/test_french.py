"""French as a reader expects it: agreement of plurals, whole days, no empty « dont 0 »,
no range « (14 à 14) », no sentence capital inside a parenthesis."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, typeset, write
from gasp_cli.vocabulary import days, fold, plural, round_days, since, words_match

ENV = {"GASP_TODAY": "2005-12-20", "COLUMNS": "200"}


def test_plural_puts_zero_and_one_in_the_singular():
    assert plural(0, "jour") == "0 jour"
    assert plural(1, "jour") == "1 jour"
    assert plural(2, "jour") == "2 jours"
    assert plural(1, "action ouverte") == "1 action ouverte"
    assert plural(3, "action ouverte") == "3 actions ouvertes"
    assert plural(2, "institution ou service représenté") == "2 institutions ou services représentés"
    assert plural(2, "travail", "travaux") == "2 travaux"
    assert plural(4, "bureau") == "4 bureaux" and plural(2, "local") == "2 locaux"


def test_days_are_whole():
    assert round_days(326.5) == 327 and days(326.5) == "327 jours" and days(1) == "1 jour"
    assert since(datetime.date(2001, 5, 3), datetime.date(2002, 2, 17)) == "depuis le 3 mai 2001 (290 jours)"


def test_typed_words_ignore_case_accents_and_apostrophes():
    assert fold("Mise à l’Étude") == "mise a l'etude"
    assert words_match("etude", "mise à l'étude") and words_match("validées", "validée")
    assert not words_match("mise", "mise à l'étude")


@pytest.fixture(scope="module")
def small_year(tmp_path_factory) -> Path:
    """One agent, two agents meetings of two people, two decisions at 326 and 327 days, one open action."""
    root = minimal_workspace(tmp_path_factory.mktemp("francais"))
    write(
        root,
        "records/services/poste.yaml",
        "name: Bureau de poste\ninstitution: La Poste\ncategory: Courrier\npublic: {}\n",
    )
    write(root, "records/people/agent-a.yaml", "name: Agent A\nkind: agent\nservice: poste\n")
    write(
        root,
        "records/groups/agents.yaml",
        """name: Groupe des agents
kind: agents
cadence: {frequency: monthly, weekday: tuesday, week: 2, time: "14:00", duration: 120, place: salle}
members:
  - {person: secretaire, since: 2005-01-01}
  - {person: agent-a, since: 2005-01-01}
""",
    )
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: monday\nweek: 2\nmonths: [1, 4, 7, 10]",
        since="2005-01-01",
    )
    add_group(
        root,
        "referents",
        "referents",
        "frequency: semiannual\nweekday: saturday\nweek: 1\nmonths: [6, 12]",
        since="2005-01-01",
    )
    write(root, "records/themes/logement.yaml", "title: Logement\n")
    write(root, "records/proposals/p1.yaml", "title: Un relais logement\ntheme: logement\n")
    write(root, "records/proposals/p2.yaml", "title: Une permanence\ntheme: logement\n")
    meetings = {
        "2005-01-10-usagers": "attendees: [secretaire]\nproposals:\n  - {proposal: p2, event: raised}\n",
        "2005-01-11-agents": "attendees: [secretaire, agent-a]\nproposals:\n  - {proposal: p1, event: raised}\n",
        "2005-02-08-agents": "attendees: [secretaire, agent-a]\n"
        "actions:\n  - {what: Compter les demandes, who: agent-a, due: 2006-01-31}\n",
        # 11 January → 3 December: 326 days; 10 January → 3 December: 327 days.
        "2005-12-03-referents": "attendees: [secretaire]\ndecisions:\n  - {proposal: p1, outcome: study}\n"
        "  - {proposal: p2, outcome: validated}\n",
    }
    for mid, body in meetings.items():
        group = mid.split("-", 3)[3]
        write(root, f"records/meetings/2005/{mid}.yaml", f"group: {group}\ndate: {mid[:10]}\nstatus: held\n{body}")
    assert gasp("validate", workspace=root, env=ENV).exit_code == 0
    return root


@pytest.fixture(scope="module")
def pages(small_year: Path) -> dict[str, str]:
    found = {}
    for output_format in ("text", "md", "html"):
        result = gasp("report", "--year", "2005", "--format", output_format, workspace=small_year, env=ENV)
        assert result.exit_code == 0, result.output
        found[output_format] = result.stdout.replace("\u00a0", " ").replace("\u202f", " ")
    return found


@pytest.mark.parametrize("output_format", ["text", "md", "html"])
def test_the_report_agrees_its_plurals(pages: dict[str, str], output_format: str):
    page = pages[output_format]
    assert "1 institution ou service représenté" in page and "1 institutions" not in page
    assert "1 action ouverte" in page and "1 actions" not in page
    assert "dont 0" not in page


@pytest.mark.parametrize("output_format", ["text", "md", "html"])
def test_the_report_rounds_days_and_drops_an_empty_range(pages: dict[str, str], output_format: str):
    page = pages[output_format]
    assert "327 jours" in page and "326,5" not in page  # the median of 326 and 327 days
    assert "2 en moyenne" in page and "(2 à 2)" not in page


@pytest.mark.parametrize("output_format", ["text", "md", "html"])
def test_the_state_of_an_unfinished_year_is_not_a_capital_inside_a_parenthesis(
    pages: dict[str, str], output_format: str
):
    page = pages[output_format]
    assert "État au 20 décembre 2005" in page and "(État" not in page


def test_a_proposal_under_study_says_since_when_and_of_what(small_year: Path):
    text = gasp("trace", "proposal", "p1", workspace=small_year, env=ENV).stdout
    assert "mise à l’étude depuis le 3 décembre 2005 (17 jours), en attente du résultat de l’étude" in text
    assert "en attente depuis" not in text


def test_the_trace_says_one_day_not_one_days(tmp_path: Path):
    text = gasp(
        "trace", "proposal", "regie-de-quartier", workspace=REPO, env={"GASP_TODAY": "2002-06-22", "COLUMNS": "200"}
    ).stdout
    assert "(1 jour)" in text and "1 jours" not in text


def test_the_dossier_says_since_when_and_of_what(tmp_path: Path):
    import shutil

    shutil.copytree(REPO / "records", tmp_path / "records")
    result = gasp("render", "--only", "dossier", "--format", "md", workspace=tmp_path)
    assert result.exit_code == 0, result.output
    # The dossier of the next meeting (those of past meetings are written too).
    dossier = (tmp_path / "out/referents/dossier-2002-12-20.md").read_text(encoding="utf-8")
    assert (
        typeset("Statut : mise à l’étude depuis le 21 juin 2002 (9 jours), en attente du résultat de l’étude")
        in dossier
    )
    assert "en attente depuis" not in dossier
