"""Shared helpers: a copy of the embedded example to break, and a way to run gasp."""

from __future__ import annotations

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


def typeset(text: str, output_format: str = "md") -> str:
    """An expected piece of a document, written as plain text, with the French typography gasp
    gives every md, html and Typst it writes (render/typography.py: no-break spaces, « 1er »)."""
    from gasp_cli.render.typography import apply

    return apply(text, output_format)
