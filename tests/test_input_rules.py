"""DESIGN.md « Input rules », issue 11 (records side) and issue 12 (validate in one run).

Each test writes one bad record into a copy of the example and checks that
`gasp validate` refuses it in French, at its file, line and column, in one line.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from conftest import gasp, validate_json, write
from gasp_cli import models
from gasp_cli.diagnostics import Diagnostic

THEME = "records/themes/essai.yaml"


def errors_of(example: Path, file: str | None = None) -> list[dict]:
    exit_code, diagnostics = validate_json(example)
    found = [d for d in diagnostics if d["severity"] == "error" and (file is None or d["file"] == file)]
    assert exit_code == (1 if any(d["severity"] == "error" for d in diagnostics) else 0)
    return found


def only_error(example: Path, file: str) -> dict:
    found = errors_of(example, file)
    assert len(found) == 1, found
    return found[0]


def replace_in(example: Path, relative: str, old: str, new: str) -> None:
    path = example / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- records accepted by 0.1.0, then a crash ---------------------------------------------


@pytest.mark.parametrize(
    "zone, hint",
    [
        ("Europe/Pars", "vouliez-vous dire « Europe/Paris »"),
        ("../../etc/passwd", "Europe/Paris"),
        ("/etc/passwd", "Europe/Paris"),
        ("zone.tab", "Europe/Paris"),
    ],
)
def test_the_timezone_must_be_an_iana_zone(example: Path, zone: str, hint: str):
    replace_in(example, "records/gasp.yaml", "timezone: Europe/Paris", f"timezone: {zone}")
    error = only_error(example, "records/gasp.yaml")
    assert (error["line"], error["column"]) == (8, 11)
    assert "fuseau horaire" in error["message"] and "inconnu" in error["message"] and hint in error["message"]
    result = gasp("render", "--format", "md", workspace=example)
    assert result.exit_code == 1 and "erreur interne" not in result.output


@pytest.mark.parametrize(
    "cost, words",
    [
        (".inf", "pas un nombre fini"),
        ("-.inf", "pas un nombre fini"),
        (".nan", "pas un nombre fini"),
        ("1e999", "trop grand"),
        ("1.0e+308", "au plus 1\u202f000\u202f000\u202f000"),
        ("1000000001", "au plus 1\u202f000\u202f000\u202f000"),
    ],
)
def test_a_cost_is_a_finite_number_of_at_most_a_billion_euros(example: Path, cost: str, words: str):
    relative = "records/proposals/horaires-police.yaml"
    path = example / relative
    path.write_text(path.read_text(encoding="utf-8") + f"cost: {cost}\n", encoding="utf-8")
    found = errors_of(example, relative)
    assert found and all(d["line"] == len(path.read_text().splitlines()) for d in found), found
    assert any(words in d["message"] for d in found), found
    for command in (["report", "--year", "2001"], ["render", "--format", "md"]):
        result = gasp(*command, workspace=example)
        assert result.exit_code == 1 and "erreur interne" not in result.output


def test_a_billion_euros_is_accepted(example: Path):
    path = example / "records/proposals/horaires-police.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "cost: 1000000000\n", encoding="utf-8")
    assert errors_of(example) == []


@pytest.mark.parametrize(
    "relative, name, line",
    [
        ("records/gasp.yaml", "name", 3),
        ("records/groups/agents.yaml", "name", 1),
        ("records/themes/accueil-du-public.yaml", "title", 1),
        ("records/proposals/horaires-police.yaml", "title", 1),
        ("records/people/e-sion.yaml", "role", 3),
    ],
)
@pytest.mark.parametrize(
    "bad, what",
    [
        ("\\nABC", "un saut de ligne"),
        ("\\r# TITRE", "un retour chariot"),
        ("\\x1b[31mrouge", "caractère d'échappement"),
        ("\\u202eABC", "sens d'écriture"),
        ("\\0nul", "caractère nul"),
        ("\\tABC", "une tabulation"),
    ],
)
def test_one_line_fields_refuse_line_breaks_and_control_characters(
    example: Path, relative: str, name: str, line: int, bad: str, what: str
):
    path = example / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[line - 1].startswith(f"{name}: ")
    lines[line - 1] = f'{name}: "Texte{bad}"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = only_error(example, relative)
    assert (error["line"], error["column"]) == (line, len(name) + 3), error
    assert f"« {name} » : une seule ligne" in error["message"] and what in error["message"], error
    assert "\n" not in error["message"] and "\r" not in error["message"] and "\x1b" not in error["message"]

    result = gasp("validate", workspace=example)
    lines = [row for row in result.stderr.splitlines() if ": avertissement: " not in row]
    assert len(lines) == 1 and lines[0].startswith(f"{relative}:{line}:"), lines
    assert "\x1b" not in result.stderr and "\r" not in result.stderr


def test_a_line_break_inside_a_value_never_splits_a_diagnostic(example: Path):
    # A literal block: the value ends with a line break, as a pasted title often does.
    write(example, THEME, "title: |\n  Titre\n  # Pas un titre\ndescription: x\n")
    error = only_error(example, THEME)
    assert error["message"].count("\n") == 0 and "\\n" in error["message"]
    result = gasp("validate", workspace=example)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{THEME}:1:8: erreur: ")
    raw = gasp("validate", "--format", "json", workspace=example).stdout
    assert all("\n" not in d["message"] for d in json.loads(raw))


def test_a_diagnostic_is_always_one_line():
    diagnostic = Diagnostic("records/a\nb.yaml", 1, 1, "error", "x", "« a\nb\rc\x1b\u2028 »")
    assert "\n" not in diagnostic.message and "\r" not in diagnostic.message and "\x1b" not in diagnostic.message
    assert "\u2028" not in diagnostic.message and "\n" not in diagnostic.file
    assert diagnostic.as_text().count("\n") == 0


def test_long_text_keeps_its_lines_with_line_ends_made_lf():
    theme = models.Theme.model_validate({"title": "T", "description": "Un\r\nDeux\rTrois\n- quatre\x1b"})
    assert theme.description == "Un\nDeux\nTrois\n- quatre\x1b"


def test_long_text_with_crlf_in_a_file_validates(example: Path):
    path = example / THEME
    path.write_bytes(b'title: Essai\r\ndescription: "Un\\r\\nDeux\\rTrois"\r\n')
    assert errors_of(example, THEME) == []


# --- YAML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, guess",
    [
        ("yes", "true"),
        ("no", "false"),
        ("on", "true"),
        ("off", "false"),
        ("Yes", "true"),
        ("NO", "false"),
        ("On", "true"),
        ("oui", "true"),
    ],
)
def test_yaml_11_booleans_are_refused_with_a_suggestion(example: Path, word: str, guess: str):
    relative = "records/people/e-sion.yaml"
    path = example / relative
    path.write_text(path.read_text(encoding="utf-8") + f"publish_name: {word}\n", encoding="utf-8")
    error = only_error(example, relative)
    assert "écrivez true ou false" in error["message"] and f"sans doute {guess}" in error["message"]
    assert error["line"] == len(path.read_text(encoding="utf-8").splitlines())


def test_yes_and_no_in_a_text_field_stay_text(example: Path):
    write(example, THEME, "title: no\ndescription: yes\n")
    assert errors_of(example, THEME) == []


@pytest.mark.parametrize(
    "value",
    [
        "!!str Étiquette",
        "!!int 3",
        "!!bool true",
        "!!python/name:os.system x",
        "!<tag:yaml.org,2002:str> x",
        "!local x",
    ],
)
def test_explicit_tags_are_refused(example: Path, value: str):
    write(example, THEME, f"title: {value}\n")
    found = [d for d in errors_of(example, THEME) if d["code"] == "yaml-tag"]
    assert [(d["line"], d["column"]) for d in found] == [(1, 8)], found
    assert "refusée" in found[0]["message"]


def test_a_tag_on_a_key_or_a_list_is_refused(example: Path):
    write(example, THEME, "!!str title: Essai\n")
    assert only_error(example, THEME)["code"] == "yaml-tag"
    write(example, THEME, "title: Essai\ndescription: !!seq [a]\n")
    assert "yaml-tag" in [d["code"] for d in errors_of(example, THEME)]


@pytest.mark.parametrize(
    "value, words", [("010", "zéro en tête"), ("07", "zéro en tête"), ("0o7", "octal"), ("0x7", "hexadécimal")]
)
def test_integers_with_a_leading_zero_are_refused(example: Path, value: str, words: str):
    replace_in(
        example, "records/groups/agents.yaml", "frequency: monthly", f"frequency: monthly\n  skip_months: [{value}]"
    )
    found = errors_of(example, "records/groups/agents.yaml")
    assert any(d["code"] == "bad-number" and words in d["message"] for d in found), found


@pytest.mark.parametrize("day", ["1899-12-31", "2201-01-01", "0001-01-01", "9999-12-31"])
def test_dates_lie_between_1900_and_2200(example: Path, day: str):
    write(example, "records/observations/note.yaml", f"date: {day}\ntext: Une note.\n")
    error = only_error(example, "records/observations/note.yaml")
    assert (error["line"], error["column"]) == (1, 7)
    assert "1900" in error["message"] and "2200" in error["message"]


def test_the_first_and_last_dates_allowed(example: Path):
    write(example, "records/observations/debut.yaml", "date: 1900-01-01\ntext: Une note.\n")
    write(example, "records/observations/fin.yaml", "date: '2200-12-31'\ntext: Une note.\n")
    assert errors_of(example) == []


# --- files under records/ -----------------------------------------------------------------


def _validate_in_thread(example: Path) -> list[dict]:
    """Validate, failing the test (rather than hanging it) if validate waits."""
    box: list = []
    thread = threading.Thread(target=lambda: box.append(validate_json(example)), daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert box, "gasp validate hangs"
    return box[0][1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFO on this system")
def test_a_fifo_named_yaml_is_an_error_not_a_hang(example: Path):
    os.mkfifo(example / "records/themes/x.yaml")
    diagnostics = _validate_in_thread(example)
    found = [d for d in diagnostics if d["file"] == "records/themes/x.yaml"]
    assert [(d["code"], d["line"], d["column"]) for d in found] == [("not-a-file", 1, 1)], diagnostics
    assert "tube nommé" in found[0]["message"]


def test_a_symlinked_folder_inside_the_workspace_is_followed(example: Path):
    before = gasp("validate", workspace=example)
    (example / "archives").mkdir()
    (example / "records/meetings/2002").rename(example / "archives/2002")
    (example / "records/meetings/2002").symlink_to(example / "archives/2002", target_is_directory=True)
    after = gasp("validate", workspace=example)
    assert after.exit_code == before.exit_code == 0
    assert after.stdout == before.stdout  # every meeting of 2002 still counted


def test_a_symlink_leading_out_of_the_workspace_is_an_error(example: Path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("ailleurs")
    write(elsewhere, "themes/dehors.yaml", "title: Dehors\n")
    (example / "records/themes/lien.yaml").symlink_to(elsewhere / "themes/dehors.yaml")
    (example / "records/themes/dossier").symlink_to(elsewhere / "themes", target_is_directory=True)
    (example / "records/themes/passwd.yaml").symlink_to("/etc/passwd")
    found = {d["file"]: d for d in errors_of(example)}
    for file in ("records/themes/lien.yaml", "records/themes/dossier", "records/themes/passwd.yaml"):
        assert found[file]["code"] == "outside-link", found
        assert "hors de l'espace de travail" in found[file]["message"]


def test_a_symlinked_file_inside_the_workspace_is_read(example: Path):
    write(example, "partage/theme.yaml", "title: Partagé\n")
    (example / "records/themes/partage.yaml").symlink_to("../../partage/theme.yaml")
    assert errors_of(example) == []


def test_a_symlink_loop_is_read_once(example: Path):
    (example / "records/themes/boucle").symlink_to("..", target_is_directory=True)
    assert errors_of(example) == []


def test_a_dangling_symlink_is_an_error(example: Path):
    (example / "records/themes/perdu.yaml").symlink_to("nulle-part.yaml")
    error = only_error(example, "records/themes/perdu.yaml")
    assert error["code"] == "unreadable"


def test_an_unreadable_folder_is_an_error(example: Path, monkeypatch):
    """Simulated by refusing os.scandir on one folder: as root (the test machine), chmod 000 does not deny."""
    target = os.path.realpath(example / "records/meetings/2002")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.realpath(path) == target:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = [d for d in errors_of(example) if d["code"] == "unreadable"]
    assert [(d["file"], d["line"], d["column"]) for d in found] == [("records/meetings/2002", 1, 1)]
    assert "dossier illisible" in found[0]["message"] and "permission refusée" in found[0]["message"]


def test_an_unreadable_file_is_an_error(example: Path, monkeypatch):
    """Simulated by refusing os.open on one file (chmod 000 does not deny root)."""
    target = str(example / "records/themes/accueil-du-public.yaml")
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    error = only_error(example, "records/themes/accueil-du-public.yaml")
    assert error["code"] == "unreadable" and "permission refusée" in error["message"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder: simulated in the test above")
def test_a_chmod_000_folder_is_an_error(example: Path):
    folder = example / "records/meetings/2002"
    folder.chmod(0)
    try:
        assert any(d["code"] == "unreadable" and d["file"] == "records/meetings/2002" for d in errors_of(example))
    finally:
        folder.chmod(0o755)


# --- one run shows every problem (issue 12) --------------------------------------------------


def test_a_record_that_fails_its_model_still_has_its_references_checked(example: Path):
    relative = "records/meetings/2001/2001-01-09-agents.yaml"
    replace_in(example, relative, "status: held", "status: held\ntime: 14h")
    replace_in(example, relative, "- e-sion", "- e-sionn")
    replace_in(example, relative, "- proposal: reamenagement-des-locaux", "- proposal: reamenagement-des-locau")
    found = errors_of(example, relative)
    codes = sorted(d["code"] for d in found)
    assert codes == ["bad-value", "dangling-ref", "dangling-ref"], found
    messages = " ".join(d["message"] for d in found)
    assert "vouliez-vous dire « e-sion »" in messages
    assert "vouliez-vous dire « reamenagement-des-locaux »" in messages


# --- a French word for an enum value (issue 12) -------------------------------------------------


@pytest.mark.parametrize(
    "relative, old, new, hint",
    [
        ("records/meetings/2001/2001-01-09-agents.yaml", "status: held", "status: tenue", "écrivez held (tenue)"),
        (
            "records/meetings/2001/2001-01-09-agents.yaml",
            "status: held",
            "status: Annulée",
            "écrivez cancelled (annulée)",
        ),
        ("records/people/e-sion.yaml", "kind: facilitator", "kind: habitant", "écrivez resident (habitant)"),
        ("records/groups/agents.yaml", "frequency: monthly", "frequency: mensuelle", "écrivez monthly (mensuelle)"),
        ("records/groups/agents.yaml", "weekday: tuesday", "weekday: mardi", "écrivez tuesday (mardi)"),
    ],
)
def test_a_french_word_for_an_enum_value_names_the_token(example: Path, relative: str, old: str, new: str, hint: str):
    replace_in(example, relative, old, new)
    found = [d for d in errors_of(example, relative) if d["code"] == "bad-enum"]
    assert len(found) == 1 and hint in found[0]["message"], found


# --- the record fields DESIGN.md lists ---------------------------------------------------------


def test_the_new_record_fields_are_read(example: Path):
    replace_in(
        example,
        "records/gasp.yaml",
        "as_of: 2002-06-30",
        "as_of: 2002-06-30\ncommitments:\n  decision_within_days: 180\n  minutes_within_days: 15",
    )
    replace_in(
        example,
        "records/groups/agents.yaml",
        "name: Groupe des agents",
        "name: Groupe des agents\npublic_minutes: true",
    )
    replace_in(
        example,
        "records/meetings/2001/2001-01-09-agents.yaml",
        "status: held",
        "status: held\nminutes_sent: 2001-01-20\nguests: [bailleurs, M. Durand, directeur d’école]",
    )
    replace_in(
        example,
        "records/proposals/reamenagement-des-locaux.yaml",
        "title: ",
        "services: [maison-des-services]\ntitle: ",
    )  # horaires-police has its own services now
    write(
        example,
        "records/observations/premiere-reunion.yaml",
        "date: 2001-01-09\nmeeting: 2001-01-09-agents\nthemes: [accueil-du-public]\n"
        "text: |\n  Les agents parlent librement.\n\n  - premier point\n",
    )
    assert errors_of(example) == []


def test_the_new_id_fields_are_reference_checked(example: Path):
    replace_in(
        example, "records/proposals/reamenagement-des-locaux.yaml", "title: ", "services: [police-de-proximit]\ntitle: "
    )
    write(
        example,
        "records/observations/note.yaml",
        "date: 2001-01-09\nmeeting: 2001-01-09-agent\nthemes: [accueil-du-publik]\ntext: Note.\n",
    )
    found = [d for d in errors_of(example) if d["code"] == "dangling-ref"]
    assert {(d["file"], d["line"], d["column"]) for d in found} == {
        ("records/proposals/reamenagement-des-locaux.yaml", 1, 12),
        ("records/observations/note.yaml", 2, 10),
        ("records/observations/note.yaml", 3, 10),
    }, found
    messages = " ".join(d["message"] for d in found)
    assert "« police-de-proximite »" in messages and "« 2001-01-09-agents »" in messages
    assert "« accueil-du-public »" in messages


def test_a_commitment_is_a_number_of_days(example: Path):
    replace_in(
        example,
        "records/gasp.yaml",
        "as_of: 2002-06-30",
        "as_of: 2002-06-30\ncommitments:\n  decision_within_days: 0\n  minutes_within_dayz: 15",
    )
    codes = sorted(d["code"] for d in errors_of(example, "records/gasp.yaml"))
    assert codes == ["bad-value", "unknown-key"]


def test_public_minutes_defaults_by_group_kind():
    cadence = {
        "frequency": "monthly",
        "weekday": "monday",
        "week": 1,
        "time": "14:00",
        "duration": 90,
        "place": "salle",
    }
    made = {
        kind: models.Group.model_validate({"name": "G", "kind": kind, "cadence": cadence})
        for kind in ("agents", "usagers", "referents", "intergroupes")
    }
    assert {kind: group.minutes_are_public for kind, group in made.items()} == {
        "agents": False,
        "usagers": True,
        "referents": False,
        "intergroupes": True,
    }
    agents = models.Group.model_validate({"name": "G", "kind": "agents", "cadence": cadence, "public_minutes": True})
    assert agents.minutes_are_public


def test_a_place_name_with_a_line_break_is_refused(example: Path):
    replace_in(
        example,
        "records/gasp.yaml",
        "    name: Maison des services publics",
        '    name: "Maison des services\\npublics"',
    )
    error = only_error(example, "records/gasp.yaml")
    assert (error["line"], error["column"]) == (12, 11) and "une seule ligne" in error["message"], error
    for command in (["calendar", "--year", "2001", "--format", "ics"], ["render", "--format", "md"]):
        result = gasp(*command, workspace=example)
        assert result.exit_code == 1 and "erreur interne" not in result.output


def test_an_id_with_a_final_line_break_is_one_error_not_two(example: Path):
    relative = "records/meetings/2001/2001-01-09-agents.yaml"
    replace_in(example, relative, "- e-sion\n", '- "e-sion\\n"\n')
    found = errors_of(example, relative)
    assert [d["code"] for d in found] == ["bad-id"], found
