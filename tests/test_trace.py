"""`gasp trace proposal`: every proposal of the example, and a test workspace with each fate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace, write


@pytest.fixture
def fates(tmp_path: Path) -> Path:
    """Four proposals: studied then validated, rejected then replaced, withdrawn, still waiting."""
    root = minimal_workspace(tmp_path, as_of="2004-06-30")
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2", since="2004-01-01")
    add_group(root, "usagers", "usagers", "frequency: quarterly\nweekday: thursday\nweek: 2", since="2004-01-01")
    add_group(
        root,
        "referents",
        "referents",
        "frequency: quarterly\nweekday: friday\nweek: 3\nmonths: [3, 6]",
        since="2004-01-01",
    )
    write(root, "records/themes/logement.yaml", "title: Logement\n")
    for pid, title, extra in [
        ("jardins", "Des jardins partagés", ""),
        ("navette", "Une navette vers la mairie", ""),
        ("navette-scolaire", "Une navette aux heures d'école", "replaces: navette\n"),
        ("fete", "Une fête des voisins", ""),
        ("banc", "Un banc devant la poste", ""),
    ]:
        write(root, f"records/proposals/{pid}.yaml", f"title: {title}\ntheme: logement\n{extra}")
    write(
        root,
        "records/proposals/jardins.yaml",
        "title: Des jardins partagés\ntheme: logement\ncost: 3000\nmilestones:\n"
        "  - {date: 2004-06-20, status: in-progress, note: Première parcelle}\n",
    )
    meetings = {
        "2004-01-08-usagers": "group: usagers\ndate: 2004-01-08\nstatus: held\nproposals:\n"
        "  - {proposal: jardins, event: raised, note: Proposés par des habitantes}\n"
        "  - {proposal: fete, event: raised}\n",
        "2004-01-13-agents": "group: agents\ndate: 2004-01-13\nstatus: held\nproposals:\n"
        "  - {proposal: navette, event: raised}\n  - {proposal: banc, event: raised}\n",
        "2004-02-10-agents": "group: agents\ndate: 2004-02-10\nstatus: held\nproposals:\n"
        '  - {proposal: jardins, event: discussed, note: "Terrain | à trouver <vite>"}\n',
        "2004-03-19-referents": "group: referents\ndate: 2004-03-19\nstatus: held\ndecisions:\n"
        "  - {proposal: jardins, outcome: study, note: Chercher un terrain}\n"
        "  - {proposal: navette, outcome: rejected, note: Trop chère}\n",
        "2004-04-08-usagers": "group: usagers\ndate: 2004-04-08\nstatus: held\nproposals:\n"
        "  - {proposal: fete, event: withdrawn, note: Faite par l'amicale}\n"
        "  - {proposal: navette-scolaire, event: raised}\n",
        "2004-06-18-referents": "group: referents\ndate: 2004-06-18\nstatus: held\ndecisions:\n"
        "  - {proposal: jardins, outcome: validated}\n",
    }
    for mid, body in meetings.items():
        write(root, f"records/meetings/2004/{mid}.yaml", body)
    for month, day in (("03", "09"), ("04", "13"), ("05", "11"), ("06", "08")):
        write(
            root,
            f"records/meetings/2004/2004-{month}-{day}-agents.yaml",
            f"group: agents\ndate: 2004-{month}-{day}\nstatus: held\n",
        )
    assert gasp("validate", "--strict", workspace=root).exit_code == 0, gasp("validate", workspace=root).stderr
    return root


def trace_json(root: Path, *args: str):
    result = gasp("trace", "proposal", *args, "--format", "json", workspace=root)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_list_has_the_contract_keys_and_is_sorted_by_raising(fates: Path):
    rows = trace_json(fates)
    assert [r["id"] for r in rows] == ["fete", "jardins", "banc", "navette", "navette-scolaire"]
    jardins = rows[1]
    assert jardins == {
        "id": "jardins",
        "title": "Des jardins partagés",
        "theme": "logement",
        "raised_by": "usagers",
        "raised_on": "2004-01-08",
        "status": "in-progress",
        "outcome": "validated",
        "decided_on": "2004-06-18",
        "days_to_decision": 162,
        "days_to_first_decision": 71,
    }
    banc = rows[2]
    assert (banc["status"], banc["outcome"], banc["decided_on"], banc["days_to_decision"]) == (
        "raised",
        None,
        None,
        None,
    )


def test_filters(fates: Path):
    assert [r["id"] for r in trace_json(fates, "--status", "rejected")] == ["navette"]
    assert [r["id"] for r in trace_json(fates, "--group", "usagers")] == ["fete", "jardins", "navette-scolaire"]
    assert len(trace_json(fates, "--theme", "logement")) == 5
    bad = gasp("trace", "proposal", "--status", "valided", workspace=fates)
    assert bad.exit_code == 2 and "vouliez-vous dire « validated » ?" in bad.stderr


def test_one_proposal_studied_then_validated(fates: Path):
    trace = trace_json(fates, "jardins")
    assert list(trace) == ["id", "title", "theme", "status", "replaces", "replaced_by", "events", "observations"]
    assert trace["status"] == "in-progress"
    assert trace["events"] == [
        {
            "date": "2004-01-08",
            "kind": "raised",
            "meeting": "2004-01-08-usagers",
            "group": "usagers",
            "note": "Proposés par des habitantes",
            "document": "comptes-rendus/2004-01-08-usagers.html",
        },
        {
            "date": "2004-02-10",
            "kind": "discussed",
            "meeting": "2004-02-10-agents",
            "group": "agents",
            "note": "Terrain | à trouver <vite>",
            "document": "comptes-rendus/2004-02-10-agents.html",
        },
        {
            "date": "2004-03-19",
            "kind": "study",
            "meeting": "2004-03-19-referents",
            "group": "referents",
            "note": "Chercher un terrain",
            "document": "comptes-rendus/2004-03-19-referents.html",
        },
        {
            "date": "2004-06-18",
            "kind": "validated",
            "meeting": "2004-06-18-referents",
            "group": "referents",
            "note": None,
            "document": "comptes-rendus/2004-06-18-referents.html",
        },
        {
            "date": "2004-06-20",
            "kind": "in-progress",
            "meeting": None,
            "group": None,
            "note": "Première parcelle",
            "document": None,
        },
    ]


def test_rejected_then_replaced(fates: Path):
    old, new = trace_json(fates, "navette"), trace_json(fates, "navette-scolaire")
    assert (old["status"], old["replaced_by"], old["replaces"]) == ("rejected", "navette-scolaire", None)
    assert (new["status"], new["replaces"], new["replaced_by"]) == ("raised", "navette", None)
    text = gasp("trace", "proposal", "navette", workspace=fates, env={"COLUMNS": "200"}).stdout
    assert "Remplacée par : navette-scolaire" in text
    assert "refusée le 19 mars 2004, 66 jours après avoir été soulevée ; remplacée par « navette-scolaire »" in text


def test_withdrawn_and_waiting(fates: Path):
    assert trace_json(fates, "fete")["status"] == "withdrawn"
    text = gasp("trace", "proposal", "banc", workspace=fates, env={"COLUMNS": "200"}).stdout
    # as_of 2004-06-30: 169 days after 13 January.
    assert (
        "Où elle en est : en attente d’une décision des référents depuis qu’elle a été soulevée"
        " le 13 janvier 2004 (169 jours)." in text
    )


def test_the_timeline_shows_the_time_between_steps(fates: Path):
    text = gasp("trace", "proposal", "jardins", workspace=fates, env={"COLUMNS": "200"}).stdout
    assert "+33 j" in text and "+91 j" in text
    assert "en cours de mise en œuvre depuis le 20 juin 2004 (10 jours)" in text


def test_a_unique_prefix_is_enough_and_an_unknown_id_is_exit_1(fates: Path):
    assert trace_json(fates, "jard")["id"] == "jardins"
    ambiguous = gasp("trace", "proposal", "navette-", workspace=fates)
    assert ambiguous.exit_code == 0  # "navette-" is the prefix of navette-scolaire only
    several = gasp("trace", "proposal", "nav", workspace=fates)
    assert several.exit_code == 1 and "plusieurs propositions : navette, navette-scolaire" in several.stderr
    unknown = gasp("trace", "proposal", "jardin-partage", workspace=fates)
    assert unknown.exit_code == 1
    assert "proposition « jardin-partage » inconnue ; vouliez-vous dire « jardins » ?" in unknown.stderr


def test_markdown_escapes_record_text(fates: Path):
    md = gasp("trace", "proposal", "jardins", "--format", "md", workspace=fates).stdout
    assert md.startswith("# Des jardins partagés\n")
    assert "Terrain \\| à trouver \\<vite\\>" in md and "<vite>" not in md
    listing = gasp("trace", "proposal", "--format", "md", workspace=fates).stdout
    assert listing.count("\n| ") == 6


# The part of Mermaid's flowchart grammar that gasp writes (see documents/trace.py).
LABEL = r'"[^"<>|&]*(?:<br/>[^"<>|&]*)*"'
NODE = r"[A-Za-z][A-Za-z0-9_]*"
MERMAID_LINE = re.compile(
    "|".join(
        [
            r"flowchart LR",
            rf"  {NODE}\[{LABEL}\]",
            rf"  {NODE}\{{\{{{LABEL}\}}\}}",
            rf"  {NODE}\(\[{LABEL}\]\)",
            rf"  {NODE} -->\|{LABEL}\| {NODE}",
            rf"  {NODE} -\.-> {NODE}",
            r"  classDef [a-z]+ [a-z:#0-9,]+",
            rf"  class {NODE} [a-z]+",
        ]
    )
)


def check_mermaid(text: str) -> None:
    lines = text.splitlines()
    defined: set[str] = set()
    for line in lines:
        assert MERMAID_LINE.fullmatch(line), line
        node = re.match(rf"  ({NODE})[\[{{(]", line)
        if node:
            assert node[1] not in defined, f"node defined twice: {line}"
            defined.add(node[1])
    for line in lines:
        edge = re.fullmatch(rf"  ({NODE}) (?:-->\|{LABEL}\||-\.->) ({NODE})", line)
        if edge:
            assert {edge[1], edge[2]} <= defined, line


def test_mermaid_follows_the_grammar(fates: Path):
    for pid in ("jardins", "navette", "navette-scolaire", "fete", "banc"):
        result = gasp("trace", "proposal", pid, "--format", "mermaid", workspace=fates)
        assert result.exit_code == 0
        check_mermaid(result.stdout)
    jardins = gasp("trace", "proposal", "jardins", "--format", "mermaid", workspace=fates).stdout
    assert '{{"Groupe referents<br/>19 mars 2004<br/>mise à l’étude"}}' in jardins
    assert 'e0 -->|"33 j"| e1' in jardins
    assert "Terrain" not in jardins  # notes stay out of the diagram
    navette = gasp("trace", "proposal", "navette", "--format", "mermaid", workspace=fates).stdout
    assert "-.-> replaced_by" in navette


def test_mermaid_escapes_quotes_and_markup(tmp_path: Path):
    from gasp_cli.documents.trace import mermaid_text

    assert mermaid_text('Un "banc" <b>#1</b> & | x') == "Un #quot;banc#quot; #lt;b#gt;#35;1#lt;/b#gt; #amp; #124; x"


def test_mermaid_needs_an_id():
    assert gasp("trace", "proposal", "--format", "mermaid", workspace=REPO).exit_code == 2


def test_every_proposal_of_the_example_traces():
    rows = trace_json(REPO)
    assert len(rows) == 7
    for row in rows:
        trace = trace_json(REPO, row["id"])
        assert trace["events"][0]["kind"] == "raised"
        assert trace["status"] == row["status"] == trace["events"][-1]["kind"]
        dates = [e["date"] for e in trace["events"]]
        assert dates == sorted(dates)
        check_mermaid(gasp("trace", "proposal", row["id"], "--format", "mermaid", workspace=REPO).stdout)
    guide = next(r for r in rows if r["id"] == "guide-des-services-publics")
    assert (guide["raised_by"], guide["raised_on"], guide["outcome"], guide["days_to_decision"]) == (
        "agents",
        "2000-10-10",
        "validated",
        66,
    )


def test_two_replacements_of_one_proposal_are_warned(fates: Path):
    write(
        fates, "records/proposals/navette-bis.yaml", "title: Encore une navette\ntheme: logement\nreplaces: navette\n"
    )
    result = gasp("validate", "--format", "json", workspace=fates)
    assert "déjà remplacée par « navette-scolaire »" in result.stdout
