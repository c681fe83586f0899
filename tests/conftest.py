"""Shared helpers: a copy of the embedded example to break, and a way to run gasp."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gasp_cli.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "records"

try:  # Click 8.1 (Typer 0.15) mixes stderr into stdout unless asked; Click 8.2 keeps them apart
    runner = CliRunner(mix_stderr=False)
except TypeError:  # Click 8.2 on, and the Click inside Typer 0.16 on: no such argument
    runner = CliRunner()


def gasp(*args: str, workspace: Path | None = None, env: dict | None = None):
    """Run gasp in-process; `workspace` is passed as --records."""
    argv = (["--records", str(workspace)] if workspace is not None else []) + list(args)
    return runner.invoke(app, argv, env=env, catch_exceptions=True)


def validate_json(workspace: Path, *extra: str) -> tuple[int, list[dict]]:
    result = gasp("validate", "--format", "json", *extra, workspace=workspace)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (its path from there) → the SHA-256 of its bytes: two trees are
    equal when they hold the same files with the same bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write(workspace: Path, relative: str, text: str) -> Path:
    path = workspace / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of the embedded example workspace, free to break."""
    shutil.copytree(EXAMPLE, tmp_path / "records")
    return tmp_path


# The example rendered once in every format (md, html, pdf, the site and its search), on the day
# SOURCE_DATE_EPOCH names (9 September 2001): shared by the test modules that only read it.
RENDERED_EPOCH = {"SOURCE_DATE_EPOCH": "1000000000"}


@pytest.fixture(scope="session")
def rendered_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace holding `records/` (the example) and its `out/`. Read it, never change it:
    a test that changes records or outputs takes its own copy (the `example` fixture)."""
    root = tmp_path_factory.mktemp("exemple-rendu")
    shutil.copytree(EXAMPLE, root / "records")
    result = gasp("render", workspace=root, env=RENDERED_EPOCH)
    assert result.exit_code == 0, result.output
    return root


MINIMAL_GASP = """name: Gasp de test
communes: [Escautpont]
created: 2020-01-01
places:
  salle:
    name: Salle Jean Jaurès
    address: 1 rue de la Mairie, 59278 Escautpont
"""


def minimal_workspace(root: Path, as_of: str | None = None) -> Path:
    """A workspace with one place and one person, to which tests add groups and meetings."""
    write(root, "records/gasp.yaml", MINIMAL_GASP + (f"as_of: {as_of}\n" if as_of else ""))
    write(root, "records/people/secretaire.yaml", "name: La secrétaire\nkind: facilitator\n")
    return root


def add_group(root: Path, group_id: str, kind: str, cadence: str, since: str = "2000-01-01") -> None:
    """`cadence` is the YAML body of the cadence block, one key per line."""
    body = "".join(f"  {line.strip()}\n" for line in cadence.strip().splitlines())
    write(
        root,
        f"records/groups/{group_id}.yaml",
        f'name: Groupe {group_id}\nkind: {kind}\ncadence:\n{body}  time: "14:00"\n  duration: 90\n'
        f"  place: salle\nmembers:\n  - {{person: secretaire, since: {since}}}\n",
    )


# The slow end-to-end tests (a minute or more each on a loaded two-core machine): left out of
# `make test`, run by `make test-all` and CI (.ci/run). Listed here, by module and name, so that
# one place says what the fast loop skips. A test marked @pytest.mark.slow in its own file is slow too.
SLOW = {
    ("test_hardening.py", "test_calendar_trace_and_report_survive_any_option_and_damage"),
    ("test_hardening.py", "test_validate_survives_and_points_at_real_lines"),
    ("test_hardening.py", "test_render_survives_and_writes_only_under_out"),
    ("test_hardening.py", "test_ten_thousand_files_still_validate"),
    ("test_new.py", "test_the_pre_commit_hook_refuses_a_broken_record"),
    ("test_pre_commit.py", "test_the_local_hook_as_written_refuses_a_broken_record"),
    ("test_docs.py", "test_every_example_of_the_guide_prints_what_the_guide_says"),
    ("test_observations.py", "test_never_in_a_rendered_document_the_report_or_the_calendar"),
    ("test_properties.py", "test_random_damage_never_crashes"),
    ("test_ics_clients.py", "test_rule_changes_are_right_every_day_in_icalendar_and_vobject"),
    ("test_ics_clients.py", "test_rule_changes_are_right_every_day_in_icaljs"),
    ("test_accessibility.py", "test_every_pdf_is_pdf_ua_1_and_pdf_a_2a"),
    ("test_documents_base.py", "test_the_same_records_give_the_same_bytes_pdfs_included"),
}


# The modules that take longest, longest first (their tests' durations summed, `make test` on a fresh
# clone): run first, so that the workers of `make test` (pytest-xdist, a module per worker at a
# time, in this order: --no-loadscope-reorder in the Makefile) do not wait at the end for one of
# them to finish a long module started last. The others, of two seconds or less, follow.
LONGEST_FIRST = (
    "test_hardening.py",
    "test_serve.py",
    "test_noop_render.py",
    "test_serve_browser.py",
    "test_render.py",
    "test_incremental.py",
    "test_site.py",
    "test_input_rules.py",
    "test_out_ownership.py",
    "test_documents_base.py",
    "test_schema_agrees.py",
    "test_static.py",
    "test_network.py",
    "test_site_adversarial.py",
    "test_rename.py",
    "test_hardening_issue22.py",
    "test_cross_outputs.py",
    "test_public.py",
    "test_typography.py",
    "test_ics_clients.py",
    "test_cli_edges.py",
    "test_environment_properties.py",
    "test_bad_input.py",
    "test_new.py",
    "test_documents_registry.py",
    "test_export.py",
    "test_modes.py",
    "test_mail.py",
    "test_documents_convocation.py",
    "test_cli.py",
    "test_render_pages.py",
    "test_validate.py",
    "test_commitments.py",
    "test_import_graph.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """gasp's modules compiled once, before the workers start, as an installation does (pip writes
    __pycache__; benchmarks/run.py does the same). Many tests run gasp in a new process (`python -m
    gasp_cli`, killed at a chosen point, or as `gasp serve`'s render worker); on a fresh clone, under
    PYTHONDONTWRITEBYTECODE, each of them would compile every module it imports again (a quarter of
    a second each, hundreds of times)."""
    named = {module for module, _ in SLOW} | set(LONGEST_FIRST)
    missing = sorted(module for module in named if not (REPO / "tests" / module).is_file())
    if missing:  # a module renamed or removed: its place in the order (or its slow tests) would be lost unsaid
        raise pytest.UsageError(f"tests/conftest.py names test modules that do not exist: {', '.join(missing)}")
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller has done it
        return
    import compileall

    compileall.compile_dir(REPO / "gasp_cli", quiet=1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if (item.path.name, name) in SLOW:
            item.add_marker(pytest.mark.slow)
    rank = {module: position for position, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable: the rest keep their order


def typeset(text: str, output_format: str = "md") -> str:
    """An expected piece of a document, written as plain text, with the French typography gasp
    gives every md, html and Typst it writes (render/typography.py: no-break spaces, « 1er »)."""
    from gasp_cli.render.typography import apply

    return apply(text, output_format)
