"""`gasp export --format ocel`: the object-centric event log, OCEL 2.0 JSON (DESIGN.md, « The research dataset »)."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
import zoneinfo
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO, gasp
from test_export import hand  # noqa: F401  (the fixture: a resident without consent, an agents-only block)

ENV = {"GASP_TODAY": "2002-06-30"}
SCHEMA = REPO / "tests/standards/ocel20/ocel20-schema-json.json"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def export_both(workspace: Path, env: dict | None = None) -> tuple[dict, list[dict]]:
    """The log and, for comparison, the Frictionless `events.csv` of the same records."""
    ocel = gasp("export", "--format", "ocel", "--out", str(workspace / "ocel"), workspace=workspace, env=env)
    assert ocel.exit_code == 0, ocel.output
    assert "gasp.jsonocel" in ocel.stdout
    table = gasp("export", "--out", str(workspace / "csv"), workspace=workspace, env=env)
    assert table.exit_code == 0, table.output
    with open(workspace / "csv/events.csv", encoding="utf-8", newline="") as stream:
        events = list(csv.DictReader(stream))
    return json.loads((workspace / "ocel/gasp.jsonocel").read_text(encoding="utf-8")), events


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    root = tmp_path_factory.mktemp("ocel")
    shutil.copytree(REPO / "records", root / "records")
    log, events = export_both(root, ENV)
    return root, log, events


def test_the_file_is_valid_against_the_ocel_2_0_json_schema(example):
    _, log, _ = example
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log)
    # The schema's `format: date-time` is only checked with an optional package: check it here.
    for when in [e["time"] for e in log["events"]] + [a["time"] for o in log["objects"] for a in o["attributes"]]:
        assert when.endswith("Z") and datetime.datetime.fromisoformat(when).tzinfo is not None, when


def test_the_schema_check_can_fail(example):
    _, log, _ = example
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(log))
    broken["events"][0]["attributes"].append({"name": "attendees", "value": 4})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(broken)


def test_pm4py_reads_as_many_events_and_objects_as_the_records(example):
    import pm4py  # test extra: the reference reader of OCEL 2.0 (never imported by gasp); imported here, not
    # at collection, where every worker of make test would pay its two seconds

    root, log, events = example
    read = pm4py.read_ocel2_json(str(root / "ocel/gasp.jsonocel"))
    records = root / "records"
    meetings = [p.read_text(encoding="utf-8") for p in (records / "meetings").rglob("*.yaml")]
    held = sum("status: held" in m for m in meetings)
    cancelled = sum("status: cancelled" in m for m in meetings)
    sent = sum("minutes_sent:" in m for m in meetings)
    assert len(read.events) == len(log["events"]) == len(events) + held + cancelled + sent
    counts = {kind: len(list((records / kind).glob("**/*.yaml"))) for kind in ("proposals", "meetings", "groups")}
    counts |= {kind: len(list((records / kind).glob("*.yaml"))) for kind in ("themes", "services")}
    assert len(log["objects"]) == sum(counts.values()) == 71
    assert {t: sum(o["type"] == t for o in log["objects"]) for t in ("proposal", "meeting", "group", "theme")} == {
        "proposal": counts["proposals"],
        "meeting": counts["meetings"],
        "group": counts["groups"],
        "theme": counts["themes"],
    }
    # pm4py keeps only the objects some event relates to: the meeting still planned, and the two
    # services that only ever came as guests named in words, take part in no event yet.
    without_event = {o["id"] for o in log["objects"]} - set(read.objects["ocel:oid"])
    assert without_event == {"meeting:2002-12-20-referents", "service:bailleurs", "service:transports-urbains"}
    assert len(read.objects) == len(log["objects"]) - 3


def test_a_flattening_on_proposal_gives_exactly_the_rows_of_events_csv(example):
    import pm4py

    root, log, events = example
    read = pm4py.read_ocel2_json(str(root / "ocel/gasp.jsonocel"))
    flat = pm4py.ocel_flattening(read, "proposal")
    flat = flat.sort_values(["case:concept:name", "time:timestamp", "ocel:eid"], kind="stable")
    got = [
        (
            row["case:concept:name"].removeprefix("proposal:"),
            row["concept:name"],
            row["time:timestamp"].tz_convert(PARIS).date().isoformat(),
            row["note"] if isinstance(row["note"], str) else "",
            row["document"] if isinstance(row["document"], str) else "",
        )
        for _, row in flat.iterrows()
    ]
    by_case = sorted(events, key=lambda e: e["case_id"])  # stable: each case keeps the history's order
    expected = [(e["case_id"], e["activity"], e["timestamp"], e["note"], e["document"]) for e in by_case]
    assert got == expected
    assert len(got) == 37
    # The columns a flattening leaves in the relations (the meeting, its group) agree too.
    proposal_events = [e for e in log["events"] if e["relationships"][0]["qualifier"] == "concerns"]
    related = sorted(
        (
            e["relationships"][0]["objectId"].removeprefix("proposal:"),
            e["time"],
            int(e["id"][1:]),
            next(
                (
                    r["objectId"].removeprefix("meeting:")
                    for r in e["relationships"]
                    if r["objectId"].startswith("meeting:")
                ),
                "",
            ),
            next(
                (
                    r["objectId"].removeprefix("group:")
                    for r in e["relationships"]
                    if r["objectId"].startswith("group:")
                ),
                "",
            ),
        )
        for e in proposal_events
    )
    assert [(case, meeting, group) for case, _, _, meeting, group in related] == [
        (e["case_id"], e["meeting"], e["group"]) for e in by_case
    ]


def test_people_are_never_objects_and_meetings_count_them(example):
    _, log, _ = example
    assert {o["type"] for o in log["objects"]} == {"proposal", "meeting", "group", "theme", "service"}
    text = json.dumps(log, ensure_ascii=False)
    assert "habitant-" not in text and "e-sion" not in text and "sylvain-dufresne" not in text
    meeting = next(o for o in log["objects"] if o["id"] == "meeting:2001-06-14-usagers")
    values = {a["name"]: a["value"] for a in meeting["attributes"]}
    assert values["attendees"] == "7" and values["attendees_resident"] == "5" and values["excused"] == "1"
    assert {"objectId": "group:usagers", "qualifier": "of-group"} in meeting["relationships"]
    assert {"objectId": "theme:logement", "qualifier": "topic"} in meeting["relationships"]


def test_events_relate_to_their_objects_with_qualifiers(example):
    _, log, _ = example
    ids = {o["id"] for o in log["objects"]}
    for event in log["events"]:
        assert event["relationships"], event
        assert all(r["objectId"] in ids and r["qualifier"] for r in event["relationships"])
    raised = next(
        e
        for e in log["events"]
        if e["type"] == "raised"
        and {"objectId": "proposal:regie-de-quartier", "qualifier": "concerns"} in e["relationships"]
    )
    assert raised["time"] == "2001-06-14T16:00:00Z"  # 18:00 in Paris, summer time
    assert {"objectId": "meeting:2001-06-14-usagers", "qualifier": "raised-in"} in raised["relationships"]
    assert {"objectId": "group:usagers", "qualifier": "raised-by"} in raised["relationships"]
    assert {"objectId": "theme:logement", "qualifier": "theme"} in raised["relationships"]
    decided = [e for e in log["events"] if e["type"] == "validated"]
    assert decided and all(
        any(r["qualifier"] == "decided-by" and r["objectId"].startswith("group:") for r in e["relationships"])
        for e in decided
    )
    changes = [r for e in log["events"] for r in e["relationships"] if r["qualifier"] == "changes"]
    assert {"objectId": "service:police-de-proximite", "qualifier": "changes"} in changes
    cancelled = [e for e in log["events"] if e["type"] == "meeting-cancelled"]
    assert len(cancelled) == 1 and cancelled[0]["attributes"][0]["name"] == "reason"


def test_a_proposal_s_status_over_time(example):
    _, log, _ = example
    police = next(o for o in log["objects"] if o["id"] == "proposal:horaires-police")
    statuses = [(a["time"], a["value"]) for a in police["attributes"] if a["name"] == "status"]
    assert [value for _, value in statuses] == ["raised", "discussed", "validated", "done"]
    assert statuses == sorted(statuses)
    assert {"objectId": "service:police-de-proximite", "qualifier": "changes"} in police["relationships"]
    assert {"objectId": "theme:insecurite", "qualifier": "theme"} in police["relationships"]


def test_replaces_is_an_object_relation_and_every_type_is_declared(hand):  # noqa: F811
    from conftest import write

    write(hand, "records/proposals/p4.yaml", "title: Proposition quatre\ntheme: logement\nreplaces: p3\n")
    log, events = export_both(hand)
    p4 = next(o for o in log["objects"] if o["id"] == "proposal:p4")
    assert p4["relationships"][-1] == {"objectId": "proposal:p3", "qualifier": "replaces"}
    assert [t["name"] for t in log["eventTypes"]] == [
        "raised",
        "discussed",
        "withdrawn",
        "validated",
        "rejected",
        "deferred",
        "study",
        "in-progress",
        "done",
        "abandoned",
        "meeting-held",
        "meeting-cancelled",
        "minutes-sent",
    ]
    text = json.dumps(log, ensure_ascii=False)
    assert "Secretnom" not in text and "habitant-1" not in text
    assert "03 27 99 98 97" not in text and "4521 ZQX" not in text
    meeting_events = {"meeting-held", "meeting-cancelled", "minutes-sent"}
    assert sum(e["type"] not in meeting_events for e in log["events"]) == len(events) > 0


def test_same_records_same_bytes(example, tmp_path: Path):
    root, _, _ = example
    before = (root / "ocel/gasp.jsonocel").read_bytes()
    result = gasp("export", "--format", "ocel", "--out", str(tmp_path / "again"), workspace=root, env=ENV)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again/gasp.jsonocel").read_bytes() == before


def test_gasp_never_imports_pm4py():
    for module in (REPO / "gasp_cli").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "import pm4py" not in text and "from pm4py" not in text, module
