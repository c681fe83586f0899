"""The one public filter (gasp_cli/public.py) and who may be named (DESIGN « One public filter »).

Named tests for each leak issue 21 found on the embedded example, then a workspace whose
non-public groups' meetings hold a marker string in every private field: none reaches any
file under out/public/ (PDF text and Pagefind's gzip fragments included) nor the public
iCalendar files, while the members' documents do show them (the search is not blind).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, gasp, typeset, validate_json, write

ENV = {"SOURCE_DATE_EPOCH": "1000000000"}


def _texts(folder: Path) -> dict[str, str]:
    """Every file under `folder`: html and ics as text, PDF text extracted, Pagefind's files unzipped."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        elif path.suffix.startswith(".pf_"):
            text = gzip.decompress(data).decode("utf-8", "replace")
        else:
            text = data.decode("utf-8", "replace")
        # An iCalendar line folds at 75 octets, a PDF line anywhere: compare without line breaks;
        # html and PDF have French typography (no-break spaces, « 1<sup>er</sup> »), the ICS not:
        # a word is found whatever the kind of space.
        text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("<sup>er</sup>", "er")
        texts[path.relative_to(folder).as_posix()] = re.sub(r"\r?\n ?", "", text)
    return texts


def _found(folder: Path, words: list[str]) -> dict[str, list[str]]:
    """word → the files under `folder` that hold it (case and spacing as written)."""
    texts = _texts(folder)
    return {word: [name for name, text in texts.items() if word in text] for word in words}


# --- the embedded example ------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_out(rendered_example: Path) -> Path:
    return rendered_example / "out"


def _vevents(ics: str) -> dict[str, str]:
    """UID → the event's unfolded text."""
    unfolded = re.sub(r"\r\n ", "", ics)
    events = {}
    for block in unfolded.split("BEGIN:VEVENT")[1:]:
        uid = re.search(r"^UID:(.*)$", block, re.M)
        assert uid is not None
        events[uid.group(1).strip()] = block
    return events


def test_the_public_calendar_carries_no_topic_of_a_non_public_group(example_out: Path) -> None:
    for name in ("calendrier-2002.ics", "calendrier.ics"):
        public = _vevents((example_out / "public" / "calendrier" / name).read_text(encoding="utf-8"))
        agents = {uid: text for uid, text in public.items() if uid.startswith(("agents-", "referents-"))}
        assert agents and not [uid for uid, text in agents.items() if "Sujet retenu" in text]
        # the usagers' topics stay (their comptes rendus are public), and the members' calendar has them all
        assert any("Sujet retenu" in text for uid, text in public.items() if uid.startswith("usagers-"))
    members = _vevents((example_out / "calendrier" / "calendrier-2002.ics").read_text(encoding="utf-8"))
    assert any("Sujet retenu" in text for uid, text in members.items() if uid.startswith("agents-"))


def test_the_open_actions_of_agents_and_referents_are_not_on_the_public_report(example_out: Path) -> None:
    actions = ["Recueillir les changements d'horaires", "Chiffrer le poste de médiateur administratif"]
    assert _found(example_out / "public", actions) == {action: [] for action in actions}
    members = (example_out / "rapport" / "rapport-2002.html").read_text(encoding="utf-8").replace("&#39;", "'")
    assert all(action in members for action in actions)


def test_a_cancellation_reason_of_a_non_public_group_is_not_on_the_site(example_out: Path) -> None:
    reason = "Les nouveaux locaux ouvraient le 4 février"
    assert _found(example_out / "public", [reason]) == {reason: []}
    assert typeset(reason, "html") in (example_out / "rapport" / "rapport-2002.html").read_text(encoding="utf-8")
    # the meeting itself is on the site's calendar, cancelled
    page = (example_out / "public" / "calendrier" / "calendrier-2002.html").read_text(encoding="utf-8")
    assert typeset("12 février", "html") in page and "annulée" in page


def _without_consent(root: Path, person_id: str) -> None:
    path = root / "records" / "people" / f"{person_id}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "publish_name: false\n", encoding="utf-8")


def test_the_report_json_names_no_one_who_did_not_consent(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "records")
    env = {"GASP_TODAY": "2002-06-30"}
    before = json.loads(gasp("report", "--year", "2001", "--format", "json", workspace=tmp_path, env=env).stdout)
    arrived, left = before["arrivals"][0]["person"], before["departures"][0]["person"]
    _without_consent(tmp_path, arrived)
    _without_consent(tmp_path, left)
    result = gasp("report", "--year", "2001", "--format", "json", workspace=tmp_path, env=env)
    assert result.exit_code == 0, result.output
    assert arrived not in result.stdout and left not in result.stdout
    after = json.loads(result.stdout)
    assert {"person": None, "date": before["arrivals"][0]["date"]} in after["arrivals"]
    assert {"person": None, "date": before["departures"][0]["date"]} in after["departures"]
    assert len(after["arrivals"]) == len(before["arrivals"])  # counted, not named
    text = gasp("report", "--year", "2001", workspace=tmp_path, env=env).stdout
    assert "un agent" in text and arrived not in text


def test_the_network_json_names_no_one_who_did_not_consent(tmp_path: Path) -> None:
    from test_network import make_site, network_json

    person = "assistante-sociale-bruay"  # arrived in the agents' group in 2001
    make_site(tmp_path / "site", lambda root: _without_consent(root, person))
    (tmp_path / "sites.yaml").write_text("name: Réseau\nsites:\n  - id: un\n    name: Un\n    repo: site\n")
    result, data = network_json(tmp_path / "sites.yaml", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert data is not None and data["sites"]["un"]["status"] == "ok"
    assert person not in result.stdout
    assert {"site": "un", "person": None, "date": "2001-01-01"} in data["totals"]["arrivals"]


def test_no_output_carries_the_id_of_a_person_who_did_not_consent(tmp_path: Path) -> None:
    """Every command's files and JSON: the id of a resident and of an agent who did not consent to
    be named (ids are made of names) is in none of them."""
    shutil.copytree(EXAMPLE, tmp_path / "records")
    people = tmp_path / "records" / "people"
    (people / "habitant-1.yaml").rename(people / "lucien-petit.yaml")
    (people / "assistante-sociale-bruay.yaml").rename(people / "josiane-retrait.yaml")
    _without_consent(tmp_path, "josiane-retrait")
    for path in (tmp_path / "records").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"\bhabitant-1\b", "lucien-petit", text)
        new = re.sub(r"\bassistante-sociale-bruay\b", "josiane-retrait", new)
        if new != text:
            path.write_text(new, encoding="utf-8")
    env = {**ENV, "GASP_TODAY": "2002-06-30"}
    assert gasp("validate", workspace=tmp_path, env=env).exit_code == 0
    outputs = []
    for args in (
        ("report", "--year", "2001", "--format", "json"),
        ("report", "--year", "2002", "--format", "json"),
        ("trace", "proposal", "--format", "json"),
        ("trace", "proposal", "horaires-police", "--format", "json"),
        ("calendar", "--year", "2001", "--format", "json"),
    ):
        result = gasp(*args, workspace=tmp_path, env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout)
    result = gasp("export", "--out", str(tmp_path / "donnees"), workspace=tmp_path, env=env)
    assert result.exit_code == 0, result.output
    assert gasp("render", "--format", "md,html", workspace=tmp_path, env=env).exit_code == 0
    files = [p for folder in ("donnees", "out") for p in (tmp_path / folder).rglob("*") if p.is_file()]
    assert len(files) > 100
    texts = outputs + [p.read_bytes().decode("utf-8", "replace") for p in files]
    texts += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in files if p.suffix.startswith(".pf_")]
    for person in ("lucien-petit", "josiane-retrait"):
        assert [text[:80] for text in texts if person in text] == [], person


# --- the validate warning -------------------------------------------------------------------


def _with_petit(root: Path, note: str, *, meeting: str = "2001-03-08-usagers", year: str = "2001") -> None:
    shutil.copytree(EXAMPLE, root / "records")
    write(root, "records/people/habitant-1.yaml", "name: Lucien Petit\nkind: resident\n")
    path = root / "records" / "meetings" / year / f"{meeting}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("discussion: ", f"discussion: {note} ", 1), encoding="utf-8")


@pytest.mark.parametrize(
    "note",
    [
        "Signalé par M. Petit.",
        "Signalé par Madame Petit.",
        "Signalé par Lucien Petit.",
        "Vu avec Mme  PETIT,",
        "M.Petit",
    ],
)
def test_validate_warns_of_the_name_of_a_resident_who_did_not_consent(tmp_path: Path, note: str) -> None:
    _with_petit(tmp_path, note)
    code, diagnostics = validate_json(tmp_path)
    assert code == 0
    [found] = [d for d in diagnostics if d["code"] == "unconsented-name"]
    assert found["severity"] == "warning"
    assert found["file"] == "records/meetings/2001/2001-03-08-usagers.yaml"
    lines = (tmp_path / found["file"]).read_text(encoding="utf-8").splitlines()
    assert lines[found["line"] - 1][found["column"] - 1 :].startswith(note)
    assert "habitant-1" in found["message"] and "un habitant" in found["message"]
    text = gasp("validate", workspace=tmp_path).stderr
    assert f"{found['file']}:{found['line']}:{found['column']}: avertissement:" in text


@pytest.mark.parametrize(
    "note",
    ["Le petit matin.", "Signalé par M. Petitjean.", "M. Lucien est venu.", "Madame Petite-Synthe", "MPetit"],
)
def test_no_warning_for_other_words(tmp_path: Path, note: str) -> None:
    _with_petit(tmp_path, note)
    _, diagnostics = validate_json(tmp_path)
    assert [d for d in diagnostics if d["code"] == "unconsented-name"] == []


def test_no_warning_where_the_text_stays_with_the_members(tmp_path: Path) -> None:
    """The agents' discussion never reaches the site (their comptes rendus are not public)."""
    _with_petit(tmp_path, "Signalé par M. Petit.", meeting="2002-06-11-agents", year="2002")
    _, diagnostics = validate_json(tmp_path)
    assert [d for d in diagnostics if d["code"] == "unconsented-name"] == []


def test_no_warning_when_the_resident_consented(tmp_path: Path) -> None:
    _with_petit(tmp_path, "Signalé par M. Petit.")
    write(tmp_path, "records/people/habitant-1.yaml", "name: Lucien Petit\nkind: resident\npublish_name: true\n")
    _, diagnostics = validate_json(tmp_path)
    assert [d for d in diagnostics if d["code"] == "unconsented-name"] == []


def test_the_warning_can_be_ignored_like_any_warning(tmp_path: Path) -> None:
    _with_petit(tmp_path, "Signalé par M. Petit.")
    _, diagnostics = validate_json(tmp_path, "--ignore", "unconsented-name")
    assert [d for d in diagnostics if d["code"] == "unconsented-name"] == []


# --- markers in every private field ---------------------------------------------------------

# Each private field of a non-public group's meeting holds its own marker: a word found nowhere else.
MARKERS = {
    "topic": "Zorglub-sujet",
    "problem_theme": "Zorglub-theme-tour",
    "problem_note": "Zorglub-tour-de-table",
    "discussion": "Zorglub-discussion",
    "proposal_note": "Zorglub-note-proposition",
    "action": "Zorglub-action",
    "cancel_reason": "Zorglub-annulation",
    "guest": "Zorglub-invite",
    "attendee_name": "Zorglub-Present",
    "attendee_id": "zorglub-present",
    "excused_name": "Zorglub-Excuse",
    "excused_id": "zorglub-excuse",
    "referents_discussion": "Zorglub-debat-referents",
    "referents_action": "Zorglub-chiffrage-referents",
}

GASP = """name: Gasp de test
communes: [Escautpont]
created: 2021-01-01
places:
  salle:
    name: Salle des fêtes
"""


def _group(kind: str, frequency: str, months: str = "") -> str:
    return (
        f"name: Groupe {kind}\nkind: {kind}\ncadence:\n  frequency: {frequency}\n  weekday: tuesday\n"
        f'  week: 2\n{months}  time: "18:00"\n  duration: 90\n  place: salle\n'
        "members:\n  - {person: secretaire, since: 2021-01-01}\n"
    )


def _marked_workspace(root: Path) -> Path:
    m = MARKERS
    write(root, "records/gasp.yaml", GASP)
    write(root, "records/people/secretaire.yaml", "name: Marie Secrétaire\nkind: facilitator\n")
    write(root, f"records/people/{m['attendee_id']}.yaml", f"name: {m['attendee_name']}\nkind: agent\n")
    write(root, f"records/people/{m['excused_id']}.yaml", f"name: {m['excused_name']}\nkind: agent\n")
    write(root, "records/groups/agents.yaml", _group("agents", "monthly"))
    write(root, "records/groups/usagers.yaml", _group("usagers", "quarterly", "  months: [1]\n"))
    write(root, "records/groups/referents.yaml", _group("referents", "semiannual", "  months: [1]\n"))
    write(root, "records/themes/logement.yaml", "title: Logement\n")
    write(root, f"records/themes/{m['topic'].lower()}.yaml", f"title: {m['topic']}\n")
    write(root, f"records/themes/{m['problem_theme'].lower()}.yaml", f"title: {m['problem_theme']}\n")
    write(root, "records/proposals/une-salle.yaml", "title: Une salle pour les associations\ntheme: logement\n")
    write(
        root,
        "records/meetings/2021/2021-01-12-agents.yaml",
        f"""group: agents
date: 2021-01-12
status: held
attendees: [secretaire, {m["attendee_id"]}]
excused: [{m["excused_id"]}]
guests: [{m["guest"]}]
problems_raised:
  - theme: {m["problem_theme"].lower()}
    note: {m["problem_note"]}
topic: {m["topic"].lower()}
discussion: {m["discussion"]}
proposals:
  - proposal: une-salle
    event: raised
    note: {m["proposal_note"]}
actions:
  - what: {m["action"]}
    due: 2021-12-01
""",
    )
    write(
        root,
        "records/meetings/2021/2021-02-09-agents.yaml",
        f"group: agents\ndate: 2021-02-09\nstatus: cancelled\ncancel_reason: {m['cancel_reason']}\n",
    )
    write(
        root,
        "records/meetings/2021/2021-01-14-usagers.yaml",
        "group: usagers\ndate: 2021-01-14\nstatus: held\nattendees: [secretaire]\n"
        "proposals:\n  - proposal: une-salle\n    event: discussed\n    note: Les habitants en veulent une.\n",
    )
    write(
        root,
        "records/meetings/2021/2021-01-19-referents.yaml",
        f"""group: referents
date: 2021-01-19
status: held
attendees: [secretaire, {m["attendee_id"]}]
discussion: {m["referents_discussion"]}
decisions:
  - proposal: une-salle
    outcome: study
    note: La mairie cherche une salle libre le soir.
actions:
  - what: {m["referents_action"]}
""",
    )
    return root


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _marked_workspace(tmp_path_factory.mktemp("marques"))
    env = {**ENV, "GASP_TODAY": "2021-03-31"}
    check = gasp("validate", workspace=root, env=env)
    assert "0 erreur" in check.stderr + check.stdout, check.output
    result = gasp("render", workspace=root, env=env)  # every format: html, md and PDF
    assert result.exit_code == 0, result.output
    return root / "out"


def test_no_private_marker_reaches_any_file_of_the_site(marked: Path) -> None:
    public = marked / "public"
    files = _texts(public)
    assert any(name.startswith("pagefind/fragment/") for name in files)
    assert any(name.endswith(".pdf") for name in files) and any(name.endswith(".ics") for name in files)
    found = _found(public, list(MARKERS.values()))
    assert {marker: where for marker, where in found.items() if where} == {}
    # what the public may know of those meetings is there: the referents' decision and its note,
    # and the agents' meetings on the calendar, one of them cancelled
    assert _found(public, ["La mairie cherche une salle libre le soir."])["La mairie cherche une salle libre le soir."]
    calendar = files["calendrier/calendrier-2021.html"]
    assert "Groupe agents" in calendar and "annulée" in calendar


def test_the_markers_are_in_the_members_documents(marked: Path) -> None:
    """The search is not blind: each marker is in what the members receive (outside public/)."""
    members = {name: text for name, text in _texts(marked).items() if not name.startswith("public/")}
    missing = [
        marker
        for key, marker in MARKERS.items()
        if key not in ("attendee_id", "excused_id") and not any(marker in text for text in members.values())
    ]
    assert missing == []


def test_the_public_report_still_counts_what_it_does_not_show(marked: Path) -> None:
    """Counts are fine: the agents' attendance is on the public report, as on the members' one."""
    from gasp_cli.loader import load_workspace
    from gasp_cli.public import public_records
    from gasp_cli.workspace import Workspace

    records = load_workspace(Workspace(marked.parent)).records
    filtered = public_records(records)
    meeting = filtered.meetings["2021-01-12-agents"]
    assert len(meeting.attendees) == 2 and len(meeting.excused) == 1 and len(meeting.guests) == 1
    assert not set(meeting.attendees + meeting.excused) & set(records.people)
    assert [filtered.people[p].kind for p in meeting.attendees] == ["facilitator", "agent"]
    assert meeting.topic is None and meeting.discussion is None and meeting.actions == []
    assert meeting.problems_raised == [] and [e.note for e in meeting.proposals] == [None]
    assert filtered.meetings["2021-01-19-referents"].decisions == records.meetings["2021-01-19-referents"].decisions
    assert filtered.meetings["2021-01-14-usagers"] is records.meetings["2021-01-14-usagers"]
    public = (marked / "public" / "rapport" / "rapport-2021.html").read_text(encoding="utf-8")
    members = (marked / "rapport" / "rapport-2021.html").read_text(encoding="utf-8")
    attendance = re.compile(r"Groupe agents</t[hd]>.*?</tr>", re.S)
    assert attendance.search(public) and attendance.search(public).group(0) == attendance.search(members).group(0)
