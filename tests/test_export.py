"""`gasp export`: the research dataset (DESIGN.md, « The research dataset: gasp export »)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, gasp, write
from test_indicators import hand_workspace

EXAMPLE_ENV = {"GASP_TODAY": "2002-06-30"}
FILES = [
    "actions.csv",
    "datapackage.json",
    "events.csv",
    "indicators.csv",
    "meetings.csv",
    "observations.csv",
    "problems.csv",
    "proposals.csv",
    "themes.csv",
]


def export(workspace: Path, *args: str, env: dict | None = None) -> Path:
    result = gasp("export", *args, workspace=workspace, env=env)
    assert result.exit_code == 0, result.output
    return workspace / "out/donnees"


def rows(folder: Path, name: str) -> list[dict]:
    with open(folder / name, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def assert_valid_package(folder: Path) -> None:
    # Test extras, imported where used and not at collection, where every worker of make test
    # would pay for them: frictionless, the reference validator of Data Packages; pandas, which
    # reads each CSV with the declared types.
    import frictionless

    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "records", tmp_path / "records")
    return tmp_path


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    root = hand_workspace(tmp_path)
    write(
        root,
        "records/services/bailleur.yaml",
        "name: Agence du bailleur\ninstitution: Office HLM\ncategory: Logement\n"
        "public: {phone: 03 27 00 00 00}\n"
        "agents: {direct_phone: 03 27 99 98 97, notes: Code de la porte 4521 ZQX}\n",
    )
    write(
        root,
        "records/observations/silences.yaml",
        "date: 2021-03-11\nmeeting: 2021-03-11-usagers\nthemes: [logement, transport]\n"
        "text: |-\n  Les habitants parlent plus quand l'élu n'est pas là.\n  Deuxième ligne.\n",
    )
    write(
        root,
        "records/meetings/2021/2021-02-09-agents.yaml",
        (root / "records/meetings/2021/2021-02-09-agents.yaml").read_text(encoding="utf-8")
        + "actions:\n  - {what: Écrire au bailleur, who: bailleur, due: 2021-03-01, done: 2021-02-20}\n"
        "  - {what: Relancer la mairie, who: agent-a, done: true}\n",
    )
    return root


# --- the package --------------------------------------------------------------------------------


def test_the_example_exports_a_valid_data_package(example: Path):
    folder = export(example, env=EXAMPLE_ENV)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == FILES
    assert_valid_package(folder)


def test_a_generated_workspace_exports_a_valid_data_package(tmp_path: Path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate(tmp_path, years=3, proposals_per_year=12)
    folder = export(tmp_path, env={"GASP_TODAY": "1983-06-30"})
    assert_valid_package(folder)
    assert len(rows(folder, "proposals.csv")) == 36


def test_the_hand_workspace_exports_a_valid_data_package(hand: Path):
    assert_valid_package(export(hand))


def test_frictionless_does_catch_a_broken_table(hand: Path):
    """The validation above can fail: an event of an unknown proposal breaks the foreign key."""
    folder = export(hand)
    events = (folder / "events.csv").read_bytes()
    assert b"\r\np1," in events
    (folder / "events.csv").write_bytes(events.replace(b"\r\np1,", b"\r\ninconnue,", 1))
    import frictionless

    assert not frictionless.validate(folder / "datapackage.json").valid


def test_every_resource_and_field_is_described_in_french(example: Path):
    package = json.loads((export(example, env=EXAMPLE_ENV) / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == [
        "meetings.csv",
        "proposals.csv",
        "events.csv",
        "problems.csv",
        "actions.csv",
        "themes.csv",
        "observations.csv",
        "indicators.csv",
    ]
    for resource in package["resources"]:
        assert resource["title"] and resource["description"] and resource["encoding"] == "utf-8"
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["description"] and field["type"] and field["format"] == "default"
    fields = {f["name"]: f for f in package["resources"][1]["schema"]["fields"]}
    assert fields["days_to_decision"]["unit"] == "jours"
    assert fields["days_to_decision"]["rule"] == "decided_on − raised_on."
    assert fields["cost"]["unit"] == "euros"
    indicators = package["resources"][-1]["indicators"]
    assert set(indicators) == {
        "decided_share",
        "done_share",
        "median_days",
        "theme_taken_up",
        "attendance",
        "agents_members",
        "agents_arrivals",
        "agents_departures",
        "agents_turnover",
    }
    assert all(d["title"] and d["unit"] and d["description"] for d in indicators.values())


def test_the_columns_of_the_contract(example: Path):
    folder = export(example, env=EXAMPLE_ENV)
    header = {
        name: next(csv.reader((folder / name).read_text(encoding="utf-8").splitlines()))
        for name in FILES
        if name.endswith(".csv")
    }
    assert header["events.csv"] == ["case_id", "activity", "timestamp", "group", "meeting", "note", "document"]
    assert header["proposals.csv"][:11] == [
        "id",
        "title",
        "theme",
        "raised_by",
        "raised_on",
        "status",
        "outcome",
        "decided_on",
        "days_to_decision",
        "done_on",
        "cost",
    ]
    assert header["problems.csv"] == ["meeting", "group", "date", "theme", "note"]
    assert header["meetings.csv"][:4] == ["id", "group", "date", "status"]
    assert "attendees_resident" in header["meetings.csv"] and "minutes_sent" in header["meetings.csv"]
    assert header["indicators.csv"] == [
        "year",
        "indicator",
        "group",
        "subject",
        "origin_group",
        "value",
        "unit",
        "n",
        "counted_to",
    ]


# --- rows ---------------------------------------------------------------------------------------


def test_row_counts_of_the_example(example: Path):
    folder = export(example, env=EXAMPLE_ENV)
    meetings = list((example / "records/meetings").rglob("*.yaml"))
    assert len(rows(folder, "meetings.csv")) == len(meetings) == 36
    assert len(rows(folder, "proposals.csv")) == 7
    assert len(rows(folder, "themes.csv")) == 7
    assert len(rows(folder, "observations.csv")) == len(list((example / "records/observations").glob("*.yaml"))) == 3
    trace = gasp("trace", "proposal", "--format", "json", workspace=example, env=EXAMPLE_ENV)
    total = 0
    for row in json.loads(trace.stdout):
        one = gasp("trace", "proposal", row["id"], "--format", "json", workspace=example, env=EXAMPLE_ENV)
        total += len(json.loads(one.stdout)["events"])
    assert len(rows(folder, "events.csv")) == total


def test_a_sample_of_rows_of_the_example(example: Path):
    folder = export(example, env=EXAMPLE_ENV)
    guide = next(r for r in rows(folder, "proposals.csv") if r["id"] == "guide-des-services-publics")
    assert (
        guide["raised_by"],
        guide["raised_on"],
        guide["status"],
        guide["outcome"],
        guide["decided_on"],
        guide["days_to_decision"],
        guide["done_on"],
        guide["cost"],
    ) == ("agents", "2000-10-10", "done", "validated", "2000-12-15", "66", "2001-10-01", "6000")
    first = rows(folder, "events.csv")[0]
    assert first == {
        "case_id": "guide-des-services-publics",
        "activity": "raised",
        "timestamp": "2000-10-10",
        "group": "agents",
        "meeting": "2000-10-10-agents",
        "note": "Un guide en deux éditions, agents et usagers.",
        "document": "comptes-rendus/2000-10-10-agents.html",
    }
    milestone = next(
        r
        for r in rows(folder, "events.csv")
        if r["activity"] == "done" and r["case_id"] == "guide-des-services-publics"
    )
    assert (milestone["timestamp"], milestone["meeting"], milestone["document"]) == ("2001-10-01", "", "")


def test_the_hand_workspace_row_by_row(hand: Path):
    folder = export(hand)
    meetings = {r["id"]: r for r in rows(folder, "meetings.csv")}
    assert list(meetings) == ["2021-01-12-agents", "2021-02-09-agents", "2021-03-11-usagers", "2021-06-15-referents"]
    usagers = meetings["2021-03-11-usagers"]
    assert (
        usagers["attendees"],
        usagers["attendees_resident"],
        usagers["attendees_facilitator"],
        usagers["attendees_agent"],
        usagers["problems"],
    ) == ("2", "1", "1", "0", "1")
    assert meetings["2021-01-12-agents"]["attendees_agent"] == "2"
    events = [(r["case_id"], r["activity"], r["timestamp"], r["group"]) for r in rows(folder, "events.csv")]
    assert events == [
        ("p1", "raised", "2021-01-12", "agents"),
        ("p3", "raised", "2021-02-09", "agents"),
        ("p1", "discussed", "2021-03-11", "usagers"),
        ("p2", "raised", "2021-03-11", "usagers"),
        ("p1", "validated", "2021-06-15", "referents"),
        ("p2", "deferred", "2021-06-15", "referents"),
        ("p1", "done", "2021-09-01", ""),
    ]
    proposals = {r["id"]: r for r in rows(folder, "proposals.csv")}
    assert (proposals["p1"]["days_to_decision"], proposals["p1"]["done_on"], proposals["p1"]["cost"]) == (
        "154",
        "2021-09-01",
        "1500",
    )
    assert (proposals["p3"]["status"], proposals["p3"]["outcome"], proposals["p3"]["decided_on"]) == ("raised", "", "")
    themes = {r["id"]: r for r in rows(folder, "themes.csv")}
    assert (
        themes["logement"]["first_raised_by"],
        themes["logement"]["first_raised_on"],
        themes["logement"]["groups"],
        themes["logement"]["proposals"],
        themes["logement"]["problems"],
    ) == ("agents", "2021-01-12", "2", "2", "2")
    actions = rows(folder, "actions.csv")
    assert [(a["what"], a["who"], a["who_kind"], a["done"], a["done_on"]) for a in actions] == [
        ("Écrire au bailleur", "Agence du bailleur", "service", "true", "2021-02-20"),
        ("Relancer la mairie", "Personne agent-a", "agent", "true", ""),
        ("Appeler le bailleur", "", "resident", "false", ""),  # a resident who did not consent: not named
    ]
    observations = rows(folder, "observations.csv")
    assert observations == [
        {
            "id": "silences",
            "date": "2021-03-11",
            "meeting": "2021-03-11-usagers",
            "themes": "logement;transport",
            "text": "Les habitants parlent plus quand l'élu n'est pas là.\nDeuxième ligne.",
        }
    ]
    indicators = rows(folder, "indicators.csv")
    assert {
        "year": "2021",
        "indicator": "theme_taken_up",
        "group": "usagers",
        "subject": "logement",
        "origin_group": "agents",
        "value": "58",
        "unit": "jours",
        "n": "",
        "counted_to": "2021-12-31",  # the archive stops on 31 December 2021
    } in indicators
    assert {
        "year": "2021",
        "indicator": "decided_share",
        "group": "",
        "subject": "",
        "origin_group": "",
        "value": "66.7",
        "unit": "%",
        "n": "3",
        "counted_to": "2021-12-31",  # the archive stops on 31 December 2021
    } in indicators


PANDAS_TYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


def test_pandas_reads_every_csv_with_the_declared_types(hand: Path):
    import pandas

    folder = export(hand)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        dates = [f["name"] for f in fields if f["type"] == "date"]
        types = {f["name"]: PANDAS_TYPES[f["type"]] for f in fields if f["type"] != "date"}
        frame = pandas.read_csv(
            folder / resource["path"],
            dtype=types,
            parse_dates=dates,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
        )
        assert list(frame.columns) == [f["name"] for f in fields]
        assert len(frame) > 0, resource["path"]
        for field in fields:
            dtype = str(frame[field["name"]].dtype)
            if field["type"] == "date":
                assert dtype.startswith("datetime64"), (resource["path"], field["name"], dtype)
            else:
                assert dtype == PANDAS_TYPES[field["type"]].replace("string", "string"), (field["name"], dtype)


def test_the_three_lines_of_the_researchers_page_load_the_event_log(example: Path):
    folder = export(example, env=EXAMPLE_ENV)
    page = (REPO / "docs/chercheurs.md").read_text(encoding="utf-8")
    code = page.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) == 3
    namespace: dict = {}
    exec(code.replace("out/donnees/events.csv", str(folder / "events.csv")), namespace)
    log = namespace["log"]
    assert len(log) == len(rows(folder, "events.csv"))
    assert str(log["timestamp"].dtype).startswith("datetime64")


# --- privacy ------------------------------------------------------------------------------------


def _every_text(folder: Path) -> dict[str, str]:
    """Each file of the folder as text; a zip (the .qdpx) member by member."""
    found = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    found[f"{path.name}/{name}"] = archive.read(name).decode("utf-8")
        else:
            found[path.name] = path.read_text(encoding="utf-8")
    return found


def test_a_resident_without_consent_and_agents_only_values_never_appear(hand: Path):
    """Every format, each with all it can hold (the .qdpx with the observations too)."""
    folder = export(hand)
    export(hand, "--format", "ocel")
    export(hand, "--format", "qdpx", "--include-observations")
    texts = _every_text(folder)
    assert {"events.csv", "gasp.jsonocel", "gasp.qdpx/project.qde"} <= set(texts)
    assert sum(name.startswith("gasp.qdpx/sources/") for name in texts) > 3
    # The person is there, counted: the markers below would be found if she were named.
    assert any("1 habitant" in text for name, text in texts.items() if name.startswith("gasp.qdpx/sources/"))
    for name, text in texts.items():
        assert "Secretnom" not in text and "habitant-1" not in text, name
        assert "03 27 99 98 97" not in text and "4521 ZQX" not in text, name


# --- the folder ---------------------------------------------------------------------------------


def test_same_records_same_bytes_and_nothing_rewritten(hand: Path):
    folder = export(hand)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = gasp("export", workspace=hand)
    assert result.exit_code == 0 and "à jour" in result.stdout
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    shutil.rmtree(folder)
    assert {p.name: p.read_bytes() for p in export(hand).iterdir()} == before


def test_records_after_the_command_and_another_folder(hand: Path, tmp_path: Path):
    target = tmp_path / "ailleurs"
    result = gasp("export", "--records", str(hand), "--out", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "datapackage.json").is_file() and not (hand / "out").exists()


def test_a_folder_that_is_not_gasp_s_is_refused_and_left_alone(hand: Path):
    mine = write(hand, "out/donnees/mes-notes.csv", "à garder\n")
    result = gasp("export", workspace=hand)
    assert result.exit_code == 1
    assert "rien n’a été écrit" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in mine.parent.iterdir()) == ["mes-notes.csv"]


def test_a_user_file_beside_gasp_s_is_kept_and_a_user_file_in_the_way_is_not_replaced(hand: Path):
    folder = export(hand)
    mine = write(hand, "out/donnees/analyse.ipynb", "{}\n")
    write(hand, "records/themes/transport.yaml", "title: Transports en commun\n")
    assert export(hand) == folder
    assert mine.read_text(encoding="utf-8") == "{}\n"
    assert "Transports en commun" in (folder / "themes.csv").read_text(encoding="utf-8")
    manifest = json.loads((folder / ".gasp-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == FILES
    # A render of out/ leaves the export alone, and the other way round.
    assert gasp("render", "--format", "md", "--only", "guides", workspace=hand).exit_code == 0
    assert (folder / "events.csv").is_file()
    assert "donnees" not in json.dumps(json.loads((hand / "out/.gasp-manifest.json").read_text(encoding="utf-8")))


def test_never_into_records(hand: Path):
    result = gasp("export", "--out", str(hand / "records/donnees"), workspace=hand)
    assert result.exit_code == 1
    assert not (hand / "records/donnees").exists()


def test_invalid_records_export_nothing(hand: Path):
    write(hand, "records/themes/casse.yaml", "titre: faute\n")
    result = gasp("export", workspace=hand)
    assert result.exit_code == 1
    assert not (hand / "out").exists()


def test_help_is_french():
    result = gasp("export", "--help")
    assert result.exit_code == 0
    assert "données de recherche" in result.stdout and "--out" in result.stdout


def test_csv_is_rfc_4180_utf8_with_iso_dates(hand: Path):
    raw = (export(hand) / "observations.csv").read_bytes()
    assert raw.startswith(b"id,date,meeting,themes,text\r\n")
    text = raw.decode("utf-8")
    assert next(csv.reader(io.StringIO(text.split("\r\n", 1)[1])))[1] == "2021-03-11"


def test_the_researchers_page_describes_every_file_field_and_indicator():
    from gasp_cli.documents.donnees import RESOURCES
    from gasp_cli.indicators import DEFINITIONS

    page = (REPO / "docs/chercheurs.md").read_text(encoding="utf-8")
    for resource in RESOURCES:
        section = page.split(f"### `{resource.path}`", 1)[1].split("\n### ", 1)[0]
        for column in resource.columns:
            assert f"| `{column.name}` |" in section, (resource.path, column.name)
    for name, definition in DEFINITIONS.items():
        assert f"| `{name}` — {definition.title} | {definition.unit} | {definition.description} |" in page


def test_not_into_render_s_own_out_folder(hand: Path):
    assert gasp("render", "--format", "md", "--only", "guides", workspace=hand).exit_code == 0
    before = sorted(p.name for p in (hand / "out").iterdir())
    result = gasp("export", "--out", str(hand / "out"), workspace=hand)
    assert result.exit_code == 1 and "sous-dossier" in result.stderr
    assert sorted(p.name for p in (hand / "out").iterdir()) == before
