"""Finding the workspace: --records, then $GASP_RECORDS, then the current folder and its parents."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, gasp
from gasp_cli.workspace import WorkspaceNotFound, find_workspace


def test_records_option_takes_the_workspace_or_its_records_folder():
    assert find_workspace(str(REPO), environ={}).root == REPO
    assert find_workspace(str(REPO / "records"), environ={}).root == REPO


def test_environment_variable_comes_after_the_option(tmp_path: Path):
    assert find_workspace(None, environ={"GASP_RECORDS": str(REPO)}, cwd=tmp_path).root == REPO
    with pytest.raises(WorkspaceNotFound):
        find_workspace(str(tmp_path), environ={"GASP_RECORDS": str(REPO)})


def test_current_folder_and_its_parents():
    deep = REPO / "records" / "meetings" / "2001"
    assert find_workspace(None, environ={}, cwd=deep).root == REPO


def test_no_workspace_is_a_usage_error_in_french(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = gasp("validate", env={"GASP_RECORDS": ""})
    assert result.exit_code == 2
    assert "aucun espace de travail gasp" in result.stderr
    assert result.stdout == ""


def test_a_wrong_records_option_is_a_usage_error(tmp_path: Path):
    result = gasp("validate", workspace=tmp_path)
    assert result.exit_code == 2
    assert "n'est pas un espace de travail gasp" in result.stderr
