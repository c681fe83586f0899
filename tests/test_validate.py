"""`gasp validate` on the embedded example and on small edits of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import EXAMPLE, REPO, gasp, validate_json, write


def test_the_embedded_example_validates_with_no_error_and_no_warning():
    result = gasp("validate", workspace=REPO)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1] == f"0 erreur, 0 avertissement dans {_count_files()} fichiers"


def test_strict_passes_on_the_example():
    assert gasp("validate", "--strict", workspace=REPO).exit_code == 0


def test_the_example_has_what_the_article_gives():
    records = EXAMPLE
    assert len(list((records / "meetings").rglob("*-agents.yaml"))) == 22
    assert len(list((records / "meetings").rglob("*-usagers.yaml"))) == 7
    assert len(list((records / "meetings").rglob("*-intergroupes.yaml"))) == 2
    held_referents = [p for p in (records / "meetings").rglob("*-referents.yaml") if "status: held" in p.read_text()]
    assert len(held_referents) == 4
    gasp_yaml = (records / "gasp.yaml").read_text(encoding="utf-8")
    assert "Escautpont" in gasp_yaml and "Escaupont" not in gasp_yaml
    assert (records / "people" / "sylvain-dufresne.yaml").is_file()
    assert (records / "people" / "e-sion.yaml").is_file()


def test_json_output_has_the_contract_keys(example: Path):
    write(example, "records/themes/sans-titre.yaml", "description: rien\n")
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    assert diagnostics == [
        {
            "file": "records/themes/sans-titre.yaml",
            "line": 1,
            "column": 1,
            "severity": "error",
            "code": "missing-field",
            "message": "champ obligatoire « title » manquant",
        }
    ]


def test_json_is_an_empty_list_when_all_is_well():
    exit_code, diagnostics = validate_json(REPO)
    assert (exit_code, diagnostics) == (0, [])


def test_the_text_report_goes_to_stderr_and_the_summary_to_stdout(example: Path):
    write(example, "records/themes/sans-titre.yaml", "description: rien\n")
    result = gasp("validate", workspace=example)
    assert result.exit_code == 1
    assert result.stderr == "records/themes/sans-titre.yaml:1:1: erreur: champ obligatoire « title » manquant\n"
    assert result.stdout == f"1 erreur, 0 avertissement dans {_count_files() + 1} fichiers\n"


def _warnings_workspace(example: Path) -> Path:
    (example / "records/meetings/2001/2001-03-13-agents.yaml").unlink()
    path = example / "records/meetings/2002/2002-05-14-agents.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: held", "status: planned"), encoding="utf-8")
    gasp_yaml = example / "records/gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8").replace("as_of: 2002-06-30", "as_of: 2002-10-15"), encoding="utf-8"
    )
    return example


def test_warnings_do_not_block_but_strict_turns_them_into_errors(example: Path):
    _warnings_workspace(example)
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 0
    assert {d["severity"] for d in diagnostics} == {"warning"}
    codes = sorted(d["code"] for d in diagnostics)
    assert codes == ["missing-meeting"] * 5 + ["overdue-action", "past-planned"]  # agents: July and August 2002 too
    missing = [d["message"] for d in diagnostics if d["code"] == "missing-meeting"]
    assert any("mars 2001" in m for m in missing)
    assert any("3e trimestre 2002" in m for m in missing)
    overdue = next(d for d in diagnostics if d["code"] == "overdue-action")
    assert overdue["file"] == "records/meetings/2002/2002-06-11-agents.yaml"

    exit_code, strict = validate_json(example, "--strict")
    assert exit_code == 1
    assert {d["severity"] for d in strict} == {"error"}
    text = gasp("validate", "--strict", workspace=example)
    assert text.stdout.splitlines()[-1].startswith("7 erreurs, 0 avertissement")


def test_a_cancelled_meeting_fills_its_period(example: Path):
    path = example / "records/meetings/2001/2001-03-13-agents.yaml"
    path.write_text("group: agents\ndate: 2001-03-13\nstatus: cancelled\n", encoding="utf-8")
    assert validate_json(example) == (0, [])


def test_a_broken_record_is_not_also_reported_as_dangling(example: Path):
    write(example, "records/themes/logement.yaml", "titre: Logement\n")
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 1
    assert [d["code"] for d in diagnostics] == ["unknown-key"]
    assert "vouliez-vous dire « title »" in diagnostics[0]["message"]


def test_unquoted_time_is_read_as_a_time(example: Path):
    write(
        example,
        "records/meetings/2002/2002-09-10-agents.yaml",
        "group: agents\ndate: 2002-09-10\ntime: 14:30\nstatus: planned\n",
    )
    assert validate_json(example) == (0, [])


def test_the_replaced_proposal_must_be_closed(example: Path):
    write(
        example, "records/proposals/regie-bis.yaml", "title: Régie bis\ntheme: logement\nreplaces: regie-de-quartier\n"
    )
    exit_code, diagnostics = validate_json(example)
    assert exit_code == 0
    codes = {(d["code"], d["severity"]) for d in diagnostics}
    assert ("lifecycle", "warning") in codes


def test_plural_of_the_summary():
    from gasp_cli.diagnostics import Diagnostic, summary_line

    one = Diagnostic("f", 1, 1, "error", "x", "m")
    assert summary_line([], 1) == "0 erreur, 0 avertissement dans 1 fichier"
    assert summary_line([one, one], 3) == "2 erreurs, 0 avertissement dans 3 fichiers"


def _count_files() -> int:
    return len(list(EXAMPLE.rglob("*.yaml")))


def test_json_is_valid_utf8_french():
    result = gasp("validate", "--format", "json", workspace=REPO)
    assert json.loads(result.stdout) == []
    assert re.fullmatch(r"\[\]\s*", result.stdout)


def test_other_commands_mention_warnings_without_blocking(example: Path):
    _warnings_workspace(example)
    result = gasp("calendar", "--year", "2001", "--format", "json", workspace=example)
    assert result.exit_code == 0
    assert result.stderr == "gasp : 7 avertissements dans les enregistrements (voir « gasp validate »)\n"
    assert json.loads(result.stdout)


# --- issue 23: messages that cost the secretary time ----------------------------------------

AGENTS_MEETING = "records/meetings/2001/2001-03-13-agents.yaml"


def _messages(workspace: Path, code: str | None = None) -> list[str]:
    _, diagnostics = validate_json(workspace)
    return [d["message"] for d in diagnostics if code is None or d["code"] == code]


def test_present_and_excused_is_told_with_the_other_errors_of_the_file(example: Path):
    meeting = example / AGENTS_MEETING
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text + "excused: [e-sion]\ncolour: rouge\n", encoding="utf-8")
    _, diagnostics = validate_json(example)
    codes = {d["code"] for d in diagnostics if d["file"] == AGENTS_MEETING}
    assert {"unknown-key", "present-and-excused"} <= codes, diagnostics


def test_a_broken_meeting_file_is_not_a_missing_meeting_nor_a_late_decision(example: Path):
    gasp_yaml = example / "records/gasp.yaml"
    gasp_yaml.write_text(gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  decision_within_days: 400\n")
    assert _messages(example, "late-decision") == []  # every proposal of the example was answered in time
    for relative in (AGENTS_MEETING, "records/meetings/2000/2000-12-15-referents.yaml"):
        path = example / relative
        path.write_text(path.read_text(encoding="utf-8") + "colour: rouge\n", encoding="utf-8")
    _, diagnostics = validate_json(example)
    assert [d["code"] for d in diagnostics] == ["unknown-key", "unknown-key"], diagnostics


def test_a_copied_meeting_file_is_told_to_take_the_date_of_its_name(example: Path):
    old = (example / AGENTS_MEETING).read_text(encoding="utf-8")
    write(example, "records/meetings/2001/2001-04-17-agents.yaml", old)  # the copy, date unchanged
    messages = _messages(example, "file-name")
    expected = (
        "la date 2001-03-13 ne correspond pas au nom du fichier « 2001-04-17-agents.yaml » "
        "(« 2001-03-13-agents.yaml » existe déjà : si ce fichier en est une copie, "
        "écrivez la date de son nom (« date: 2001-04-17 »))"
    )
    assert messages == [expected]


def test_a_time_written_with_a_dot_says_how_to_write_an_hour(example: Path):
    path = example / AGENTS_MEETING
    path.write_text(path.read_text(encoding="utf-8") + "time: 14.30\n", encoding="utf-8")
    (message,) = _messages(example, "bad-type")
    assert "« HH:MM »" in message and '"14:30"' in message, message


def test_a_name_written_for_an_id_suggests_the_id_it_stands_for(example: Path):
    write(example, "records/people/karim-haddad.yaml", "name: Karim Haddad\nkind: agent\n")
    path = example / AGENTS_MEETING
    path.write_text(
        path.read_text(encoding="utf-8") + "actions:\n  - {what: Appeler le bailleur, who: Karim}\n", encoding="utf-8"
    )
    (message,) = _messages(example, "bad-id")
    assert message.endswith("vouliez-vous dire « karim-haddad » ?"), message


def test_missing_periods_come_in_date_order(example: Path):
    for month in ("01-09", "02-13", "03-13", "04-10", "05-15"):
        (example / f"records/meetings/2001/2001-{month}-agents.yaml").unlink()
    messages = _messages(example, "missing-meeting")
    months = [m.split("période ")[1].split(" (")[0] for m in messages]
    assert months == ["janvier 2001", "février 2001", "mars 2001", "avril 2001", "mai 2001"]


def test_two_files_for_one_meeting_are_told(example: Path):
    old = (example / AGENTS_MEETING).read_text(encoding="utf-8")
    write(example, "records/meetings/2001/2001-03-15-agents.yaml", old.replace("2001-03-13", "2001-03-15"))
    (message,) = _messages(example, "same-period")
    assert "deux réunions du groupe « agents » dans la période mars 2001" in message
    assert "« 2001-03-13-agents.yaml »" in message and "supprimez l’un des deux fichiers" in message


def test_meetings_held_before_the_first_member_arrived_are_told(example: Path):
    group = example / "records/groups/usagers.yaml"
    text = group.read_text(encoding="utf-8")
    group.write_text(re.sub(r"since: \d{4}-\d{2}-\d{2}", "since: 2002-06-01", text), encoding="utf-8")
    (message,) = _messages(example, "meetings-before-members")
    assert message.startswith("6 réunions tenues avant l’arrivée du premier membre (le 1er juin 2002)"), message
    assert "avancez les dates « since »" in message


def test_a_colon_in_a_text_says_to_quote_it(example: Path):
    path = example / AGENTS_MEETING
    path.write_text(path.read_text(encoding="utf-8") + "guests:\n  - Bailleur : M. Dupont\n", encoding="utf-8")
    (message,) = _messages(example, "bad-type")
    assert "mettez ce texte entre guillemets" in message and '"Bailleur : M. Dupont"' in message, message
    path.write_text(
        path.read_text(encoding="utf-8").replace("- Bailleur : M. Dupont", "- a\ncancel_reason: Grève: bus")
    )
    (message,) = _messages(example, "yaml-syntax")
    assert "doit être entre guillemets" in message, message
    reference = (REPO / "docs" / "enregistrements.md").read_text(encoding="utf-8")
    assert "**Deux-points dans une valeur**" in reference and '`note: "Horaires : trop courts le samedi"`' in reference


def test_an_unknown_id_suggests_the_gasp_new_command_that_creates_it(example: Path):
    path = example / AGENTS_MEETING
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "proposals:\n  - {proposal: relais-logement, event: raised}\n", encoding="utf-8")
    (message,) = _messages(example, "dangling-ref")
    assert message == (
        "« proposal » : proposition « relais-logement » inconnue ; "
        'pour la créer : gasp new proposal --title "Relais logement" --theme THEME'
    )
