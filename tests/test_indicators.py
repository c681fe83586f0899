"""The indicators (gasp_cli/indicators.py) on a small workspace whose every figure is computed by hand."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from conftest import add_group, gasp, minimal_workspace, typeset, write
from gasp_cli.indicators import DEFINITIONS, Indicator, indicators
from gasp_cli.loader import load_workspace
from gasp_cli.workspace import Workspace

AGENTS_GROUP = """name: Groupe des agents
kind: agents
cadence:
  frequency: monthly
  weekday: tuesday
  week: 2
  time: "14:00"
  duration: 90
  place: salle
members:
  - {person: secretaire, since: 2020-01-01}
  - {person: agent-a, since: 2020-01-01}
  - {person: agent-b, since: 2020-06-01, until: 2021-05-31}
  - {person: agent-c, since: 2021-04-01}
"""


def hand_workspace(root: Path) -> Path:
    """2021: the agents raise p1 (logement, 12 Jan) and p3 (logement, 9 Feb); the usagers speak of
    logement on 11 Mar (58 days later), discuss p1 and raise p2 (transport); the référents validate p1
    and defer p2 on 15 Jun; p1 is done on 1 Sep."""
    minimal_workspace(root, as_of="2021-12-31")
    for person, kind in (("agent-a", "agent"), ("agent-b", "agent"), ("agent-c", "agent"), ("elu", "elected")):
        write(root, f"records/people/{person}.yaml", f"name: Personne {person}\nkind: {kind}\n")
    write(root, "records/people/habitant-1.yaml", "name: Marie Secretnom\nkind: resident\npublish_name: false\n")
    write(root, "records/groups/agents.yaml", AGENTS_GROUP)
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since="2020-01-01",
    )
    add_group(
        root,
        "referents",
        "referents",
        "frequency: semiannual\nweekday: tuesday\nweek: 3\nmonths: [6, 12]",
        since="2020-01-01",
    )
    for theme in ("logement", "transport"):
        write(root, f"records/themes/{theme}.yaml", f"title: Thème {theme}\n")
    write(
        root,
        "records/proposals/p1.yaml",
        "title: Proposition un\ntheme: logement\ncost: 1500\nmilestones:\n  - {date: 2021-09-01, status: done}\n",
    )
    write(root, "records/proposals/p2.yaml", "title: Proposition deux\ntheme: transport\n")
    write(root, "records/proposals/p3.yaml", "title: Proposition trois\ntheme: logement\n")
    write(
        root,
        "records/meetings/2021/2021-01-12-agents.yaml",
        "group: agents\ndate: 2021-01-12\nstatus: held\nattendees: [secretaire, agent-a, agent-b]\n"
        "problems_raised:\n  - {theme: logement, note: Des logements humides.}\n"
        "proposals:\n  - {proposal: p1, event: raised}\n",
    )
    write(
        root,
        "records/meetings/2021/2021-02-09-agents.yaml",
        "group: agents\ndate: 2021-02-09\nstatus: held\nattendees: [secretaire, agent-a]\n"
        "proposals:\n  - {proposal: p3, event: raised}\n",
    )
    write(
        root,
        "records/meetings/2021/2021-03-11-usagers.yaml",
        "group: usagers\ndate: 2021-03-11\nstatus: held\nattendees: [secretaire, habitant-1]\n"
        "problems_raised:\n  - {theme: logement, note: Les loyers montent.}\n"
        "proposals:\n  - {proposal: p1, event: discussed}\n  - {proposal: p2, event: raised}\n"
        "actions:\n  - {what: Appeler le bailleur, who: habitant-1, due: 2021-04-01}\n",
    )
    write(
        root,
        "records/meetings/2021/2021-06-15-referents.yaml",
        "group: referents\ndate: 2021-06-15\nstatus: held\nattendees: [secretaire, elu]\n"
        "decisions:\n  - {proposal: p1, outcome: validated}\n  - {proposal: p2, outcome: deferred}\n",
    )
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return hand_workspace(tmp_path)


def computed(root: Path, day: datetime.date) -> list[Indicator]:
    loaded = load_workspace(Workspace(root))
    assert not [d for d in loaded.diagnostics if d.severity == "error"], loaded.diagnostics
    return indicators(loaded.records, day)


def table(rows: list[Indicator]) -> dict[tuple, tuple]:
    return {(r.year, r.indicator, r.group, r.subject): (r.value, r.n) for r in rows}


def test_the_hand_workspace_is_valid(workspace: Path):
    result = gasp("validate", "--format", "json", workspace=workspace)
    assert result.exit_code == 0, result.output


def test_shares_decided_and_done_by_raising_year_and_group(workspace: Path):
    found = table(computed(workspace, datetime.date(2021, 12, 31)))
    # All groups: p1 and p2 decided, p3 not; only p1 done.
    assert found[(2021, "decided_share", None, None)] == (66.7, 3)
    assert found[(2021, "done_share", None, None)] == (33.3, 3)
    assert found[(2021, "decided_share", "agents", None)] == (50.0, 2)
    assert found[(2021, "done_share", "agents", None)] == (50.0, 2)
    assert found[(2021, "decided_share", "usagers", None)] == (100.0, 1)
    assert found[(2021, "done_share", "usagers", None)] == (0.0, 1)
    assert (2021, "decided_share", "referents", None) not in found  # the référents raise nothing


def test_median_days_per_stage(workspace: Path):
    found = table(computed(workspace, datetime.date(2021, 12, 31)))
    assert found[(2021, "median_days", None, "raised-discussed")] == (58, 1)  # 12 Jan → 11 Mar
    assert found[(2021, "median_days", None, "discussed-decided")] == (96, 1)  # 11 Mar → 15 Jun
    assert found[(2021, "median_days", None, "decided-done")] == (78, 1)  # 15 Jun → 1 Sep
    assert found[(2021, "median_days", None, "raised-decided")] == (125, 2)  # median of 154 and 96
    assert found[(2021, "median_days", None, "raised-done")] == (232, 1)
    assert found[(2021, "median_days", "usagers", "raised-decided")] == (96, 1)


def test_only_what_happened_by_the_day_counts(workspace: Path):
    found = table(computed(workspace, datetime.date(2021, 7, 1)))
    assert found[(2021, "done_share", None, None)] == (0.0, 3)  # p1 is done on 1 September
    assert (2021, "median_days", None, "decided-done") not in found
    early = table(computed(workspace, datetime.date(2021, 2, 1)))
    assert early[(2021, "decided_share", None, None)] == (0.0, 1)  # only p1 raised yet
    assert (2021, "theme_taken_up", "usagers", "logement") not in early


def test_a_theme_taken_up_by_another_group_with_the_delay(workspace: Path):
    rows = [r for r in computed(workspace, datetime.date(2021, 12, 31)) if r.indicator == "theme_taken_up"]
    assert [(r.year, r.subject, r.origin_group, r.group, r.value, r.unit) for r in rows] == [
        (2021, "logement", "agents", "usagers", 58, "jours"),
    ]  # transport: raised by the usagers and taken up by nobody (a decision is not a mention)


def test_attendance_by_person_kind(workspace: Path):
    found = table(computed(workspace, datetime.date(2021, 12, 31)))
    assert found[(2021, "attendance", "agents", "agent")] == (1.5, 2)  # 2 then 1 agent
    assert found[(2021, "attendance", "agents", "facilitator")] == (1.0, 2)
    assert found[(2021, "attendance", "agents", "resident")] == (0.0, 2)
    assert found[(2021, "attendance", "usagers", "resident")] == (1.0, 1)
    assert found[(2021, "attendance", "referents", "elected")] == (1.0, 1)


def test_agents_turnover(workspace: Path):
    found = table(computed(workspace, datetime.date(2021, 12, 31)))
    # 2020: nobody before 1 January (agent-a arrives that day), agent-a and agent-b arrive.
    assert found[(2020, "agents_members", "agents", None)] == (0, None)
    assert found[(2020, "agents_arrivals", "agents", None)] == (2, None)
    assert (2020, "agents_turnover", "agents", None) not in found
    # 2021: 2 agents on 1 January, agent-c arrives, agent-b leaves: (1 + 1) / 2 / 2 = 50 %.
    assert found[(2021, "agents_members", "agents", None)] == (2, None)
    assert found[(2021, "agents_arrivals", "agents", None)] == (1, None)
    assert found[(2021, "agents_departures", "agents", None)] == (1, None)
    assert found[(2021, "agents_turnover", "agents", None)] == (50.0, 2)
    # The secretary sits in the agents group but is not an agent.
    assert found[(2021, "attendance", "agents", "agent")][0] != found[(2021, "attendance", "agents", "facilitator")][0]


def test_every_indicator_is_defined_with_its_unit(workspace: Path):
    rows = computed(workspace, datetime.date(2021, 12, 31))
    assert {r.indicator for r in rows} == set(DEFINITIONS)
    for row in rows:
        assert row.unit == DEFINITIONS[row.indicator].unit


def test_the_order_is_stable(workspace: Path):
    rows = computed(workspace, datetime.date(2021, 12, 31))
    assert rows == computed(workspace, datetime.date(2021, 12, 31))
    assert [r.year for r in rows] == sorted(r.year for r in rows)


def test_the_report_shows_the_same_figures(workspace: Path):
    result = gasp("report", "--year", "2021", "--format", "md", workspace=workspace)
    assert result.exit_code == 0, result.output
    section = result.stdout.split("## Indicateurs", 1)[1].split("\n## ", 1)[0]
    assert typeset("| Tous les groupes | 3 | 66,7 % | 33,3 % |") in section
    assert typeset("| Groupe des agents | 2 | 50 % | 50 % |") in section
    assert typeset("de la proposition à sa première décision : 125 jours (2 propositions)") in section
    assert typeset("Thème logement : Groupe des agents → Groupe usagers, 58 jours plus tard") in section
    assert typeset("2 agents au 1er janvier, 1 arrivée, 1 départ, taux de rotation 50 %") in section
    assert "Marie" not in result.stdout
    for fmt in ("text", "html"):
        other = gasp("report", "--year", "2021", "--format", fmt, workspace=workspace)
        assert other.exit_code == 0, other.output
        words = " ".join(other.stdout.split())  # the terminal wraps long lines
        assert "66,7 %" in words and "58 jours plus tard" in words


def test_one_year_is_the_same_rows_as_that_year_of_all(workspace: Path):
    loaded = load_workspace(Workspace(workspace))
    day = datetime.date(2021, 12, 31)
    every = indicators(loaded.records, day)
    for year in (2020, 2021):
        assert indicators(loaded.records, day, year=year) == [r for r in every if r.year == year]
