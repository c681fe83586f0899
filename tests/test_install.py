"""`make install` and `make uninstall` as a secretary runs them: a temporary HOME, then gasp from another folder.

Slow (a virtual environment and a pip install, about half a minute with pip's cache): marked
`slow`, run by `make test` like every test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def _pip_cache() -> str:
    found = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else ""


def _make(target: str, home: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("XDG_", "GASP_", "VIRTUAL_ENV"))}
    env |= {"HOME": str(home), "PATH": path, "LC_ALL": "C.UTF-8"}
    cache = _pip_cache()
    if cache:
        env["PIP_CACHE_DIR"] = cache  # the machine's cache, not the temporary HOME's
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), target, f"PYTHON={_base_python()}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _base_python() -> str:
    """The Python this venv was made from: make install makes its own venv, as from a stock python3."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_install_then_gasp_from_any_folder_then_uninstall(tmp_path: Path):
    home = tmp_path / "maison"
    home.mkdir()
    system_path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p)
    installed = _make("install", home, system_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    launcher = home / ".local" / "bin" / "gasp"
    venv = home / ".local" / "share" / "gasp" / "venv"
    assert launcher.is_symlink() and launcher.resolve() == (venv / "bin" / "gasp").resolve()
    # ~/.local/bin is not on this PATH: make install says, in French, how to add it.
    assert "n'est pas dans votre PATH" in installed.stdout
    assert 'export PATH="$HOME/.local/bin:$PATH"' in installed.stdout

    env = {key: value for key, value in os.environ.items() if not key.startswith(("GASP_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"HOME": str(home), "PATH": f"{launcher.parent}{os.pathsep}{system_path}", "GASP_TODAY": "2026-12-01"}
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()

    def gasp(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["gasp", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)

    made = gasp("init", "mon-gasp", "--name", "Gasp d’Onnaing", "--commune", "Onnaing", cwd=elsewhere)
    assert made.returncode == 0, made.stderr
    workspace = elsewhere / "mon-gasp"
    checked = gasp("validate", cwd=workspace)
    assert checked.returncode == 0, checked.stderr
    assert "0 erreur" in checked.stdout
    rendered = gasp("render", cwd=workspace)
    assert rendered.returncode == 0, rendered.stderr
    assert (workspace / "out" / "index.html").is_file()
    assert list((workspace / "out" / "guide").glob("guide-usagers.pdf"))
    # The installed gasp is a copy: it does not run from this clone.
    located = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import gasp_cli; print(gasp_cli.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
    )
    assert located.stdout.startswith(str(venv)), located.stdout
    # The serve extra, defined in pyproject.toml and named in INSTALL_EXTRAS, came along.
    served = subprocess.run([str(venv / "bin" / "python"), "-c", "import starlette, uvicorn"], cwd=elsewhere)
    assert served.returncode == 0

    # With ~/.local/bin on PATH, a second install says nothing about PATH.
    again = _make("install", home, f"{launcher.parent}{os.pathsep}{system_path}")
    assert again.returncode == 0, again.stderr
    assert "PATH" not in again.stdout

    removed = _make("uninstall", home, system_path)
    assert removed.returncode == 0, removed.stderr
    assert not launcher.exists() and not launcher.is_symlink()
    assert not (home / ".local" / "share" / "gasp").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_install_never_replaces_a_gasp_it_did_not_put_there(tmp_path: Path):
    home = tmp_path / "maison"
    other = home / ".local" / "bin" / "gasp"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\necho autre\n", encoding="utf-8")
    refused = _make("install", home, os.environ["PATH"])
    assert refused.returncode != 0
    assert "existe déjà et n'est pas le lanceur de make install" in refused.stderr
    assert other.read_text(encoding="utf-8") == "#!/bin/sh\necho autre\n"
    kept = _make("uninstall", home, os.environ["PATH"])
    assert kept.returncode == 0 and other.is_file()


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_make_install_takes_the_extras_of_one_variable_that_pyproject_defines(tmp_path: Path):
    def pip_line(extras: str) -> str:
        planned = subprocess.run(
            ["make", "--no-print-directory", "-n", "-C", str(REPO), "install", f"INSTALL_EXTRAS={extras}"],
            env={**os.environ, "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
        )
        return next(line for line in planned.stdout.splitlines() if "pip install" in line)

    # « test » is defined, « absent » is not: only the defined one is asked of pip.
    assert pip_line("test absent").endswith('pip install --quiet ".[test]"')
    assert pip_line("absent").endswith('pip install --quiet "."')
