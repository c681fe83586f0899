"""`gasp rename KIND OLD NEW`: every reference follows, comments and layout stay, all files or none."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, gasp, validate_json, write


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _references(workspace: Path) -> set[str]:
    """Every id value written in a reference field, as the checks see them."""
    from gasp_cli.checks import _references as references
    from gasp_cli.loader import load_workspace
    from gasp_cli.workspace import Workspace

    records = load_workspace(Workspace(workspace)).records
    return {value for *_, value, _ in references(records) if value}


CASES = [
    ("person", "e-sion", "emile-sion", "people"),
    ("group", "usagers", "habitants", "groups"),
    ("service", "pmi", "protection-maternelle-infantile", "services"),
    ("theme", "logement", "habitat", "themes"),
    ("proposal", "regie-de-quartier", "regie", "proposals"),
    ("place", "salle-des-fetes-escautpont", "salle-des-fetes", None),
]


@pytest.mark.parametrize("kind,old,new,folder", CASES, ids=[c[0] for c in CASES])
def test_every_kind_is_renamed_everywhere_on_the_example(example: Path, kind: str, old: str, new: str, folder):
    before = _snapshot(example / "records")
    assert old in _references(example) or kind == "service"
    result = gasp("rename", kind, old, new, workspace=example)
    assert result.exit_code == 0, result.output
    after = _snapshot(example / "records")
    # The record itself is renamed (a place is renamed in gasp.yaml).
    if folder:
        assert not list((example / "records" / folder).rglob(f"{old}.yaml"))
        assert list((example / "records" / folder).rglob(f"{new}.yaml"))
    else:
        assert f"\n  {new}:\n" in after["gasp.yaml"].decode() and f"\n  {old}:\n" not in after["gasp.yaml"].decode()
    # No reference to the old id is left; the new one is referenced instead.
    references = _references(example)
    assert old not in references and (new in references or kind == "service")
    # gasp validate passes, with the same number of files.
    code, diagnostics = validate_json(example)
    assert code == 0 and not [d for d in diagnostics if d["severity"] == "error"], diagnostics
    assert len(after) == len(before)
    # Byte for byte elsewhere: each file is the same, but for the lines where the id was replaced.
    renamed = {}
    for line in result.stdout.splitlines():
        if " → " in line:
            source, target = line.split(" → ")
            renamed[source.removeprefix("records/")] = target.removeprefix("records/")
    changed = 0
    for path, content in before.items():
        new_content = after[renamed.get(path, path)]
        if new_content == content:
            continue
        changed += 1
        old_lines, new_lines = content.decode().splitlines(True), new_content.decode().splitlines(True)
        assert len(old_lines) == len(new_lines), path
        for a, b in zip(old_lines, new_lines, strict=True):
            if a != b:
                assert re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, a) == b, (path, a, b)
    assert changed >= 1
    assert f"« {old} » → « {new} »" in result.stderr


def test_a_group_renames_its_meeting_files(example: Path):
    result = gasp("rename", "group", "usagers", "habitants", workspace=example)
    assert result.exit_code == 0, result.output
    meetings = example / "records" / "meetings"
    assert not list(meetings.rglob("*-usagers.yaml"))
    renamed = sorted(p.name for p in meetings.rglob("*-habitants.yaml"))
    assert "2001-06-14-habitants.yaml" in renamed and len(renamed) == 7
    assert "group: habitants\n" in (meetings / "2001" / "2001-06-14-habitants.yaml").read_text(encoding="utf-8")
    assert (
        gasp(
            "render", "2001-06-14-habitants", "--format", "md", "--out", str(example / "out"), workspace=example
        ).exit_code
        == 0
    )


def test_comments_quotes_and_flow_style_are_kept(example: Path):
    people = example / "records" / "people"
    meeting = example / "records" / "meetings" / "2002" / "2002-06-11-agents.yaml"
    text = meeting.read_text(encoding="utf-8")
    text = text.replace("status: held\n", "status: held  # tenue\n# Un commentaire seul.\n", 1)
    text = text.replace("- e-sion\n", '- "e-sion"   # la sociologue\n', 1)
    meeting.write_text(text, encoding="utf-8")
    os.chmod(people / "e-sion.yaml", 0o640)
    result = gasp("rename", "person", "e-sion", "emile-sion", workspace=example)
    assert result.exit_code == 0, result.output
    rewritten = meeting.read_text(encoding="utf-8")
    # The changed line keeps its quotes and its comment (ruamel keeps the comment's column when it can)…
    assert re.search(r'^- "emile-sion" +# la sociologue$', rewritten, re.M), rewritten
    # …and every other line is as it was.
    assert [line for line in rewritten.splitlines() if "emile-sion" not in line] == [
        line for line in text.splitlines() if '"e-sion"' not in line
    ]
    assert "status: held  # tenue\n# Un commentaire seul.\n" in rewritten
    assert (people / "emile-sion.yaml").stat().st_mode & 0o777 == 0o640


def test_a_slug_yaml_would_read_otherwise_is_quoted(example: Path):
    result = gasp("rename", "theme", "logement", "null", workspace=example)
    assert result.exit_code == 0, result.output
    assert "theme: 'null'" in (example / "records" / "proposals" / "regie-de-quartier.yaml").read_text(encoding="utf-8")
    code, diagnostics = validate_json(example)
    assert code == 0, diagnostics


def test_all_or_nothing_when_a_write_fails_midway(example: Path, monkeypatch: pytest.MonkeyPatch):
    from gasp_cli import renaming

    before = _snapshot(example)
    calls = {"n": 0}
    real_replace = os.replace

    def failing_replace(source, target):
        calls["n"] += 1
        if calls["n"] == 5:  # four files already replaced, and the new names already created
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(renaming.os, "replace", failing_replace)
    result = gasp("rename", "person", "e-sion", "emile-sion", workspace=example)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "rien n'a été changé" in result.stderr
    assert calls["n"] >= 5
    assert _snapshot(example) == before  # same files, same bytes, no temporary file left


def test_all_or_nothing_when_removing_an_old_name_fails(example: Path, monkeypatch: pytest.MonkeyPatch):
    before = _snapshot(example)
    real_unlink = Path.unlink
    calls = {"n": 0}

    def failing_unlink(self, missing_ok=False):
        if self.name.endswith("-usagers.yaml"):
            calls["n"] += 1
            if calls["n"] == 3:
                raise PermissionError(13, "Permission denied")
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", failing_unlink)
    result = gasp("rename", "group", "usagers", "habitants", workspace=example)
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert _snapshot(example) == before


REFUSALS = [
    (("person", "e-sion", "sylvain-dufresne"), "« sylvain-dufresne » existe déjà"),
    (("person", "e-sion", "Émile Sion"), "n'est pas un identifiant"),
    (("person", "e-sion", "Émile Sion"), "vouliez-vous dire « emile-sion » ?"),
    (("person", "e-sino", "emile-sion"), "la personne « e-sino » n'existe pas ; vouliez-vous dire « e-sion » ?"),
    (("group", "usager", "habitants"), "vouliez-vous dire « usagers » ?"),
    (
        ("place", "mairie-bruai", "mairie"),
        "le lieu « mairie-bruai » n'existe pas ; vouliez-vous dire « mairie-bruay » ?",
    ),
    (("place", "mairie-bruay", "maison-des-services"), "« maison-des-services » existe déjà"),
    (("theme", "logement", "logement"), "est déjà le nom"),
    (("proposal", "regie-de-quartier", "regie_quartier"), "n'est pas un identifiant"),
]


@pytest.mark.parametrize("args,message", REFUSALS, ids=[" ".join(a) for a, _ in REFUSALS])
def test_refusals_change_nothing(example: Path, args: tuple[str, ...], message: str):
    before = _snapshot(example)
    result = gasp("rename", *args, workspace=example)
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert _snapshot(example) == before


def test_an_unknown_kind_is_a_usage_error(example: Path):
    result = gasp("rename", "personne", "e-sion", "emile-sion", workspace=example)
    assert result.exit_code == 2
    assert "« personne » n'est pas permis" in result.stderr


def test_invalid_records_are_not_renamed(example: Path):
    write(example, "records/themes/casse.yaml", "titel: Casse\n")
    before = _snapshot(example)
    result = gasp("rename", "person", "e-sion", "emile-sion", workspace=example)
    assert result.exit_code == 1
    assert _snapshot(example) == before


def test_observations_follow_a_theme_and_a_renamed_meeting(example: Path):
    """Observations (the sociologist's notes) name meetings and themes: the plan rewrites them too."""
    from gasp_cli.loader import load_workspace
    from gasp_cli.renaming import plan_rename
    from gasp_cli.workspace import Workspace

    write(
        example,
        "records/observations/note-1.yaml",
        "date: 2001-06-14\n# la réunion\nmeeting: 2001-06-14-usagers\nthemes: [logement, insecurite]\ntext: Vu.\n",
    )
    workspace = Workspace(example)
    records = load_workspace(workspace).records
    plan = plan_rename(workspace, records, "group", "usagers", "habitants")
    note = next(c for c in plan.changes if c.path.name == "note-1.yaml")
    assert note.text == note.old_text.replace("2001-06-14-usagers", "2001-06-14-habitants")
    plan = plan_rename(workspace, records, "theme", "logement", "habitat")
    note = next(c for c in plan.changes if c.path.name == "note-1.yaml")
    assert "themes: [habitat, insecurite]\n" in note.text and "# la réunion\n" in note.text


def test_completion_of_rename_ids():
    env = {**os.environ, "PYTHONPATH": str(REPO), "_GASP_COMPLETE": "complete_bash"}
    env.pop("GASP_RECORDS", None)

    def complete(words: str) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-m", "gasp_cli"],
            cwd=REPO,
            timeout=60,
            capture_output=True,
            text=True,
            env={**env, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)},
        )
        return result.stdout.split()

    assert complete("gasp rename person e-si") == ["e-sion"]
    assert complete("gasp rename group usa") == ["usagers"]
    assert complete("gasp rename place mai") == ["mairie-bruay", "maison-des-services"]
    assert complete("gasp rename theme loge") == ["logement"]


def test_ruamel_is_imported_only_by_the_rename_command():
    code = "import sys, gasp_cli.cli; assert not [m for m in sys.modules if m.startswith('ruamel')]"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0
