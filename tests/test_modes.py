"""Every file gasp creates follows the user's umask, as any other program's would."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import gasp

ENV = {"GASP_TODAY": "2026-11-25", "SOURCE_DATE_EPOCH": "1025395200"}


@pytest.fixture
def umask():
    """Set a umask for the test and put the previous one back."""
    previous = os.umask(0o022)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


def test_calendar_and_report_out_follow_the_umask(example: Path, umask):
    calendar, report = example / "calendrier.ics", example / "rapport.md"
    assert (
        gasp(
            "calendar", "--year", "2002", "--format", "ics", "--out", str(calendar), workspace=example, env=ENV
        ).exit_code
        == 0
    )
    assert (
        gasp("report", "--year", "2002", "--format", "md", "--out", str(report), workspace=example, env=ENV).exit_code
        == 0
    )
    assert mode(calendar) == 0o644 and mode(report) == 0o644
    umask(0o027)
    assert (
        gasp(
            "calendar", "--year", "2002", "--format", "ics", "--out", str(calendar), workspace=example, env=ENV
        ).exit_code
        == 0
    )
    assert mode(calendar) == 0o640  # a file replaced takes the umask of today, not 0600


def test_an_existing_0644_file_stays_0644_when_replaced(example: Path, umask):
    report = example / "rapport.md"
    report.write_text("ancien\n", encoding="utf-8")
    report.chmod(0o644)
    assert (
        gasp("report", "--year", "2002", "--format", "md", "--out", str(report), workspace=example, env=ENV).exit_code
        == 0
    )
    assert mode(report) == 0o644 and report.read_text(encoding="utf-8") != "ancien\n"


def test_schema_init_and_new_follow_the_umask(tmp_path: Path, umask):
    assert gasp("schema", "--out", str(tmp_path / "schemas"), env=ENV).exit_code == 0
    assert {mode(p) for p in files_under(tmp_path / "schemas")} == {0o644}
    workspace = tmp_path / "espace"
    assert gasp("init", str(workspace), env=ENV).exit_code == 0
    assert {mode(p) for p in files_under(workspace)} == {0o644}
    example = tmp_path / "exemple"
    assert gasp("init", str(example), "--example", env=ENV).exit_code == 0
    assert {mode(p) for p in files_under(example)} == {0o644}
    result = gasp("new", "theme", "--title", "Mobilité", workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    assert mode(workspace / "records/themes/mobilite.yaml") == 0o644
    result = gasp("new", "meeting", "--group", "agents", "--date", "2026-12-08", workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    assert {mode(p) for p in files_under(workspace / "records/meetings")} == {0o644}


def test_render_outputs_follow_the_umask(example: Path, umask):
    """The new publication writes each file beside its target: the umask must still hold."""
    out = example / "out"
    assert gasp("render", "--format", "md,html", workspace=example, env=ENV).exit_code == 0
    assert {mode(p) for p in files_under(out)} == {0o644}
    before = {p: p.read_bytes() for p in files_under(out)}
    umask(0o002)
    theme = example / "records/themes/logement.yaml"
    theme.write_text(
        theme.read_text(encoding="utf-8").replace("title: Logement", "title: Logement social", 1), encoding="utf-8"
    )
    assert gasp("render", "--format", "md,html", workspace=example, env=ENV).exit_code == 0
    rewritten = {p for p in files_under(out) if before.get(p) != p.read_bytes() or p.name == ".gasp-manifest.json"}
    assert rewritten and {mode(p) for p in rewritten} == {0o664}
    assert {mode(p) for p in files_under(out) if p not in rewritten} == {0o644}


def test_out_through_a_symlink_keeps_the_symlink(example: Path, umask):
    real = example / "partage/calendrier.ics"
    real.parent.mkdir()
    real.write_text("ancien\n", encoding="utf-8")
    link = example / "calendrier.ics"
    link.symlink_to(real)
    assert (
        gasp("calendar", "--year", "2002", "--format", "ics", "--out", str(link), workspace=example, env=ENV).exit_code
        == 0
    )
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert mode(real) == 0o644
