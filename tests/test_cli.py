"""The command line as a user meets it: help, version, exit codes, no traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, gasp
from gasp_cli import __version__
from gasp_cli.cli import app


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GASP_RECORDS", None)
    return subprocess.run(
        [sys.executable, "-m", "gasp_cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_help_is_in_french():
    result = gasp("--help")
    assert result.exit_code == 0
    assert "Groupe d'amélioration des services publics" in result.stdout
    assert "validate" in result.stdout


def test_every_command_has_help_and_appears_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = [[command.name] for command in app.registered_commands]
    for group in app.registered_groups:
        names += [[group.name, command.name] for command in group.typer_instance.registered_commands]
    assert {"validate", "calendar", "render"} <= {n[0] for n in names} and ["trace", "proposal"] in names
    for name in names:
        result = gasp(*name, "--help")
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Utilisation : gasp {' '.join(name)}"), result.stdout
        assert f"`gasp {' '.join(name)}" in readme, name


def test_version():
    result = gasp("--version")
    assert (result.exit_code, result.stdout.strip()) == (0, f"gasp {__version__}")


def test_usage_errors_are_told_in_french_with_exit_2():
    cases = {
        ("validate", "--format", "xml"): "valeur invalide pour « --format » : « xml » n'est pas permis ; "
        "valeurs possibles : text, json",
        ("valdate",): "commande « valdate » inconnue ; vouliez-vous dire « validate » ?",
        ("validate", "--strikt"): "option « --strikt » inconnue ; vouliez-vous dire « --strict » ?",
        ("validate", "en-trop"): "argument en trop : en-trop",
    }
    for args, message in cases.items():
        result = gasp(*args, workspace=REPO)
        assert result.exit_code == 2, args
        assert f"gasp : erreur d'utilisation : {message}\n" in result.stderr, result.stderr
        assert result.stdout == ""


def test_help_headings_are_french():
    result = gasp("validate", "--help")
    assert "Utilisation : gasp validate [OPTIONS]" in result.stdout
    assert "Affiche cette aide et s'arrête." in result.stdout
    assert "[par défaut : text]" in result.stdout


def test_the_real_entry_point_on_the_example():
    result = _run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("0 erreur, 0 avertissement")


def test_the_real_entry_point_never_shows_a_traceback(tmp_path: Path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "gasp.yaml").write_bytes(b"name: [\xff\n")
    for args in (("validate",), ("validate", "--format", "json"), ("nonsense",), ("validate", "--strict", "x")):
        result = _run("--records", str(tmp_path), *args, cwd=tmp_path)
        assert result.returncode in (1, 2), (args, result.returncode)
        assert "Traceback" not in result.stderr + result.stdout


def test_no_workspace_exit_2(tmp_path: Path):
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "aucun espace de travail gasp" in result.stderr


def test_the_version_has_its_changelog_entry():
    """Each release has its own number and its entry in CHANGELOG.md (Keep a Changelog)."""
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), __version__
    assert __version__ != "0.1.0"
