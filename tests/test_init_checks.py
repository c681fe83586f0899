"""`gasp init` checks everything before writing anything, and never overwrites a file."""

from __future__ import annotations

from pathlib import Path

from conftest import gasp

ENV = {"GASP_TODAY": "2026-11-25"}


def init(folder: Path, *args: str):
    return gasp("init", str(folder), *args, env=ENV)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dossier>")
        for p in sorted(folder.rglob("*"))
    }


def assert_refused(result) -> None:
    assert result.exit_code == 1, result.output
    assert "erreur interne" not in result.stderr and "Errno" not in result.stderr
    assert "Traceback" not in result.output


def test_records_being_a_file_is_a_french_error(tmp_path: Path):
    (tmp_path / "records").write_text("pas un dossier\n", encoding="utf-8")
    result = init(tmp_path)
    assert_refused(result)
    assert "records" in result.stderr and "n’est pas un dossier" in result.stderr
    assert tree(tmp_path) == {"records": b"pas un dossier\n"}


def test_schemas_being_a_file_is_refused_before_anything_is_written_and_a_rerun_works(tmp_path: Path):
    (tmp_path / "schemas").write_text("mes notes\n", encoding="utf-8")
    (tmp_path / "templates").write_text("encore un fichier\n", encoding="utf-8")
    result = init(tmp_path)
    assert_refused(result)
    assert "schemas" in result.stderr and "templates" in result.stderr  # every problem at once
    assert tree(tmp_path) == {"schemas": b"mes notes\n", "templates": b"encore un fichier\n"}
    (tmp_path / "schemas").unlink()
    (tmp_path / "templates").unlink()
    again = init(tmp_path)
    assert again.exit_code == 0, again.output
    assert gasp("validate", "--strict", workspace=tmp_path, env=ENV).exit_code == 0


def test_existing_schemas_and_files_are_never_overwritten(tmp_path: Path):
    schema = tmp_path / "schemas/meeting.schema.json"
    schema.parent.mkdir()
    schema.write_text('{"title": "le mien"}\n', encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.bak\n", encoding="utf-8")
    result = init(tmp_path)
    assert result.exit_code == 0, result.output
    assert schema.read_text(encoding="utf-8") == '{"title": "le mien"}\n'
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.bak\n"
    assert (tmp_path / "schemas/person.schema.json").is_file()  # the missing ones are written


def test_a_folder_that_is_a_file_is_a_french_error(tmp_path: Path):
    (tmp_path / "espace").write_text("un fichier\n", encoding="utf-8")
    result = init(tmp_path / "espace", "--example")
    assert_refused(result)
    assert (tmp_path / "espace").read_text(encoding="utf-8") == "un fichier\n"


def test_every_problem_is_told_in_one_run(tmp_path: Path):
    (tmp_path / "records").write_text("un fichier\n", encoding="utf-8")
    (tmp_path / ".vscode").write_text("un autre\n", encoding="utf-8")
    result = init(tmp_path)
    assert_refused(result)
    assert "records" in result.stderr and ".vscode" in result.stderr


def test_every_commune_given_is_kept(tmp_path: Path):
    assert init(tmp_path / "g", "--commune", "Escautpont", "--commune", "Bruay-sur-l'Escaut").exit_code == 0
    text = (tmp_path / "g/records/gasp.yaml").read_text(encoding="utf-8")
    assert "communes:\n  - Escautpont\n  - Bruay-sur-l'Escaut\n" in text
    assert gasp("validate", "--strict", env=ENV, workspace=tmp_path / "g").exit_code == 0


def test_meetings_recorded_before_init_are_not_counted_in_silence(tmp_path: Path):
    """init makes every member start today: the past meetings then fall before the group began."""
    root = tmp_path / "g"
    assert init(root).exit_code == 0
    for month in ("09-08", "10-13"):
        (root / "records/meetings/2026").mkdir(parents=True, exist_ok=True)
        (root / f"records/meetings/2026/2026-{month}-agents.yaml").write_text(
            f'group: agents\ndate: 2026-{month}\ntime: "14:00"\nplace: mairie\nstatus: held\nattendees: [secretaire]\n',
            encoding="utf-8",
        )
    result = gasp("validate", env=ENV, workspace=root)
    assert (
        "records/groups/agents.yaml:17:33: avertissement: 2 réunions tenues avant l’arrivée du premier membre "
        "(le 25 novembre 2026), la première le 8 septembre 2026"
    ) in result.stderr, result.stderr
    comment = (root / "records/groups/agents.yaml").read_text(encoding="utf-8")
    assert "si le groupe s'est réuni avant, avancez since" in comment
