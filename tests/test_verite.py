"""Issue 21, one truth: the cases the issue found, as named tests (gasp_cli/facts.py).

- a proposal put « à l'étude » on day 99 of a 120-day commitment is answered, not late: not in
  validate's warnings, not in the dossier's late section, counted by the report within the
  commitment — while a proposal nobody answered is late everywhere;
- the indicators of 2001 in the embedded example: `gasp report` and `indicators.csv` give the
  same values (20 % realised, 143 and 265 days), counted to 31 December 2001;
- one name per figure in the report;
- « Ce qu'en ont dit les autres groupes » carries the référents' decisions on the proposals the
  meeting discussed.

The random workspaces of tests/test_cross_outputs.py check the same facts everywhere at once.
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, typeset, write

# --- the day-99 « study » of a 120-day commitment -----------------------------------------------
#
#   etudiee   raised by the agents on 5 January 2021 (day 0), put under study by the référents on
#             14 April 2021 (day 99 of 120): answered, still to decide
#   oubliee   raised the same evening, never answered
#   retiree   raised the same evening, withdrawn by the agents on 2 February 2021: nothing to answer
# Today: 30 September 2021, 268 days after the raising.

RAISED = datetime.date(2021, 1, 5)
STUDIED = RAISED + datetime.timedelta(days=99)  # 14 April 2021
TODAY = datetime.date(2021, 9, 30)


def _meeting(root: Path, day: datetime.date, group: str, body: str) -> None:
    iso = day.isoformat()
    write(root, f"records/meetings/{iso[:4]}/{iso}-{group}.yaml", f"group: {group}\ndate: {iso}\nstatus: held\n{body}")


@pytest.fixture
def studied(tmp_path: Path) -> Path:
    root = minimal_workspace(tmp_path)
    gasp_yaml = root / "records/gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  decision_within_days: 120\n", encoding="utf-8"
    )
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 1", since="2021-01-01")
    add_group(
        root,
        "referents",
        "referents",
        "frequency: semiannual\nweekday: wednesday\nweek: 2\nmonths: [4, 10]",
        since="2021-01-01",
    )
    write(root, "records/themes/accueil.yaml", "title: Accueil\n")
    for pid, title in (
        ("etudiee", "Un écrivain public"),
        ("oubliee", "Un banc devant la mairie"),
        ("retiree", "Un parking"),
    ):
        write(root, f"records/proposals/{pid}.yaml", f"title: {title}\ntheme: accueil\n")
    _meeting(
        root,
        RAISED,
        "agents",
        "proposals:\n"
        + "".join(f"  - {{proposal: {pid}, event: raised}}\n" for pid in ("etudiee", "oubliee", "retiree")),
    )
    _meeting(root, datetime.date(2021, 2, 2), "agents", "proposals:\n  - {proposal: retiree, event: withdrawn}\n")
    _meeting(root, STUDIED, "referents", "decisions:\n  - {proposal: etudiee, outcome: study}\n")
    return root


ENV = {"GASP_TODAY": TODAY.isoformat()}


def test_a_study_on_day_99_is_an_answer_not_a_delay(studied: Path):
    from gasp_cli import facts
    from gasp_cli.checks import check_workspace
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(studied), TODAY)
    run = facts.of(records)
    etudiee, oubliee, retiree = (run.answer(pid, TODAY) for pid in ("etudiee", "oubliee", "retiree"))
    assert (etudiee.answered, etudiee.to_decide, etudiee.late, etudiee.within_commitment) == (True, True, False, True)
    assert etudiee.answered_on == STUDIED and (STUDIED - RAISED).days == 99
    assert (oubliee.answered, oubliee.to_decide, oubliee.late_by) == (False, True, (TODAY - RAISED).days - 120)
    assert (retiree.answered, retiree.to_decide, retiree.late) == (False, False, False)


def test_validate_warns_only_the_proposal_nobody_answered(studied: Path):
    result = gasp("validate", "--format", "json", workspace=studied, env=ENV)
    late = [d for d in json.loads(result.stdout) if d["code"] == "late-decision"]
    assert [d["file"] for d in late] == ["records/proposals/oubliee.yaml"]
    assert "148 jours de retard sur l’engagement de réponse en 120 jours" in late[0]["message"]  # 268 - 120


def test_the_dossier_lists_the_study_to_decide_never_late(studied: Path):
    result = gasp("render", "--only", "dossier", "--format", "md", workspace=studied, env=ENV)
    assert result.exit_code == 0, result.output
    upcoming = sorted((studied / "out/referents").glob("dossier-2021-1*.md"))
    assert upcoming, sorted(p.name for p in (studied / "out/referents").iterdir())
    text = upcoming[-1].read_text(encoding="utf-8")
    late = text[text.index("## En retard sur l’engagement") : text.index("## Accueil")]
    assert "### Un banc devant la mairie" in late and "Un écrivain public" not in late
    assert "### Un écrivain public" in text[text.index("## Accueil") :]  # to decide, under its theme
    assert text.count("En retard de") == 1 and "Un parking" not in text
    table = text[text.index("## Décisions attendues") :]
    assert "| Un écrivain public |" in table and "| Un banc devant la mairie (en retard) |" in table


def test_the_report_counts_the_study_within_the_commitment(studied: Path):
    report = json.loads(gasp("report", "--year", "2021", "--format", "json", workspace=studied, env=ENV).stdout)
    assert report["decided_within_commitment"] == 1
    assert report["proposals"]["decided"]["study"] == 1
    assert report["proposals"]["awaiting_decision"] == 2  # etudiee (answered, still to decide) and oubliee


def test_the_proposal_page_and_the_trace_say_the_same(studied: Path):
    trace = json.loads(gasp("trace", "proposal", "--format", "json", workspace=studied, env=ENV).stdout)
    row = next(r for r in trace if r["id"] == "etudiee")
    assert (row["status"], row["outcome"], row["days_to_first_decision"]) == ("study", "study", 99)
    out = studied / "export"
    assert gasp("export", "--out", str(out), workspace=studied, env=ENV).exit_code == 0
    with (out / "proposals.csv").open(encoding="utf-8", newline="") as stream:
        exported = {r["id"]: r for r in csv.DictReader(stream)}
    assert exported["etudiee"]["first_decided_on"] == STUDIED.isoformat()
    assert exported["etudiee"]["days_to_first_decision"] == "99"


# --- the indicators of 2001 in the embedded example ---------------------------------------------


def _indicator_csv(root: Path, out: Path, env: dict[str, str] | None = None) -> list[dict[str, str]]:
    assert gasp("export", "--out", str(out), workspace=root, env=env).exit_code == 0
    with (out / "indicators.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _same(report_rows: list[dict], csv_rows: list[dict[str, str]]) -> None:
    """The report's rows and the CSV's rows of a year, value by value."""
    assert len(report_rows) == len(csv_rows)
    for mine, theirs in zip(report_rows, csv_rows, strict=True):
        for key in ("indicator", "group", "subject", "origin_group", "unit", "counted_to"):
            assert (mine[key] or "") == theirs[key], (key, mine, theirs)
        assert float(mine["value"]) == float(theirs["value"]), (mine, theirs)
        assert ("" if mine["n"] is None else str(mine["n"])) == theirs["n"]


def test_the_2001_indicators_are_the_same_in_the_report_and_the_export(tmp_path: Path):
    rows = _indicator_csv(REPO, tmp_path / "donnees")
    report = json.loads(gasp("report", "--year", "2001", "--format", "json", workspace=REPO).stdout)
    _same(report["indicators"], [r for r in rows if r["year"] == "2001"])
    found = {(r["indicator"], r["group"], r["subject"]): r for r in rows if r["year"] == "2001"}
    assert found[("done_share", "", "")]["value"] == "20"
    assert found[("median_days", "", "decided-done")]["value"] == "143"
    assert found[("median_days", "", "raised-done")]["value"] == "265"
    assert {r["counted_to"] for r in rows if r["year"] == "2001"} == {"2001-12-31"}
    # The archive stops on 30 June 2002 (as_of): its last year is counted to that day.
    assert {r["counted_to"] for r in rows if r["year"] == "2002"} == {"2002-06-30"}
    text = " ".join(gasp("report", "--year", "2001", workspace=REPO, env={"COLUMNS": "200"}).stdout.split())
    assert "Indicateurs (comptés au 31 décembre 2001, comme dans gasp export)" in text
    assert "Tous les groupes : 5 soulevées, 100 % décidées, 20 % réalisées" in text


@pytest.mark.parametrize("year", [2000, 2001, 2002])
def test_every_year_of_the_example_agrees_with_the_export_whenever_each_is_made(tmp_path: Path, year: int):
    """An export made later than the report (another GASP_TODAY) counts each year to the same day."""
    later = {"GASP_TODAY": "2001-09-30"}  # before as_of: the archive is judged on this day
    rows = _indicator_csv(REPO, tmp_path / "donnees", later)
    report = json.loads(gasp("report", "--year", str(year), "--format", "json", workspace=REPO, env=later).stdout)
    _same(report["indicators"], [r for r in rows if r["year"] == str(year)])
    if year == 2001:
        assert {r["counted_to"] for r in report["indicators"]} == {"2001-09-30"}


def test_the_data_package_declares_counted_to_in_french(tmp_path: Path):
    out = tmp_path / "donnees"
    _indicator_csv(REPO, out)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    indicators = next(r for r in package["resources"] if r["name"] == "indicators")
    field = next(f for f in indicators["schema"]["fields"] if f["name"] == "counted_to")
    assert field["type"] == "date" and field["title"] == "Compté au"
    assert "31 décembre" in field["rule"]


def test_each_delay_of_the_report_says_which_it_is():
    md = gasp("report", "--year", "2001", "--format", "md", workspace=REPO).stdout
    assert "Délai médian entre proposition et décision" not in md
    assert (
        typeset("- Délai médian de la proposition à chaque décision prise dans l’année (première ou suivante) : ") in md
    )
    assert typeset("de la proposition à sa première décision : 170 jours") in md


# --- what the other groups said: the référents' decisions on the proposals discussed -----------


@pytest.fixture
def answered(tmp_path: Path) -> Path:
    """The usagers raise « banc » (theme voirie) on 11 March 2021; the référents validate it on 16 June
    and defer « horaires » (theme accueil, raised by the agents) the same day; the usagers meet again on
    9 September, choose the theme accueil and discuss « banc »: both decisions are the answer they
    wait for. A decision of 1 March, before the usagers last met, is not news on 9 September."""
    root = minimal_workspace(tmp_path)
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 1", since="2021-01-01")
    add_group(root, "usagers", "usagers", "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]")
    add_group(
        root, "referents", "referents", "frequency: quarterly\nweekday: wednesday\nweek: 3\nmonths: [3, 6, 9, 12]"
    )
    for theme in ("voirie", "accueil"):
        write(root, f"records/themes/{theme}.yaml", f"title: Thème {theme}\n")
    write(root, "records/proposals/banc.yaml", "title: Un banc devant la poste\ntheme: voirie\n")
    write(root, "records/proposals/horaires.yaml", "title: Ouvrir le samedi\ntheme: accueil\n")
    write(root, "records/proposals/ancienne.yaml", "title: Une boîte à idées\ntheme: voirie\n")
    _meeting(
        root,
        datetime.date(2021, 1, 5),
        "agents",
        "proposals:\n  - {proposal: horaires, event: raised}\n  - {proposal: ancienne, event: raised}\n",
    )
    _meeting(root, datetime.date(2021, 3, 1), "referents", "decisions:\n  - {proposal: ancienne, outcome: rejected}\n")
    _meeting(root, datetime.date(2021, 3, 11), "usagers", "proposals:\n  - {proposal: banc, event: raised}\n")
    _meeting(
        root,
        datetime.date(2021, 6, 16),
        "referents",
        "decisions:\n  - {proposal: banc, outcome: validated, note: Posé avant l’hiver.}\n"
        "  - {proposal: horaires, outcome: deferred}\n",
    )
    _meeting(
        root,
        datetime.date(2021, 9, 9),
        "usagers",
        "topic: accueil\nproposals:\n  - {proposal: banc, event: discussed}\n"
        "  - {proposal: ancienne, event: discussed}\n",
    )
    return root


@pytest.mark.parametrize("public", [False, True])
def test_the_other_groups_view_has_the_decisions_on_the_proposals_discussed(answered: Path, public: bool):
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import compte_rendu
    from gasp_cli.workspace import Workspace

    records, diagnostics = check_workspace(Workspace(answered), datetime.date(2021, 12, 31))
    assert [d for d in diagnostics if d.severity == "error"] == []
    doc = compte_rendu.build(records, "2021-09-09-usagers", public=public)
    assert doc.since == "11 mars 2021"
    said = {(other.group, other.date): [(i.title, i.what, i.note) for i in other.items] for other in doc.others}
    # « banc » (voirie) is not a theme of the evening, but it was discussed: its validation is there;
    # « horaires » is on the evening's theme (accueil); the rejection of 1 March is older news.
    assert said == {
        ("Groupe referents", "16 juin 2021"): [
            ("Un banc devant la poste", "validée", "Posé avant l’hiver."),
            ("Ouvrir le samedi", "ajournée", ""),
        ]
    }


def test_the_compte_rendu_shows_them(answered: Path):
    result = gasp("render", "2021-09-09-usagers", "--only", "comptes-rendus", "--format", "md", workspace=answered)
    assert result.exit_code == 0, result.output
    text = (answered / "out/comptes-rendus/2021-09-09-usagers.md").read_text(encoding="utf-8")
    others = text[text.index("## Ce qu’en ont dit les autres groupes") :]
    assert "Un banc devant la poste" in others and "validée" in others and "Une boîte à idées" not in others


def test_the_proposals_to_decide_on_a_day_are_those_whose_status_says_so() -> None:
    """`Facts.to_decide_on` (the dossiers' table, made once per run) gives, every day of the embedded
    example and of a generated workspace, exactly the proposals `to_decide` names, oldest raised first."""
    import sys
    import tempfile

    from gasp_cli import facts
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate  # benchmarks/ is not a package

    with tempfile.TemporaryDirectory() as folder:
        generated = Path(folder)
        generate(generated, years=3)
        for root in (REPO, generated):
            records = load_workspace(Workspace(root)).records
            run = facts.of(records)
            first = min(m.date for m in records.meetings.values()) - datetime.timedelta(days=3)
            last = max(m.date for m in records.meetings.values()) + datetime.timedelta(days=3)
            order = sorted((h.raised.date, pid) for pid, h in run.histories.items() if h.raised is not None)
            day = first
            while day <= last:
                expected = [pid for _, pid in order if facts.to_decide(run.histories[pid], day)]
                assert run.to_decide_on(day) == expected, day
                day += datetime.timedelta(days=1)


def test_a_years_indicators_are_the_same_alone_or_with_every_year() -> None:
    """`indicators.of_run` computes every year's rows at once and takes a report's year from them: the
    same rows as that year computed alone, for every year (and the years around) of the example and of
    a generated workspace, judged in the middle of its history and long after."""
    import sys
    import tempfile

    from gasp_cli import facts
    from gasp_cli.indicators import indicators
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate  # benchmarks/ is not a package

    with tempfile.TemporaryDirectory() as folder:
        generated = Path(folder)
        generate(generated, years=4)
        first = min(p.name for p in (generated / "records" / "meetings").iterdir())
        for root, day in (
            (REPO, datetime.date(2002, 6, 30)),
            (generated, datetime.date(int(first) + 2, 6, 30)),
            (generated, datetime.date(int(first) + 30, 1, 1)),
        ):
            records = load_workspace(Workspace(root)).records
            derived = facts.of(records).histories
            every = indicators(records, day, derived)
            years = sorted({row.year for row in every})
            assert years
            for year in range(years[0] - 1, years[-1] + 2):
                assert indicators(records, day, derived, year) == [row for row in every if row.year == year], year
