"""The static checks run with the tests: mypy, strict, on gasp_cli/, and ruff's chosen rules.

Both read their configuration from pyproject.toml; a failure shows their own report,
one finding per line at `file:line:column`, as they print it.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib

import pytest
from pydantic import TypeAdapter, ValidationError

from conftest import REPO
from gasp_cli.models import Timezone

CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is not installed: `make test` installs it with the test extras ('.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


def test_mypy_is_strict_on_the_whole_package():
    mypy = CONFIG["tool"]["mypy"]
    assert mypy["strict"] is True
    assert mypy["files"] == ["gasp_cli"]
    # No exclusion at all (the output half is checked since issue 13), and no module-wide
    # relaxation of a rule.
    for override in mypy.get("overrides", []):
        assert set(override) <= {"module", "ignore_missing_imports"}, override


def test_mypy_finds_nothing():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found"), result.stdout


def test_ruff_uses_a_chosen_rule_set():
    chosen = set(CONFIG["tool"]["ruff"]["lint"]["select"])
    assert {"E", "F", "I", "B", "UP", "RUF"} <= chosen, chosen
    # Every file is checked: no excluded path.
    assert not {"exclude", "extend-exclude"} & set(CONFIG["tool"]["ruff"]), CONFIG["tool"]["ruff"]


def test_ruff_format_changes_nothing():
    # One layout for every file, so that parallel branches merge on content, not on spaces.
    result = _run("ruff", "format", "--check", "--no-cache", "gasp_cli", "tests", "benchmarks", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = _run(
        "ruff", "check", "--no-cache", "--output-format", "concise", "gasp_cli", "tests", "benchmarks", "tools"
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["Europe", "Etc", "zone.tab", "tzdata.zi", "Nope/Nowhere", "Europe/" + "x" * 300])
def test_a_zone_folder_a_data_file_or_a_name_too_long_is_an_unknown_time_zone(name):
    # The check was `except Exception` before ruff's BLE rule; the errors it meant are named now.
    with pytest.raises(ValidationError, match="fuseau horaire inconnu"):
        TypeAdapter(Timezone).validate_python(name)


def test_a_real_time_zone_is_kept():
    assert TypeAdapter(Timezone).validate_python("Europe/Paris") == "Europe/Paris"


# radon's cyclomatic complexity, the measure issue 25 was written with: no function of gasp_cli/
# above this ceiling (ruff's mccabe, in `ruff check`, holds the same line).
COMPLEXITY_CEILING = 20


def test_no_function_is_more_complex_than_the_ceiling():
    from radon.complexity import cc_visit

    found = []
    for path in sorted((REPO / "gasp_cli").rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > COMPLEXITY_CEILING:
                found.append(f"{path.relative_to(REPO)}:{block.lineno} {block.fullname} ({block.complexity})")
    assert not found, "\n".join(found)
