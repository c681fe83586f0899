"""`gasp schema` describes exactly what `gasp validate` accepts (issue 11, DESIGN.md « Input rules »).

A corpus of mutations of the example's records is judged twice: by `gasp validate`
(the errors it finds in the mutated file) and by `jsonschema` against the schemas
`gasp schema` writes, on the file read as an editor reads it (YAML 1.2 core schema:
`yes` is text, dates are text). Both must accept, or both refuse, every case.

What only `gasp validate` can see is kept apart, and said in each schema's `$comment`:
- references to other files (an unknown place, person, proposal): the schema accepts,
  validate says « lieu « x » inconnu (dans places de gasp.yaml) » with the closest id;
- how a value is written, which the editor's data no longer shows: a YAML tag, an
  integer with a leading zero, `.nan`, a time zone zoneinfo does not know.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, gasp, validate_json

# Codes that need more than the file itself: the schema cannot know them.
CROSS_FILE = {
    "dangling-ref",
    "duplicate-id",
    "file-name",
    "file-place",
    "lifecycle",
    "decision-outside",
    "date-order",
    "present-and-excused",
    "bad-cadence",
}


class EditorLoader(yaml.SafeLoader):
    """YAML 1.2 core schema, as yaml-language-server reads a record (written here, apart from gasp's reader)."""


EditorLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        (
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
            r"|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    ),
]:
    EditorLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_regexp), _first)


def _editor_int(loader, node):
    value = node.value
    if value.startswith(("0o", "0x")):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)


def _editor_float(loader, node):
    value = node.value.lower()
    if value.lstrip("+-") == ".inf":
        return float("-inf") if value.startswith("-") else float("inf")
    return float("nan") if value == ".nan" else float(value)


EditorLoader.add_constructor("tag:yaml.org,2002:int", _editor_int)
EditorLoader.add_constructor("tag:yaml.org,2002:float", _editor_float)
EditorLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: node.value.lower() == "true")


def as_editor_reads(text: str):
    return yaml.load(text, Loader=EditorLoader)


SCHEMA_OF = {
    "groups": "group",
    "people": "person",
    "services": "service",
    "themes": "theme",
    "proposals": "proposal",
    "meetings": "meeting",
    "observations": "observation",
}

G = "records/gasp.yaml"
AGENTS = "records/groups/agents.yaml"
USAGERS = "records/groups/usagers.yaml"
AGENT = "records/people/assistante-sociale-escautpont.yaml"
RESIDENT = "records/people/habitant-4.yaml"
MEETING = "records/meetings/2000/2000-09-12-agents.yaml"
THEME = "records/themes/logement.yaml"
PROPOSAL = "records/proposals/regie-de-quartier.yaml"
NOTE = "records/observations/note.yaml"
NOTE_TEXT = "date: 2001-01-09\nmeeting: 2001-01-09-agents\nthemes: [logement]\ntext: Une note.\n"

# (name, file, old text, new text, accepted?): "accepted" is what both must say.
CORPUS = [
    # quoted dates
    ("date-quoted", MEETING, "date: 2000-09-12", 'date: "2000-09-12"', True),
    ("date-single-quoted", G, "created: 2000-06-15", "created: '2000-06-15'", True),
    ("date-impossible", MEETING, "date: 2000-09-12", 'date: "2000-02-30"', False),
    ("date-short", MEETING, "date: 2000-09-12", "date: 2000-9-12", False),
    ("date-before-1900", G, "created: 2000-06-15", "created: 1899-12-31", False),
    ("date-after-2200", G, "created: 2000-06-15", "created: '2201-01-01'", False),
    ("date-with-time", G, "created: 2000-06-15", "created: 2000-06-15 10:00:00", False),
    ("date-number", G, "created: 2000-06-15", "created: 20000615", False),
    ("done-quoted-date", MEETING, "  done: true", "  done: '2000-10-01'", True),
    ("done-yes", MEETING, "  done: true", "  done: yes", False),
    # numbers
    ("duration-float", AGENTS, "duration: 120", "duration: 120.0", True),
    ("duration-fraction", AGENTS, "duration: 120", "duration: 120.5", False),
    ("duration-text", AGENTS, "duration: 120", 'duration: "120"', False),
    ("duration-zero", AGENTS, "duration: 120", "duration: 0", False),
    ("duration-too-long", AGENTS, "duration: 120", "duration: 721", False),
    ("duration-bool", AGENTS, "duration: 120", "duration: true", False),
    ("week-float", AGENTS, "week: 2", "week: 2.0", True),
    ("week-bool", AGENTS, "week: 2", "week: true", False),
    ("week-five", AGENTS, "week: 2", "week: 5", False),
    ("month-float", USAGERS, "months: [3, 6, 9, 12]", "months: [3.0, 6, 9, 12]", True),
    ("month-thirteen", USAGERS, "months: [3, 6, 9, 12]", "months: [3, 6, 9, 13]", False),
    ("cost-integer", PROPOSAL, "funding:", "cost: 150000\nfunding:", True),
    ("cost-billion", PROPOSAL, "funding:", "cost: 1000000000\nfunding:", True),
    ("cost-huge", PROPOSAL, "funding:", "cost: 1.0e+308\nfunding:", False),
    ("cost-inf", PROPOSAL, "funding:", "cost: .inf\nfunding:", False),
    ("cost-negative", PROPOSAL, "funding:", "cost: -1\nfunding:", False),
    ("share-float", PROPOSAL, "share: 100", "share: 100.0", True),
    ("share-zero", PROPOSAL, "share: 100", "share: 0", False),
    ("commitment", G, "as_of:", "commitments: {decision_within_days: 180, minutes_within_days: 15.0}\nas_of:", True),
    ("commitment-zero", G, "as_of:", "commitments: {decision_within_days: 0}\nas_of:", False),
    # places
    ("place-new", G, "places:", "places:\n  salle-2:\n    name: Salle 2", True),
    ("place-key-spaces", G, "places:", "places:\n  Salle Jaurès:\n    name: Salle Jaurès", False),
    ("place-key-underscore", G, "places:", "places:\n  salle_2:\n    name: Salle 2", False),
    ("place-key-newline", G, "places:", 'places:\n  "salle-2\\n":\n    name: Salle 2', False),
    ("place-without-name", G, "places:", "places:\n  salle-2:\n    address: Rue", False),
    # agents, residents and names
    ("agent-without-name", AGENT, "name: Assistante sociale de secteur (Escautpont)\n", "", False),
    ("agent-null-name", AGENT, "name: Assistante sociale de secteur (Escautpont)", "name: ~", False),
    ("resident-without-name", RESIDENT, "kind: resident", "kind: resident", True),
    ("resident-named", RESIDENT, "kind: resident", "kind: resident\nname: Mme B.", True),
    # YAML 1.1 booleans
    *[
        (f"bool-{word}", AGENTS, "guests_allowed: true", f"guests_allowed: {word}", False)
        for word in ("yes", "no", "on", "off", "Yes", "OFF", "y", "oui")
    ],
    *[
        (f"bool-{word}", AGENTS, "guests_allowed: true", f"guests_allowed: {word}", True)
        for word in ("true", "false", "True", "FALSE")
    ],
    ("bool-text-field", THEME, "title: Logement", "title: no", True),
    ("public-minutes", AGENTS, "guests_allowed: true", "guests_allowed: true\npublic_minutes: false", True),
    # one-line fields and long text
    ("title-newline", THEME, "title: Logement", 'title: "Logement\\nsocial"', False),
    ("title-final-newline", THEME, "title: Logement", "title: |\n  Logement", False),
    ("title-cr", THEME, "title: Logement", 'title: "Logement\\r# X"', False),
    ("title-tab", THEME, "title: Logement", 'title: "Logement\\tsocial"', False),
    ("title-esc", THEME, "title: Logement", 'title: "Logement\\e[31m"', False),
    ("title-nul", THEME, "title: Logement", 'title: "Logement\\0"', False),
    ("title-bidi", THEME, "title: Logement", 'title: "Logement\\u202e"', False),
    ("title-nel", THEME, "title: Logement", 'title: "Logement\\N"', False),
    ("title-line-separator", THEME, "title: Logement", 'title: "Logement\\L"', False),
    ("title-accents", THEME, "title: Logement", "title: Logement « social » – été’", True),
    ("title-empty", THEME, "title: Logement", 'title: ""', False),
    ("group-id-newline", MEETING, "group: agents", 'group: "agents\\n"', False),
    ("time-newline", AGENTS, 'time: "14:00"', 'time: "14:00\\n"', False),
    ("date-newline", MEETING, "date: 2000-09-12", 'date: "2000-09-12\\n"', False),
    (
        "description-lines",
        THEME,
        "description: Logement social, entretien des immeubles, relations avec les bailleurs.",
        'description: "Un\\r\\nDeux\\n\\n- trois"',
        True,
    ),
    ("guest-line", MEETING, "status: held", "status: held\nguests: [bailleurs, M. Durand]", True),
    ("guest-newline", MEETING, "status: held", 'status: held\nguests: ["M.\\nDurand"]', False),
    # times, enums, keys, ids
    ("time-unquoted", AGENTS, 'time: "14:00"', "time: 14:00", True),
    ("time-25", AGENTS, 'time: "14:00"', 'time: "25:00"', False),
    ("status-french", MEETING, "status: held", "status: tenue", False),
    ("unknown-key", THEME, "title: Logement", "title: Logement\ntitel: x", False),
    ("id-uppercase", MEETING, "group: agents", "group: Agents", False),
    ("timezone-valid", G, "timezone: Europe/Paris", "timezone: America/Cayenne", True),
    ("timezone-path", G, "timezone: Europe/Paris", "timezone: ../../etc/passwd", False),
    ("timezone-newline", G, "timezone: Europe/Paris", 'timezone: "Europe/Paris\\n"', False),
    ("minutes-sent", MEETING, "status: held", "status: held\nminutes_sent: 2000-09-20\ncancel_reason: x", True),
    ("proposal-services", PROPOSAL, "funding:", "services: [bailleurs]\nfunding:", True),
    ("proposal-services-bad-id", PROPOSAL, "funding:", "services: [Bailleurs]\nfunding:", False),
    ("observation", NOTE, "", NOTE_TEXT, True),
    ("observation-without-text", NOTE, "", NOTE_TEXT.replace("text: Une note.\n", ""), False),
    # references: the schema checks one file; validate also says the place is unknown
    ("unknown-place", AGENTS, "place: maison-des-services", "place: maison-des-service", True),
    ("unknown-attendee", MEETING, "- e-sion", "- e-sionn", True),
]


@pytest.fixture(scope="module")
def validators(tmp_path_factory):
    import jsonschema

    folder = tmp_path_factory.mktemp("schemas")
    result = gasp("schema", "--out", str(folder))
    assert result.exit_code == 0, result.output
    found = {}
    for path in folder.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        found[path.name] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("agree")
    shutil.copytree(EXAMPLE, root / "records")
    return root


def _schema_for(relative: str) -> str:
    parts = relative.split("/")
    return "gasp.schema.json" if parts[1] == "gasp.yaml" else f"{SCHEMA_OF[parts[1]]}.schema.json"


def judge(workspace: Path, validators: dict, file: str, old: str, new: str) -> tuple[list[dict], list[str], list]:
    """(validate's errors in `file`, the schema's errors, the cross-file errors) for one mutation."""
    path = workspace / file
    original = path.read_text(encoding="utf-8") if path.exists() else None
    text = original or ""
    assert old in text, (file, old)
    mutated = text.replace(old, new, 1) if old else new
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(mutated, encoding="utf-8")
    try:
        _, diagnostics = validate_json(workspace)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
    errors = [d for d in diagnostics if d["file"] == file and d["severity"] == "error"]
    own = [d for d in errors if d["code"] not in CROSS_FILE]
    try:
        data = as_editor_reads(mutated)
    except yaml.YAMLError as error:  # not YAML at all: the editor refuses it too
        return own, [f"YAML : {error}"], []
    schema_errors = [e.message for e in validators[_schema_for(file)].iter_errors(data)]
    return own, schema_errors, [d for d in errors if d["code"] in CROSS_FILE]


@pytest.mark.parametrize("name, file, old, new, accepted", CORPUS, ids=[case[0] for case in CORPUS])
def test_schema_and_validate_agree(
    workspace: Path, validators: dict, name: str, file: str, old: str, new: str, accepted: bool
):
    own, schema_errors, _ = judge(workspace, validators, file, old, new)
    assert (not own) == (not schema_errors), (name, own, schema_errors)
    assert (not own) == accepted, (name, own, schema_errors)


def test_the_example_itself_is_accepted_both_ways(workspace: Path, validators: dict):
    _, diagnostics = validate_json(workspace)
    assert [d for d in diagnostics if d["severity"] == "error"] == []
    for path in sorted((workspace / "records").rglob("*.yaml")):
        relative = path.relative_to(workspace).as_posix()
        errors = list(validators[_schema_for(relative)].iter_errors(as_editor_reads(path.read_text(encoding="utf-8"))))
        assert not errors, (relative, [e.message for e in errors])


def test_an_unknown_place_is_validate_s_alone_and_it_says_where_places_are(workspace: Path, validators: dict):
    own, schema_errors, cross = judge(
        workspace, validators, AGENTS, "place: maison-des-services", "place: maison-des-service"
    )
    assert own == [] and schema_errors == []
    assert [d["code"] for d in cross] == ["dangling-ref"]
    assert "lieu « maison-des-service » inconnu (dans places de gasp.yaml)" in cross[0]["message"]
    assert "vouliez-vous dire « maison-des-services »" in cross[0]["message"]


def test_every_schema_says_what_only_validate_checks(validators: dict):
    for name, validator in validators.items():
        comment = validator.schema["$comment"]
        assert "références" in comment and "zéro en tête" in comment and "fuseau horaire" in comment, name


# What the editor's data cannot show: how a value was written. The schema accepts, validate refuses,
# each with a reader code, and the schema's $comment says so.
WRITTEN_FORM = [
    ("leading-zero", USAGERS, "months: [3, 6, 9, 12]", "months: [03, 6, 9, 12]", "bad-number"),
    ("octal", USAGERS, "months: [3, 6, 9, 12]", "months: [0o3, 6, 9, 12]", "bad-number"),
    ("tag-str", THEME, "title: Logement", "title: !!str Logement", "yaml-tag"),
    ("tag-int", AGENTS, "duration: 120", "duration: !!int 120", "yaml-tag"),
    ("unknown-zone", G, "timezone: Europe/Paris", "timezone: Europe/Pars", "bad-value"),
]


@pytest.mark.parametrize("name, file, old, new, code", WRITTEN_FORM, ids=[case[0] for case in WRITTEN_FORM])
def test_what_only_the_written_form_shows_is_validate_s_alone(
    workspace: Path, validators: dict, name: str, file: str, old: str, new: str, code: str
):
    own, schema_errors, _ = judge(workspace, validators, file, old, new)
    assert schema_errors == [] and [d["code"] for d in own] == [code], (name, own, schema_errors)


# --- the same, on mutations drawn at random ----------------------------------------------------

# Raw YAML values put in place of a value of the example: numbers, booleans of YAML 1.1 and 1.2,
# dates quoted or not and out of range, text with control characters, lists, maps, ids.
VALUES = [
    "yes",
    "no",
    "True",
    "true",
    "false",
    "off",
    "1",
    "1.0",
    "1.5",
    "-1",
    "0",
    "2",
    "12",
    "13",
    "720",
    "721",
    ".inf",
    "-.inf",
    "1e999",
    "1.0e+308",
    "'2001-01-01'",
    "2001-01-01",
    "1899-01-01",
    "2201-01-01",
    "2001-02-30",
    '"x\\ny"',
    '"a\\tb"',
    '"a\\e[31m"',
    '"a\\u202e"',
    "14:30",
    "'14:30'",
    "25:00",
    "null",
    "~",
    "''",
    '"é"',
    "[a]",
    "[1, 2]",
    "[]",
    "{a: 1}",
    "{}",
    "abc",
    "Abc def",
    "maison-des-services",
    "1e9",
    "1000000001",
    "e-sion",
    "monthly",
    "held",
    "agents",
    "resident",
    "-1.0",
    "100",
    "100.5",
    "0.0",
    "[7.0]",
    "'1'",
    '["x\\ny"]',
    "[2001-01-01]",
    "Europe/Paris",
    "UTC",
    "tenue",
    "|\n  deux\n  lignes",
]
_FILES = sorted(path.relative_to(EXAMPLE.parent).as_posix() for path in EXAMPLE.rglob("*.yaml"))
_SCALAR_LINE = re.compile(r"^(\s*(?:-\s+)?)([a-z_]+): (\S.*)$")


@settings(
    max_examples=int(os.environ.get("GASP_AGREE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(file=st.sampled_from(_FILES), pick=st.integers(min_value=0, max_value=10_000), value=st.sampled_from(VALUES))
def test_schema_and_validate_agree_on_random_mutations(
    workspace: Path, validators: dict, file: str, pick: int, value: str
):
    lines = (EXAMPLE.parent / file).read_text(encoding="utf-8").split("\n")
    scalar_lines = [index for index, line in enumerate(lines) if _SCALAR_LINE.match(line)]
    assume(scalar_lines)
    index = scalar_lines[pick % len(scalar_lines)]
    match = _SCALAR_LINE.match(lines[index])
    indent = " " * (len(match[1]) + 2)
    new = f"{match[1]}{match[2]}: {value.replace(chr(10), chr(10) + indent)}"
    own, schema_errors, _ = judge(workspace, validators, file, lines[index], new)
    assert (not own) == (not schema_errors), (file, new, own, schema_errors)
