"""The documentation as its readers get it: a short README, a MkDocs site that builds in strict
mode, no link to a page that is not in the project, and a reason for every dependency."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO

README = REPO / "README.md"
# Folders that are not the project's text: environments, caches, generated output.
NOT_OURS = {".venv", "node_modules", "out", "site", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _markdown_files() -> list[Path]:
    found = []
    for folder, folders, files in os.walk(REPO):
        folders[:] = [f for f in folders if f not in NOT_OURS and not f.startswith(".git")]
        found += [Path(folder) / name for name in files if name.endswith(".md")]
    return sorted(found)


def _without_code(text: str) -> str:
    """The text outside fenced code blocks and code spans: what a reader follows as a link."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_mkdocs_builds_the_site_in_strict_mode(tmp_path: Path):
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        pytest.fail("mkdocs is not installed: `make test` installs it with the test extras ('.[test]')")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(REPO / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("guide-secretaire", "enregistrements", "chercheurs", "developpement", "vitesse", "dependances"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
    guide = (tmp_path / "site" / "guide-secretaire" / "index.html").read_text(encoding="utf-8")
    # The guide's file blocks stay code on the site (tools/mkdocs_hooks.py), not text.
    assert '<code class="language-yaml">' in guide and "<h1" in guide


def test_the_site_navigation_has_the_pages_readers_look_for():
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    for entry in (
        "Guide du secrétaire: guide-secretaire.md",
        "Enregistrements: enregistrements.md",
        "Chercheurs: chercheurs.md",
        "Développement: developpement.md",
        "Vitesse: vitesse.md",
        "Dépendances: dependances.md",
    ):
        assert entry in config, entry


def test_no_markdown_file_cites_a_document_that_is_not_in_the_project():
    files = _markdown_files()
    assert REPO / "README.md" in files and REPO / "docs" / "commandes.md" in files
    dead = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(REPO)
        for outside in ("DESIGN.md", "../shared", "/work/shared"):
            if outside in text:
                dead.append(f"{where} : « {outside} »")
        for target in LINK.findall(_without_code(text)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address, a mail address, a place in the same page
            file_part = target.split("#", 1)[0]
            if not (path.parent / file_part).exists():
                dead.append(f"{where} : lien mort « {target} »")
    assert not dead, "\n".join(dead)


def test_the_dead_link_check_finds_a_dead_link(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text("Voir [la page](absente.md) et [la vraie](page.md#haut), `[pas un lien](x.md)`.\n")
    targets = LINK.findall(_without_code(page.read_text()))
    assert targets == ["absente.md", "page.md#haut"]
    assert not (page.parent / "absente.md").exists() and (page.parent / "page.md").exists()


def test_the_readme_is_short_and_gives_exactly_two_set_up_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    start = text[text.index("## Mise en route") : text.index("## Pour votre Gasp")]
    first_block = re.search(r"```sh\n(.*?)```", start, re.S)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    for section in ("## Pour votre Gasp", "## Les commandes", "## Où vont les documents", "## Pour aller plus loin"):
        assert section in text, section
    # Developer material lives in docs/ now.
    for moved in ("## Vitesse", "## Organisation du code", "## Dépendances", "RFC 5545", "mypy"):
        assert moved not in text, moved


def test_the_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
    assert "make test" in README.read_text(encoding="utf-8")


def _planned(target: str, tmp_path: Path) -> str:
    """What make would run for TARGET on a machine without .venv (`make -n`)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(REPO), target, f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_demo_installs_only_the_runtime_and_make_test_adds_the_test_tools(tmp_path: Path):
    demo = _planned("demo", tmp_path)
    assert "pip install --quiet -e .\n" in demo and "[test]" not in demo
    test = _planned("test", tmp_path)
    assert "pip install --quiet -e '.[test]'" in test and "pytest" in test


def _package(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]


def test_every_dependency_has_its_reason_in_the_dependencies_page():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [_package(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        wanted += [_package(r) for r in extra]
    page = (REPO / "docs" / "dependances.md").read_text(encoding="utf-8").lower()
    # The project itself (`gasp-cli[serve]` in the test extra) needs no reason.
    missing = [name for name in wanted if name.lower() not in page and name != project["name"]]
    assert not missing, f"sans raison dans docs/dependances.md : {missing}"
    assert "mkdocs" in wanted


def test_the_map_of_the_code_names_every_module():
    """docs/developpement.md's « Organisation du code » names each module of gasp_cli/ (by its file
    name), so that the map a new maintainer reads matches the code."""
    page = (REPO / "docs" / "developpement.md").read_text(encoding="utf-8")
    block = page.split("## Organisation du code", 1)[1].split("```", 2)[1]
    missing = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "gasp_cli").rglob("*.py"))
        if path.name != "__init__.py" and path.name not in block
    ]
    assert not missing, f"absents de la carte du code (docs/developpement.md) : {missing}"
