"""`gasp new`: a one-line option holding a control character is a usage error, never an internal one."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import gasp, minimal_workspace


@pytest.mark.parametrize(
    "args",
    [
        ["new", "theme", "--title", "\x1b"],
        ["new", "theme", "--title", "Logement\nsocial"],
        ["new", "service", "--name", "Mairie\x07", "--institution", "Ville", "--category", "Accueil"],
    ],
)
def test_a_control_character_is_refused_with_exit_2(tmp_path: Path, args: list[str]):
    root = minimal_workspace(tmp_path)
    result = gasp(*args, workspace=root)
    assert result.exit_code == 2, result.output
    assert "sans caractère de contrôle" in result.output and "erreur interne" not in result.output
    assert not (root / "records/themes").exists() and not (root / "records/services").exists()
