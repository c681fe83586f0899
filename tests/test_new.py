"""`gasp init`, `gasp new …`, `gasp schema`, completion and the pre-commit hook."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, REPO, gasp, typeset, write
from gasp_cli.yamlsource import read_record_file

TODAY = {"GASP_TODAY": "2026-11-25"}


def run(root: Path, *args: str, env: dict | None = None):
    """gasp from inside the workspace, as the secretary types it."""
    previous = Path.cwd()
    os.chdir(root)
    try:
        return gasp(*args, env={**TODAY, **(env or {})})
    finally:
        os.chdir(previous)


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    result = run(tmp_path, "init", "--name", "Gasp de Bruay", "--commune", "Bruay-sur-l'Escaut")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_from_init_through_new_to_validate_and_render(fresh: Path):
    assert run(fresh, "validate", "--strict").exit_code == 0
    created = []
    for args in (
        ["new", "theme", "--title", "Logement social", "--description", "Les halls, les loyers."],
        ["new", "proposal", "--title", "Un relais logement !", "--theme", "logement-social"],
        ["new", "person", "--kind", "resident"],
        ["new", "person", "--kind", "agent", "--name", "Agent d'accueil", "--role", "Accueil"],
        ["new", "service", "--name", "Mairie : accueil", "--institution", "Ville de Bruay", "--category", "Démarches"],
        ["new", "meeting", "--group", "agents"],
        ["new", "meeting", "--group", "referents"],
        ["new", "meeting", "--group", "usagers", "--date", "2026-12-10"],
    ):
        result = run(fresh, *args)
        assert result.exit_code == 0, (args, result.output)
        created.append(result.stdout.strip())
    assert created == [
        "records/themes/logement-social.yaml",
        "records/proposals/un-relais-logement.yaml",
        "records/people/habitant-1.yaml",
        "records/people/agent-d-accueil.yaml",
        "records/services/mairie-accueil.yaml",
        "records/meetings/2026/2026-12-08-agents.yaml",
        "records/meetings/2026/2026-12-18-referents.yaml",
        "records/meetings/2026/2026-12-10-usagers.yaml",
    ]
    result = run(fresh, "validate", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "0 erreur, 0 avertissement dans 14 fichiers"

    # The meeting is pre-filled: time, place, members; the référents' one lists what awaits a decision.
    agents = (fresh / created[5]).read_text(encoding="utf-8")
    assert "# Réunion : Groupe des agents, mardi 8 décembre 2026 à 14 h, Mairie." in agents
    assert "time: '14:00'" in agents and "place: mairie" in agents and "attendees:\n  - secretaire\n" in agents
    referents = (fresh / created[6]).read_text(encoding="utf-8")
    assert "#   - proposal: un-relais-logement   # Un relais logement ! (soulevée)" not in referents  # not raised yet

    # After the meeting: the secretary fills it in; the compte rendu follows.
    meeting = fresh / created[5]
    meeting.write_text(
        agents.replace("status: planned", "status: held").replace(
            "# proposals:\n#   - proposal: identifiant-de-la-proposition\n#     event: raised\n",
            "proposals:\n  - proposal: un-relais-logement\n    event: raised\n",
        ),
        encoding="utf-8",
    )
    after = {"GASP_TODAY": "2026-12-09"}
    assert run(fresh, "validate", "--strict", env=after).exit_code == 0
    rendered = run(fresh, "render", "2026-12-08-agents", "--format", "md", env=after)
    assert rendered.exit_code == 0, rendered.output
    assert typeset("Un relais logement !") in (fresh / "out/comptes-rendus/2026-12-08-agents.md").read_text(
        encoding="utf-8"
    )

    # Now the référents' meeting proposes the decision, ready for an outcome.
    (fresh / created[6]).unlink()
    assert run(fresh, "new", "meeting", "--group", "referents", env=after).exit_code == 0
    referents = (fresh / created[6]).read_text(encoding="utf-8")
    assert (
        "#   - proposal: un-relais-logement   # Un relais logement ! (soulevée)\n#     outcome: validated\n"
        in referents
    )


def test_never_overwrites(fresh: Path):
    first = run(fresh, "new", "theme", "--title", "Logement")
    second = run(fresh, "new", "theme", "--title", "Logement")
    assert (first.stdout.strip(), second.stdout.strip()) == (
        "records/themes/logement.yaml",
        "records/themes/logement-2.yaml",
    )
    assert run(fresh, "new", "meeting", "--group", "agents", "--date", "2026-12-08").exit_code == 0
    before = (fresh / "records/meetings/2026/2026-12-08-agents.yaml").read_bytes()
    again = run(fresh, "new", "meeting", "--group", "agents", "--date", "2026-12-08")
    assert again.exit_code == 1 and "existe déjà" in again.stderr
    assert (fresh / "records/meetings/2026/2026-12-08-agents.yaml").read_bytes() == before


def test_bad_arguments(fresh: Path):
    unknown = run(fresh, "new", "meeting", "--group", "agent")
    assert unknown.exit_code == 1 and "vouliez-vous dire « agents » ?" in unknown.stderr
    assert run(fresh, "new", "meeting", "--group", "agents", "--date", "2026-02-30").exit_code == 2
    theme = run(fresh, "new", "proposal", "--title", "x", "--theme", "logement")
    assert theme.exit_code == 1 and "gasp new theme" in theme.stderr
    assert run(fresh, "new", "person", "--kind", "habitant").exit_code == 2
    assert run(fresh, "new", "person", "--kind", "agent").exit_code == 1  # an agent needs a name
    assert run(fresh, "new", "theme", "--title", "  ").exit_code == 2


def test_init_refuses_records_that_exist(fresh: Path, tmp_path: Path):
    again = run(fresh, "init")
    assert again.exit_code == 1 and "n'est pas vide" in again.stderr
    copy = run(tmp_path, "init", str(tmp_path / "exemple"), "--example")
    assert copy.exit_code == 0
    assert gasp("validate", "--strict", workspace=tmp_path / "exemple").exit_code == 0
    assert (tmp_path / "exemple/.gitignore").read_text(encoding="utf-8").startswith("# Produit par gasp render")
    assert "out/" in (fresh / ".gitignore").read_text(encoding="utf-8")
    assert (fresh / "templates/README.md").is_file()


def test_editor_settings_map_each_folder_to_its_schema(fresh: Path):
    settings = json.loads((fresh / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping["./schemas/meeting.schema.json"] == ["records/meetings/**/*.yaml"]
    for schema in mapping:
        assert (fresh / schema).is_file()
    first_line = (fresh / "records/groups/agents.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../schemas/group.schema.json"


# --- the JSON Schemas, as an editor uses them ----------------------------------------------


def _as_editor_sees(value):
    """YAML 1.2 as yaml-language-server reads it: dates are strings."""
    if isinstance(value, dict):
        return {k: _as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _validators(tmp_path: Path):
    import jsonschema

    result = gasp("schema", "--out", str(tmp_path / "schemas"))
    assert result.exit_code == 0 and result.stdout.startswith("8 schémas écrits")
    validators = {}
    for path in (tmp_path / "schemas").glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[path.name] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return validators


SCHEMA_OF = {
    "groups": "group",
    "people": "person",
    "services": "service",
    "themes": "theme",
    "proposals": "proposal",
    "meetings": "meeting",
    "observations": "observation",
}


def _schema_for(relative: str) -> str:
    parts = relative.split("/")
    return "gasp.schema.json" if parts[-1] == "gasp.yaml" and len(parts) == 1 else f"{SCHEMA_OF[parts[0]]}.schema.json"


def test_the_schemas_accept_the_example(tmp_path: Path):
    validators = _validators(tmp_path)
    for path in sorted(EXAMPLE.rglob("*.yaml")):
        relative = path.relative_to(EXAMPLE).as_posix()
        data = _as_editor_sees(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = list(validators[_schema_for(relative)].iter_errors(data))
        assert not errors, (relative, [e.message for e in errors])


SCHEMA_CASES = [
    "unknown-key",
    "missing-field",
    "bad-type",
    "bad-enum",
    "bad-weekday",
    "bad-week",
    "bad-date",
    "bad-time",
    "bad-id-value",
    "duplicate-key",
]


@pytest.mark.parametrize("case", SCHEMA_CASES)
def test_the_schemas_reject_the_bad_input_corpus(case: str, tmp_path: Path):
    validators = _validators(tmp_path)
    folder = Path(__file__).parent / "bad_input" / case / "records"
    for path in folder.rglob("*.yaml"):
        relative = path.relative_to(folder).as_posix()
        text = path.read_text(encoding="utf-8")
        data = _as_editor_sees(read_record_file(path, relative).data)  # 2001-02-30 stays text, as for an editor
        if case == "duplicate-key":  # PyYAML keeps the last value; the editor's YAML parser is the one to refuse
            assert text.count("title:") == 2
            continue
        assert list(validators[_schema_for(relative)].iter_errors(data)), relative


def test_the_schemas_describe_fields_in_french(tmp_path: Path):
    schema = json.loads(
        gasp("schema", "--out", str(tmp_path)).stdout and (tmp_path / "meeting.schema.json").read_text(encoding="utf-8")
    )
    assert schema["properties"]["status"]["enum"] == ["planned", "held", "cancelled"]
    assert "tenue" in schema["properties"]["status"]["description"]
    assert schema["properties"]["group"]["pattern"] == "^[a-z0-9][a-z0-9-]{0,79}$"


# --- completion and the pre-commit hook -----------------------------------------------------


def _complete(words: str, cwd: Path) -> list[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "_GASP_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    env.pop("GASP_RECORDS", None)
    result = subprocess.run(
        [sys.executable, "-m", "gasp_cli"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    return result.stdout.split()


def test_completion_offers_ids_from_the_workspace():
    assert _complete("gasp calendar --group ag", REPO) == ["agents"]
    assert _complete("gasp trace proposal regie", REPO) == ["regie-de-quartier"]
    assert "2002-06-21-referents" in _complete("gasp render 2002-06", REPO)
    assert _complete("gasp new proposal --theme loge", REPO) == ["logement"]
    assert "validate" in _complete("gasp val", REPO)


def test_the_pre_commit_hook_refuses_a_broken_record(tmp_path: Path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit n'est pas installé (extra « test »)")
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "gasp-validate" and hooks[0]["entry"] == "gasp validate"
    # The hook repository is a snapshot of this one, committed, as pre-commit clones it.
    source = tmp_path / "gasp"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", "out", ".git", "__pycache__", "workspace", ".pytest_cache", ".hypothesis"
        ),
    )
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=source, check=True)
    subprocess.run([*git, "add", "-A"], cwd=source, check=True)
    subprocess.run([*git, "commit", "-qm", "gasp"], cwd=source, check=True)
    revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True).stdout.strip()
    records = tmp_path / "records-repo"
    shutil.copytree(EXAMPLE, records / "records")
    (records / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {revision}\n    hooks:\n      - id: gasp-validate\n", encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q"], cwd=records, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("GASP_RECORDS", None)
    subprocess.run([*git, "add", "-A"], cwd=records, check=True)
    good = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=records, env=env, capture_output=True, text=True, timeout=600
    )
    assert good.returncode == 0, good.stdout + good.stderr
    write(records, "records/themes/casse.yaml", "titel: Casse\n")
    subprocess.run([*git, "add", "-A"], cwd=records, check=True)
    bad = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=records, env=env, capture_output=True, text=True, timeout=600
    )
    assert bad.returncode == 1
    assert "records/themes/casse.yaml:1:1: erreur: clé inconnue « titel » ; vouliez-vous dire « title » ?" in bad.stdout


# --- issue 23: gasp new beside records with errors ------------------------------------------


def test_new_proposal_creates_the_proposal_a_meeting_already_cites(fresh: Path):
    """The error it fixes (« proposition inconnue ») does not stop it; validate then passes."""
    assert run(fresh, "new", "theme", "--title", "Logement").exit_code == 0
    meeting = run(fresh, "new", "meeting", "--group", "agents", "--date", "2026-11-10")
    assert meeting.exit_code == 0, meeting.output
    path = fresh / "records/meetings/2026/2026-11-10-agents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("status: planned", "status: held")
        + "proposals:\n  - {proposal: relais-logement, event: raised}\n",
        encoding="utf-8",
    )
    before = run(fresh, "validate")
    assert 'pour la créer : gasp new proposal --title "Relais logement" --theme THEME' in before.stderr
    created = run(fresh, "new", "proposal", "--title", "Relais logement", "--theme", "logement")
    assert created.exit_code == 0, created.output
    assert created.stdout.strip() == os.path.join("records", "proposals", "relais-logement.yaml")
    assert "1 erreur ailleurs dans les enregistrements" in created.stderr
    assert run(fresh, "validate").exit_code == 0


def test_new_says_which_file_it_reads_blocks_it(fresh: Path):
    group = fresh / "records/groups/agents.yaml"
    group.write_text(group.read_text(encoding="utf-8") + "colour: rouge\n", encoding="utf-8")
    blocked = run(fresh, "new", "meeting", "--group", "agents")
    assert blocked.exit_code == 1
    assert "records/groups/agents.yaml:" in blocked.stderr
    assert blocked.stderr.splitlines()[-1] == (
        "gasp : records/groups/agents.yaml : gasp new lit ce fichier, et 1 erreur l’en empêche ; "
        "corrigez d’abord ce fichier (rien n'a été écrit)"
    )
    assert not list((fresh / "records/meetings").rglob("*.yaml"))
    # The same error does not stop a record that does not read that file.
    other = run(fresh, "new", "meeting", "--group", "usagers")
    assert other.exit_code == 0, other.output
    # An id error in the kind's own folder blocks: a new id could be taken.
    write(fresh, "records/themes/Logement.yaml", "title: Logement\n")
    theme = run(fresh, "new", "theme", "--title", "Logement")
    assert theme.exit_code == 1 and "records/themes/Logement.yaml" in theme.stderr.splitlines()[-1]


def test_new_person_takes_the_french_word_for_a_kind(fresh: Path):
    for word, token in (("habitant", "resident (habitant)"), ("élu", "elected (élu)")):
        result = run(fresh, "new", "person", "--kind", word)
        assert result.exit_code == 2
        assert f"« {word} » n'est pas permis ; écrivez {token} ; valeurs possibles" in result.stderr, result.stderr


def test_a_control_character_in_a_person_s_name_or_role_is_a_usage_error(fresh: Path):
    """Found by tests/test_environment_properties.py: `--name $'\\x1f'` reached the last-resort handler."""
    for option, value in (("--name", "\x1f"), ("--name", "Ana\x1bB"), ("--role", "Accueil\x07")):
        result = run(fresh, "new", "person", "--kind", "agent", option, value)
        assert result.exit_code == 2, (option, value, result.output)
        assert isinstance(result.exception, SystemExit)
        assert "erreur interne" not in result.stderr
    assert sorted(p.name for p in (fresh / "records/people").iterdir()) == ["secretaire.yaml"]
