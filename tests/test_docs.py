"""The secretary's guide is run, not just read: every example in docs/guide-secretaire.md.

In the guide:
- a ```console block holds `$ gasp …` commands, each followed by what gasp prints
  (diagnostics on stderr, then stdout, as a terminal shows them);
- a ```yaml block whose info string is a path writes that file;
- a ```markdown block whose info string is a path shows a file gasp wrote;
- `<!-- GASP_TODAY=AAAA-MM-JJ -->` sets the day for the commands that follow.
Everything runs in one empty folder, in order. `python tests/test_docs.py --update`
rewrites the outputs in the guide from a fresh run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "guide-secretaire.md"
FENCE = re.compile(r"^```(\w*)\s*(\S*)\s*$")
TODAY = re.compile(r"^<!-- GASP_TODAY=(\d{4}-\d{2}-\d{2}) -->$")


def _run(command: str, cwd: Path, today: str) -> str:
    words = shlex.split(command)
    assert words[0] == "gasp", command
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "GASP_TODAY": today,
        "SOURCE_DATE_EPOCH": "1764028800",
        "COLUMNS": "100",
        "TERM": "dumb",
    }
    env.pop("GASP_RECORDS", None)
    result = subprocess.run(
        [sys.executable, "-m", "gasp_cli", *words[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    output = result.stderr + result.stdout
    return "\n".join(line.rstrip() for line in output.splitlines())


def replay(text: str, folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """The guide with every output as gasp prints it now, and (expected, actual) pairs."""
    lines = text.splitlines()
    out: list[str] = []
    compared: list[tuple[str, str]] = []
    today = "2026-12-01"
    index = 0
    while index < len(lines):
        line = lines[index]
        match = TODAY.match(line)
        if match:
            today = match[1]
        fence = FENCE.match(line)
        if not fence or not fence[1]:
            out.append(line)
            index += 1
            continue
        language, target = fence[1], fence[2]
        end = index + 1
        while not lines[end].startswith("```"):
            end += 1
        body = lines[index + 1 : end]
        out.append(line)
        if language == "console":
            commands = [(i, text[2:]) for i, text in enumerate(body) if text.startswith("$ ")]
            for number, (position, command) in enumerate(commands):
                stop = commands[number + 1][0] if number + 1 < len(commands) else len(body)
                expected = "\n".join(body[position + 1 : stop])
                actual = _run(command, folder, today)
                compared.append((f"$ {command}\n{expected}", f"$ {command}\n{actual}"))
                out.append(f"$ {command}")
                out.extend(actual.splitlines())
        elif language == "yaml" and target:
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(body) + "\n", encoding="utf-8")
            out.extend(body)
        elif language == "markdown" and target:
            actual = (folder / target).read_text(encoding="utf-8").rstrip("\n")
            compared.append(("\n".join(body), actual))
            out.extend(actual.splitlines())
        else:
            out.extend(body)
        out.append(lines[end])
        index = end + 1
    return "\n".join(out) + "\n", compared


def test_every_example_of_the_guide_prints_what_the_guide_says():
    with tempfile.TemporaryDirectory() as folder:
        _, compared = replay(GUIDE.read_text(encoding="utf-8"), Path(folder))
    assert len(compared) >= 15
    for expected, actual in compared:
        assert actual == expected


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    with tempfile.TemporaryDirectory() as scratch:
        updated, _ = replay(GUIDE.read_text(encoding="utf-8"), Path(scratch))
    GUIDE.write_text(updated, encoding="utf-8")
    print(f"{GUIDE} mis à jour")
