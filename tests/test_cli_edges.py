"""The command line at its edges: dates, environment, terminal, pipes (issue 11).

Each case once reached « erreur interne inattendue » or misbehaved in 0.1.0. Dates on
the command line and in the environment lie between 1900 and 2200 (DESIGN.md,
« Input rules »): out of range is a usage error, exit 2, in French.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, add_group, gasp, minimal_workspace

TODAY = {"GASP_TODAY": "2026-03-01"}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace of today's years (no `as_of` to bring GASP_TODAY back)."""
    root = minimal_workspace(tmp_path)
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2\navoid: [school-holidays]")
    return root


def _usage_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "erreur interne" not in result.output
    assert "gasp :" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize(
    "option, args",
    [
        ("--from", ["calendar", "--from", "0001-01-01"]),
        ("--to", ["calendar", "--to", "9999-12-31"]),
        ("--to", ["calendar", "--to", "9998-12-31"]),
        ("--from", ["calendar", "--from", "1899-12-31", "--to", "1900-01-02"]),
        ("--to", ["calendar", "--from", "2026-01-01", "--to", "2201-01-01", "--format", "json"]),
        ("--year", ["calendar", "--year", "3000"]),
        ("--year", ["calendar", "--year", "1899"]),
        ("--year", ["report", "--year", "2201", "--format", "json"]),
        ("--year", ["report", "--year", "1", "--format", "md"]),
    ],
)
def test_dates_outside_1900_2200_on_the_command_line_are_usage_errors(workspace: Path, option, args):
    result = gasp(*args, workspace=workspace, env=TODAY)
    _usage_error(result, "hors limites", "1900 à 2200", f"« {option} »")
    assert not re.search(r"Input should|range|<=", result.stderr), result.stderr


def test_new_meeting_far_in_the_future_is_a_usage_error_and_writes_nothing(workspace: Path):
    before = sorted(p for p in (workspace / "records").rglob("*"))
    result = gasp("new", "meeting", "--group", "agents", "--date", "9999-12-31", workspace=workspace, env=TODAY)
    _usage_error(result, "--date", "hors limites")
    assert sorted(p for p in (workspace / "records").rglob("*")) == before


def test_the_edges_of_the_range_are_accepted(workspace: Path):
    result = gasp(
        "calendar", "--from", "1900-01-01", "--to", "2200-12-31", "--format", "json", workspace=workspace, env=TODAY
    )
    assert result.exit_code == 0, result.output
    result = gasp("new", "meeting", "--group", "agents", "--date", "2200-12-31", workspace=workspace, env=TODAY)
    assert result.exit_code == 0, result.output


def test_year_errors_are_french(workspace: Path):
    result = gasp("calendar", "--year", "abc", workspace=workspace, env=TODAY)
    _usage_error(result, "nombre entier")
    assert "Input should" not in result.stderr


@pytest.mark.parametrize(
    "env, words",
    [
        ({"GASP_TODAY": "9999-12-31"}, ["GASP_TODAY", "hors limites"]),
        ({"GASP_TODAY": "0001-01-01"}, ["GASP_TODAY", "hors limites"]),
        ({"GASP_TODAY": "1899-12-31"}, ["GASP_TODAY", "hors limites"]),
        ({"SOURCE_DATE_EPOCH": "99999999999999", **TODAY}, ["SOURCE_DATE_EPOCH", "2200"]),
        ({"SOURCE_DATE_EPOCH": "12a", **TODAY}, ["SOURCE_DATE_EPOCH", "secondes"]),
    ],
)
@pytest.mark.parametrize("args", [["calendar", "--format", "ics"], ["report", "--format", "md"], ["validate"]])
def test_dates_out_of_range_in_the_environment_are_usage_errors(workspace: Path, env, words, args):
    if args == ["validate"] and "SOURCE_DATE_EPOCH" in env:
        pytest.skip("validate prints no date of edition")
    _usage_error(gasp(*args, workspace=workspace, env=env), *words)


def test_render_with_an_epoch_past_2200_is_a_usage_error_and_writes_nothing(workspace: Path):
    result = gasp("render", "--format", "md", workspace=workspace, env={"SOURCE_DATE_EPOCH": "99999999999999", **TODAY})
    _usage_error(result, "SOURCE_DATE_EPOCH")
    assert not (workspace / "out").exists()


def test_one_reader_of_source_date_epoch():
    """Two readers once disagreed on what they accepted; now every use goes through one."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "gasp_cli").rglob("*.py"))
    assert text.count('environ.get("SOURCE_DATE_EPOCH"') == 1
    assert text.count('environ.get("GASP_TODAY"') == 1


@pytest.mark.parametrize("origin", ["--records", "GASP_RECORDS"])
@pytest.mark.parametrize("value", ["~nouser/x", "~gasp-personne-de-ce-nom", "a\x00b"])
def test_an_unusable_workspace_path_is_a_usage_error(origin: str, value: str):
    if origin == "--records":
        result = gasp("--records", value, "validate")
    elif "\x00" in value:
        pytest.skip("an environment variable cannot hold a NUL")
    else:
        result = gasp("validate", env={"GASP_RECORDS": value})
    _usage_error(result, origin)


def test_missing_school_holidays_are_told_in_one_line(tmp_path: Path):
    root = minimal_workspace(tmp_path)
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 2\navoid: [school-holidays]")
    result = gasp(
        "calendar", "--from", "1900-01-01", "--to", "2200-12-31", "--format", "json", workspace=root, env=TODAY
    )
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if "vacances scolaires inconnues" in line]
    assert len(notices) == 1, result.stderr
    assert len(notices[0]) < 250, notices[0]
    assert " à 2200" in notices[0]


def test_year_spans():
    from gasp_cli.cli.calendar import year_spans

    assert year_spans([2002]) == "2002"
    assert year_spans([2002, 2003]) == "2002 et 2003"
    assert year_spans([2002, 2004, 2005, 2006, 2101]) == "2002, 2004 à 2006, 2101"


# --- the terminal and the pipes: a real process ------------------------------------------


def _process_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "PYTHONPATH": str(REPO), "GASP_TODAY": "2002-03-01", "COLUMNS": "100", **extra}


def _on_a_terminal(args: list[str], **env: str) -> tuple[int, bytes]:
    main, child = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "gasp_cli", "--records", str(REPO), *args],
        stdout=child,
        stderr=child,
        env=_process_env(**env),
        timeout=60,
    )
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    return process.returncode, output


# Foreground and background colours, 8, 16 and 256 of them: what NO_COLOR forbids.
_COLOUR = re.compile(rb"\x1b\[[0-9;]*(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def test_no_color_is_honoured_on_a_terminal():
    code, output = _on_a_terminal(["validate"], NO_COLOR="1")
    assert code == 0, output
    assert b"avertissement" in output
    assert not _COLOUR.search(output), output[:400]
    code, output = _on_a_terminal(["calendar", "--year", "2002"], NO_COLOR="1")
    assert code == 0 and not _COLOUR.search(output), output[:400]


def test_colour_without_no_color_on_a_terminal():
    """The control for the test above: the same run without NO_COLOR has colours."""
    code, output = _on_a_terminal(["validate"])
    assert code == 0 and _COLOUR.search(output), output[:400]


def _into_a_closed_pipe(args: list[str], **env: str) -> subprocess.CompletedProcess:
    reader, writer = os.pipe()
    os.close(reader)  # `| head` that has already read what it wanted
    try:
        return subprocess.run(
            [sys.executable, "-m", "gasp_cli", "--records", str(REPO), *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            env=_process_env(**env),
            timeout=60,
        )
    finally:
        os.close(writer)


# Rich's tables (calendar, report, trace share one console) and Click's echo (--help, md).
@pytest.mark.parametrize("args", [["calendar", "--year", "2001"], ["report", "--year", "2001"], ["--help"]])
def test_a_closed_pipe_ends_quietly_with_0(args):
    process = _into_a_closed_pipe(args)
    assert process.returncode == 0, process.stderr.decode()
    stderr = process.stderr.decode()
    for noise in ("Traceback", "Exception ignored", "BrokenPipe", "erreur interne"):
        assert noise not in stderr, stderr


@pytest.mark.parametrize("args", [["calendar", "--year", "2001"], ["calendar", "--year", "3000"]])
def test_an_ascii_only_output_does_not_crash(args):
    process = subprocess.run(
        [sys.executable, "-m", "gasp_cli", "--records", str(REPO), *args],
        capture_output=True,
        env=_process_env(PYTHONIOENCODING="ascii"),
        timeout=60,
    )
    assert process.returncode in (0, 2), process.stderr
    assert b"erreur interne" not in process.stderr and b"Traceback" not in process.stderr, process.stderr
    assert process.stdout or process.stderr


# --- names ---------------------------------------------------------------------------------


def test_an_agent_who_is_not_named_is_un_agent(example: Path):
    person = example / "records/people/agent-mediatheque.yaml"
    person.write_text(person.read_text(encoding="utf-8") + "publish_name: false\n", encoding="utf-8")
    meeting = example / "records/meetings/2000/2000-09-12-agents.yaml"
    meeting.write_text(
        meeting.read_text(encoding="utf-8").replace("  who: sylvain-dufresne", "  who: agent-mediatheque"),
        encoding="utf-8",
    )
    result = gasp(
        "render",
        "2000-09-12-agents",
        "--format",
        "md,html",
        "--out",
        str(example / "rendu"),
        workspace=example,
        env={"SOURCE_DATE_EPOCH": "1025395200"},
    )
    assert result.exit_code == 0, result.output
    documents = [p.read_text(encoding="utf-8") for p in (example / "rendu").rglob("2000-09-12-agents*")]
    assert documents
    for text in documents:
        assert "Agent de la médiathèque" not in text
        assert "un agent" in text
        assert "un habitant" not in text


def test_person_name_says_what_the_person_is(example: Path):
    import datetime

    from gasp_cli.checks import check_workspace
    from gasp_cli.names import person_name
    from gasp_cli.workspace import Workspace

    records, _ = check_workspace(Workspace(example), datetime.date(2002, 6, 30))
    assert person_name(records, "habitant-1") == "un habitant"
    assert person_name(records, "agent-mediatheque") == "Agent de la médiathèque"
    records.people["agent-mediatheque"] = records.people["agent-mediatheque"].model_copy(update={"publish_name": False})
    assert person_name(records, "agent-mediatheque") == "un agent"


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "--group", "x\x1b[31mrouge"],
        ["calendar", "--format", "x\x1b[31mrouge"],
        ["render", "x\x1b]8;;https://piege.example\x1b\\lien"],
    ],
)
def test_a_typed_escape_sequence_is_shown_in_the_message_not_obeyed(example: Path, args):
    """On a terminal, an ESC quoted back in a message would be obeyed; it is shown as `\\x1b`."""
    result = gasp(*args, workspace=example, env={"GASP_TODAY": "2002-06-30"})
    assert result.exit_code in (1, 2), result.output
    assert "\x1b" not in result.stderr
    assert "x\\x1b" in result.stderr, result.stderr
