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
