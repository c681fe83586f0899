"""The pre-commit instructions of the guide and of docs/commandes.md work as written: a `repo: local` hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, REPO, write

GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def _config_in(document: Path, heading: str) -> str:
    text = document.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    return re.search(r"```yaml\n(repos:\n.*?)```", section, re.S)[1]


@pytest.mark.parametrize(
    "document,heading",
    [
        (REPO / "docs" / "guide-secretaire.md", "## 6. Vérifier à chaque commit"),
        (REPO / "docs" / "commandes.md", "## Vérifier à chaque commit"),
    ],
    ids=["guide", "commandes"],
)
def test_the_local_hook_as_written_refuses_a_broken_record(tmp_path: Path, document: Path, heading: str):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit n'est pas installé (extra « test »)")
    config = _config_in(document, heading)
    assert "rev:" not in config and "v0.1.0" not in document.read_text(encoding="utf-8")
    assert yaml.safe_load(config)["repos"][0]["repo"] == "local"
    records = tmp_path / "records-repo"
    shutil.copytree(EXAMPLE, records / "records")
    (records / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=records, check=True)
    # The installed gasp, as after « pipx install »: the one next to this Python.
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("GASP_RECORDS", None)
    assert Path(sys.executable).with_name("gasp").exists()
    subprocess.run([*GIT, "add", "-A"], cwd=records, check=True)
    good = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=records, env=env, capture_output=True, text=True, timeout=600
    )
    assert good.returncode == 0, good.stdout + good.stderr
    write(records, "records/themes/casse.yaml", "titel: Casse\n")
    subprocess.run([*GIT, "add", "-A"], cwd=records, check=True)
    bad = subprocess.run(
        [pre_commit, "run", "--all-files"], cwd=records, env=env, capture_output=True, text=True, timeout=600
    )
    assert bad.returncode == 1
    assert "records/themes/casse.yaml:1:1: erreur: clé inconnue « titel » ; vouliez-vous dire « title » ?" in bad.stdout
