"""Hardening, issue 22 items 5–9: each case that reached « erreur interne », said the wrong thing
or accepted what it should refuse, kept as a test (same family as test_hardening.py and
test_bad_input.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, gasp, validate_json

LONG = "a" * 300  # a path component over 255 bytes: ENAMETOOLONG


def run(*args: str, stdin=None, env: dict | None = None, **streams) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "GASP_TODAY": "2002-06-01", **(env or {})}
    environment.pop("GASP_KILL_AT", None)
    options = streams if streams else {"capture_output": True}
    return subprocess.run([sys.executable, "-m", "gasp_cli", *args], env=environment, text=True, timeout=180, **options)


# --- 5. a password in a site URL is masked, even in a diagnostic of the sites file ----------------


def test_a_url_with_a_password_and_a_control_character_is_masked(tmp_path: Path):
    sites = tmp_path / "sites.yaml"
    sites.write_text(
        'name: R\nsites:\n  - {id: a, name: A, repo: "https://jean:motdepasse@exa\\x01mple.org/r.git"}\n',
        encoding="utf-8",
    )
    result = gasp("network", "report", "--sites", str(sites), "--cache", str(tmp_path / "cache"))
    assert result.exit_code == 1
    assert "motdepasse" not in result.output + result.stderr
    assert "https://***@exa\\x01mple.org/r.git" in result.stderr


# --- 6. stdout on a full disk: the files are written, and the message says so -----------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args,written",
    [
        (("schema", "--out", "{root}/schemas"), "schemas/gasp.schema.json"),
        (("rename", "theme", "logement", "habitat"), "records/themes/habitat.yaml"),
        (("render", "--format", "md", "--only", "comptes-rendus"), "fichiers dans"),
    ],
    ids=["schema", "rename", "render"],
)
def test_stdout_on_a_full_disk_says_what_was_written(example: Path, args, written: str):
    with open("/dev/full", "w") as full:
        done = run(
            "--records", str(example), *(a.format(root=example) for a in args), stdout=full, stderr=subprocess.PIPE
        )
    assert done.returncode == 1
    assert "Rien n'a été écrit" not in done.stderr and "erreur interne" not in done.stderr
    assert "la sortie standard n'a pas pu être écrite (plus de place sur le disque)" in done.stderr
    assert "Ont été écrits, et sont en place" in done.stderr and written in done.stderr, done.stderr


# --- 7. no « erreur interne » -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,env",
    [
        (("--records", "{tmp}/" + LONG, "validate"), None),
        (("validate",), {"GASP_RECORDS": "{tmp}/" + LONG}),
        (("--records", "{example}", "calendar", "--format", "ics", "--out", "{tmp}/" + LONG), None),
        (("--records", "{example}", "render", "--format", "md", "--out", "{tmp}/" + LONG), None),
        (("init", "{tmp}/" + LONG), None),
        (("--records", "{example}", "new", "theme", LONG, "--title", "T"), None),
        (("--records", "{example}", "new", "theme", "t", "--title", LONG * 20), None),
    ],
    ids=["--records", "GASP_RECORDS", "calendar --out", "render --out", "init", "new id", "new title"],
)
def test_a_path_component_over_255_characters_is_a_french_error(example: Path, tmp_path: Path, args, env):
    def fill(text: str) -> str:
        return text.format(tmp=tmp_path, example=example)

    done = run(*map(fill, args), env={k: fill(v) for k, v in (env or {}).items()})
    assert done.returncode in (1, 2), done.stderr
    assert "erreur interne" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("gasp") or "gasp :" in done.stderr


def test_an_integer_of_more_than_4300_digits_is_a_diagnostic(example: Path):
    path = example / "records/proposals/regie-de-quartier.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "cost_note: " + "9" * 5000 + "\n", encoding="utf-8")
    code, diagnostics = validate_json(example)
    assert code == 1
    (found,) = [d for d in diagnostics if d["code"] == "bad-number"]
    assert found["file"].endswith("regie-de-quartier.yaml") and "5000 chiffres" in found["message"]


@pytest.mark.parametrize("cache,words", [("~nouser-gasp/x", "utilisateur inconnu"), ("", "chemin vide")])
def test_an_unusable_cache_is_a_usage_error(tmp_path: Path, cache: str, words: str):
    sites = tmp_path / "sites.yaml"
    sites.write_text("name: R\nsites:\n  - {id: a, name: A, repo: nulle-part}\n", encoding="utf-8")
    done = run("network", "report", "--sites", str(sites), "--cache", cache)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "erreur interne" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [("report", "--format", "pdf"), ("trace", "proposal"), ("calendar",), ("validate",)],
    ids=["report pdf", "trace", "calendar", "validate"],
)
def test_a_closed_stdout_is_no_internal_error(example: Path, args):
    environment = {**os.environ, "PYTHONPATH": str(REPO), "GASP_TODAY": "2002-06-01"}
    done = subprocess.run(
        ["/bin/sh", "-c", '"$@" >&-', "sh", sys.executable, "-m", "gasp_cli", "--records", str(example), *args],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
        timeout=180,
    )
    assert "erreur interne" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr


def test_a_closed_stdout_does_not_break_network_report(tmp_path: Path):
    from test_network import make_site

    make_site(tmp_path / "un")
    (tmp_path / "sites.yaml").write_text("name: R\nsites:\n  - {id: un, name: Un, repo: un}\n", encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(REPO), "GASP_TODAY": "2002-06-01"}
    done = subprocess.run(
        [
            "/bin/sh",
            "-c",
            '"$@" >&-',
            "sh",
            sys.executable,
            "-m",
            "gasp_cli",
            "network",
            "report",
            "--sites",
            str(tmp_path / "sites.yaml"),
            "--cache",
            str(tmp_path / "cache"),
            "--format",
            "pdf",
        ],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "erreur interne" not in done.stderr and "Traceback" not in done.stderr


def test_validate_s_exit_code_does_not_depend_on_a_closed_stderr(example: Path):
    environment = {**os.environ, "PYTHONPATH": str(REPO), "GASP_TODAY": "2002-06-01"}
    command = [sys.executable, "-m", "gasp_cli", "--records", str(example), "validate"]
    closed = subprocess.run(["/bin/sh", "-c", '"$@" 2>&-', "sh", *command], env=environment, capture_output=True)
    opened = subprocess.run(command, env=environment, capture_output=True)
    assert closed.returncode == opened.returncode == 0
    (example / "records/themes/casse.yaml").write_text("titel: x\n", encoding="utf-8")
    closed = subprocess.run(["/bin/sh", "-c", '"$@" 2>&-', "sh", *command], env=environment, capture_output=True)
    assert closed.returncode == 1


# --- 8. the lock, the cache, extensions, timezones, NUL, system errors, completion --------------------


def test_the_render_lock_does_not_follow_a_planted_symlink(example: Path, tmp_path: Path):
    target = tmp_path / "cible-creee-par-gasp"
    (example / ".out.verrou").symlink_to(target)
    result = gasp("render", "--format", "md", "--only", "comptes-rendus", workspace=example)
    assert result.exit_code == 1
    assert "est un lien symbolique" in result.stderr and "verrou" in result.stderr
    assert not target.exists()


def test_an_upper_case_yaml_extension_is_said(example: Path):
    (example / "records/themes/sante.YAML").write_text("title: Santé\n", encoding="utf-8")
    code, diagnostics = validate_json(example)
    assert code == 1
    (found,) = [d for d in diagnostics if d["file"] == "records/themes/sante.YAML"]
    assert found["code"] == "bad-extension" and "« sante.yaml »" in found["message"]


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory"])
def test_a_machine_timezone_is_refused(example: Path, zone: str):
    path = example / "records/gasp.yaml"
    text = path.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("timezone:")) + f"\ntimezone: {zone}\n"
    path.write_text(text, encoding="utf-8")
    code, diagnostics = validate_json(example)
    assert code == 1
    (found,) = [d for d in diagnostics if d["file"] == "records/gasp.yaml" and "fuseau" in d["message"]]
    assert "il dépend de la machine" in found["message"] and "vouliez-vous dire" not in found["message"]


def test_a_nul_byte_is_reported_in_french_at_its_line(example: Path):
    path = example / "records/themes/logement.yaml"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1] + b"\x00"
    path.write_bytes(b"\n".join(lines))
    _code, diagnostics = validate_json(example)
    (found,) = [d for d in diagnostics if d["file"] == "records/themes/logement.yaml"]
    assert (found["line"], found["code"]) == (2, "yaml-syntax")
    assert "octet nul" in found["message"] and "not allowed" not in found["message"]


def test_system_errors_are_told_in_french():
    import errno

    from gasp_cli.output import system_reason

    for number in (errno.ENOSPC, errno.EROFS, errno.ENAMETOOLONG, errno.EACCES, errno.EDQUOT, errno.EEXIST):
        reason = system_reason(OSError(number, os.strerror(number)))
        assert reason and os.strerror(number) not in reason, reason
    other = system_reason(OSError(errno.ECHILD, os.strerror(errno.ECHILD)))
    assert other.startswith("erreur système")


def test_install_completion_refuses_a_stray_argument(tmp_path: Path):
    done = run("--install-completion", "en-trop", env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert done.returncode == 2
    assert "ne prend pas d’autre argument" in done.stderr
    assert not any(tmp_path.iterdir())  # no ~/.bashrc written


# --- 9. daylight saving, calendar UIDs, comments kept by rename --------------------------------------


@pytest.mark.parametrize(
    "day,words", [("2002-03-31", "n’existe pas ce jour-là"), ("2002-10-27", "existe deux fois ce jour-là")]
)
def test_a_meeting_at_a_local_time_that_does_not_exist_or_occurs_twice_is_warned(example: Path, day, words):
    path = example / f"records/meetings/2002/{day}-agents.yaml"
    path.write_text(
        f'group: agents\ndate: {day}\ntime: "02:30"\nplace: maison-des-services\nstatus: planned\n', encoding="utf-8"
    )
    _code, diagnostics = validate_json(example)
    (found,) = [d for d in diagnostics if d["code"] == "ambiguous-time"]
    assert found["file"].endswith(f"{day}-agents.yaml") and found["line"] == 3 and found["severity"] == "warning"
    assert words in found["message"] and "Europe/Paris" in found["message"]


def test_a_meeting_at_an_ordinary_time_on_a_clock_change_day_is_not_warned(example: Path):
    path = example / "records/meetings/2002/2002-03-31-agents.yaml"
    path.write_text(
        'group: agents\ndate: 2002-03-31\ntime: "14:00"\nplace: maison-des-services\nstatus: planned\n',
        encoding="utf-8",
    )
    _, diagnostics = validate_json(example)
    assert not [d for d in diagnostics if d["code"] == "ambiguous-time"]


def test_renaming_the_gasp_keeps_every_calendar_uid(example: Path):
    def uids() -> list[str]:
        result = gasp(
            "calendar", "--year", "2001", "--format", "ics", workspace=example, env={"GASP_TODAY": "2002-06-01"}
        )
        assert result.exit_code == 0, result.output
        return [line for line in result.stdout.splitlines() if line.startswith("UID:")]

    before = uids()
    path = example / "records/gasp.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join("name: Gasp du Hainaut" if line.startswith("name:") else line for line in text.splitlines()) + "\n",
        encoding="utf-8",
    )
    assert before and uids() == before
