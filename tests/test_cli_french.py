"""The command line speaks French everywhere a newcomer looks, and takes --records after a command too."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, gasp

# Words Typer or Click print in English; none may reach a help screen or a usage error.
ENGLISH = [
    r"\bUsage\b",
    r"\bOptions:",
    r"\bCOMMAND\b",
    r"\bARGS\b",
    r"int range",
    r"list\[str\]",
    r"<str>",
    r"<int",
    r"\[\[",
    r"\]\.\.\.\]",
    r"default:",
    r"\brequired\b",
    r"Arguments:",
    r"Commands:",
    r"\bShow\b",
    r"\bInstall\b",
    r"Input should",
    r"\bMissing\b",
    r"\bError\b",
    r"\w\.\.\.$",
    r"x<=",
    r"<=x",
    r"\bAborted\b",
]


def _english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if re.search(word, text, re.M)]


HELP_SCREENS = [
    (),
    ("render",),
    ("calendar",),
    ("report",),
    ("validate",),
    ("trace",),
    ("trace", "proposal"),
    ("new",),
    ("new", "meeting"),
    ("new", "person"),
    ("init",),
    ("schema",),
    ("rename",),
]


@pytest.mark.parametrize("command", HELP_SCREENS, ids=lambda c: " ".join(c) or "gasp")
def test_help_screens_have_no_english(command: tuple[str, ...]):
    result = gasp(*command, "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert not _english_in(result.stdout), (_english_in(result.stdout), result.stdout)
    assert result.stdout.startswith(f"Utilisation : gasp {' '.join(command)}".rstrip() + " ")


def test_the_usage_lines_and_headings_read_french():
    top = gasp("--help", env={"COLUMNS": "80"}).stdout
    assert top.startswith("Utilisation : gasp [OPTIONS] COMMANDE [ARGUMENTS]...\n")
    assert "\nOptions :\n" in top and "\nCommandes :\n" in top
    # A command's summary is its whole sentence, wrapped, never cut with « ... ».
    assert "dossiers des référents, calendrier, rapports, propositions, suivi." in " ".join(top.split())
    render = gasp("render", "--help", env={"COLUMNS": "80"}).stdout
    assert render.startswith("Utilisation : gasp render [OPTIONS] [REUNION]...\n")
    assert "\nArguments :\n  [REUNION]...  " in render
    calendar = gasp("calendar", "--help", env={"COLUMNS": "80"}).stdout
    assert "--year AAAA" in calendar and "de 1900 à 2200" in " ".join(calendar.split())
    assert "--format table|json|md|ics" in calendar


USAGE_ERRORS = [
    (("calendar", "--year", "abc"), "valeur invalide pour « --year »"),
    (("calendar", "--year", "1800"), "valeur invalide pour « --year »"),
    (("calendar", "--year", "2300"), "valeur invalide pour « --year »"),
    (("report", "--format", "xml"), "« xml » n'est pas permis"),
    (("new", "meeting"), "paramètre « --group » manquant"),
    (("validate", "--strict=3"), "ne prend pas de valeur"),
]


@pytest.mark.parametrize("args,message", USAGE_ERRORS, ids=lambda a: " ".join(a) if isinstance(a, tuple) else "")
def test_usage_errors_have_no_english(args: tuple[str, ...], message: str):
    result = gasp(*args, workspace=REPO, env={"COLUMNS": "80"})
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not _english_in(result.stderr), result.stderr


def test_records_is_accepted_after_the_command(tmp_path: Path):
    # No --records before the command: only after it.
    for args in (
        ("validate",),
        ("calendar", "--year", "2001"),
        ("trace", "proposal"),
        ("report", "--year", "2001"),
        ("render", "2001-06-14-usagers", "--format", "md", "--out", str(tmp_path / "out")),
    ):
        result = gasp(*args, "--records", str(REPO))
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "out" / "comptes-rendus" / "2001-06-14-usagers.md").is_file()
    # The option also names the records/ folder, and wins over the global one given before.
    result = gasp("--records", str(tmp_path), "validate", "--records", str(REPO / "records"))
    assert result.exit_code == 0, result.output
    # Both places are told in the help.
    assert "--records DOSSIER" in gasp("render", "--help").stdout


def test_records_after_the_command_is_checked_like_the_global_one(tmp_path: Path):
    result = gasp("validate", "--records", str(tmp_path))
    assert result.exit_code == 2
    assert "--records" in result.stderr and "n'est pas un espace de travail gasp" in result.stderr


def test_the_completion_installer_speaks_french(tmp_path: Path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),
        "SHELL": "/bin/bash",
        "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "gasp_cli", "--install-completion", "bash"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "complétion bash installée dans" in result.stdout
    assert "prochain démarrage du terminal" in result.stdout
    assert not re.search(r"installed|will take effect", result.stdout + result.stderr)
    assert (tmp_path / ".bashrc").is_file()


def test_the_french_layer_uses_only_typers_public_surface():
    """No `typer._click`, no patched gettext: with Typer 0.15 (its own Click) gasp failed at import."""
    source = (REPO / "gasp_cli" / "cli" / "french.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not any(name and "_click" in name for name in imported), imported
    assert "typer.core._ =" not in source and "gettext" not in source.replace("No gettext", "")


def _titles(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["title"]] if isinstance(node.get("title"), str) else []
        return found + [t for value in node.values() for t in _titles(value)]
    if isinstance(node, list):
        return [t for value in node for t in _titles(value)]
    return []


def test_the_schema_titles_are_french():
    from gasp_cli.models import KINDS, Gasp
    from gasp_cli.schema import schemas

    titles = {t for schema in schemas().values() for t in _titles(schema)}
    english = {
        "What",
        "Who",
        "Due",
        "Done",
        "Name",
        "Members",
        "Attendees",
        "Status",
        "Proposal",
        "Member",
        "Problemraised",
        "Proposalevent",
        "Agentsinfo",
        "Publicinfo",
    }
    assert not titles & english, titles & english
    assert {"Quoi", "Qui", "Échéance", "Présents"} <= titles
    # Every field of every model has a title other than its key made English-looking.
    for model in (Gasp, *KINDS.values()):
        for name in model.model_fields:
            title = schemas_title(model, name)
            same_in_french = {
                "communes",
                "cadence",
                "description",
                "institution",
                "date",
                "note",
                "service",
                "actions",
                "discussion",
                "contact",
            }
            assert name in same_in_french or title != name.replace("_", " ").title(), (model.__name__, name)


def schemas_title(model: type, name: str) -> str:
    from gasp_cli.schema import french_titles

    schema = model.model_json_schema()
    french_titles(schema)
    return schema["properties"][name]["title"]
