"""out/ belongs to the user; gasp replaces or removes only the files its manifest lists."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import gasp, write

EPOCH = {"SOURCE_DATE_EPOCH": "1025395200"}  # 2002-06-30


def render(workspace: Path, *args: str):
    return gasp("render", "--format", "md,html", *args, workspace=workspace, env=EPOCH)


def change_a_theme(workspace: Path, title: str = "Logement social") -> None:
    """A change that reaches most documents, so that the next render writes them again."""
    path = workspace / "records/themes/logement.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(text.split("title: ", 1)[1].split("\n", 1)[0], title, 1), encoding="utf-8")


def rendered_anew(out: Path) -> bool:
    return any("Logement social" in p.read_text(encoding="utf-8") for p in out.rglob("*.md") if not p.is_symlink())


def manifest(out: Path) -> dict:
    return json.loads((out / ".gasp-manifest.json").read_text(encoding="utf-8"))


def assert_french_failure(result) -> None:
    assert result.exit_code == 1, result.output
    assert "erreur interne" not in result.stderr and "Errno" not in result.stderr and "Traceback" not in result.output


def test_an_extra_file_in_out_does_not_break_later_renders(example: Path):
    assert render(example).exit_code == 0
    extra = write(example, "out/rapport/rapport-2026-final.md", "# Mon rapport, retouché à la main\n")
    change_a_theme(example)
    result = render(example)
    assert result.exit_code == 0, result.output
    assert extra.read_text(encoding="utf-8") == "# Mon rapport, retouché à la main\n"
    assert "rapport-2026-final" not in (example / "out/index.html").read_text(encoding="utf-8")
    assert "rapport/rapport-2026-final.md" not in manifest(example / "out")["files"]


def test_the_manifest_lists_every_file_gasp_wrote(example: Path):
    assert render(example).exit_code == 0
    out = example / "out"
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted(manifest(out)["files"]) == [p for p in on_disk if p != ".gasp-manifest.json"]


def test_a_deleted_meeting_s_compte_rendu_leaves_out_and_the_index(example: Path):
    assert render(example).exit_code == 0
    out = example / "out"
    assert (out / "comptes-rendus/2002-02-12-agents.md").is_file()
    (example / "records/meetings/2002/2002-02-12-agents.yaml").unlink()
    mine = write(example, "out/comptes-rendus/mes-notes.md", "à garder\n")
    # A render of one meeting, or of other kinds, answers only for what it was asked.
    assert render(example, "2001-06-14-usagers").exit_code == 0
    assert render(example, "--only", "guides").exit_code == 0
    assert (out / "comptes-rendus/2002-02-12-agents.md").is_file()
    result = render(example)
    assert result.exit_code == 0, result.output
    assert "comptes-rendus/2002-02-12-agents.md" in result.stderr  # said, not silent
    assert not (out / "comptes-rendus/2002-02-12-agents.md").exists()
    assert not (out / "comptes-rendus/2002-02-12-agents.html").exists()
    assert "2002-02-12-agents" not in (out / "index.html").read_text(encoding="utf-8")
    assert not [p for p in manifest(out)["files"] if "2002-02-12-agents" in p]
    assert mine.read_text(encoding="utf-8") == "à garder\n"  # not gasp's: never touched


def test_a_render_in_one_format_keeps_the_others(example: Path):
    assert render(example).exit_code == 0
    assert gasp("render", "--format", "md", workspace=example, env=EPOCH).exit_code == 0
    assert (example / "out/comptes-rendus/2001-06-14-usagers.html").is_file()
    assert "2001-06-14-usagers.html" in (example / "out/index.html").read_text(encoding="utf-8")


def test_out_refuses_a_folder_holding_the_user_s_own_index(example: Path, tmp_path: Path):
    site = tmp_path / "mon-site"
    write(site, "index.html", "<p>Mon site</p>\n")
    result = render(example, "--out", str(site))
    assert_french_failure(result)
    assert "ne vient pas de gasp" in result.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "<p>Mon site</p>\n"
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]


def test_a_user_s_file_where_gasp_writes_stops_the_render_before_any_write(example: Path):
    write(example, "out/index.html", "<p>Mon index</p>\n")
    result = render(example)
    assert_french_failure(result)
    assert "index.html" in result.stderr and "n’est pas de gasp" in result.stderr
    assert (example / "out/index.html").read_text(encoding="utf-8") == "<p>Mon index</p>\n"
    assert sorted(p.name for p in (example / "out").iterdir()) == ["index.html"]


def test_the_user_s_symlinks_and_hard_links_are_left_as_they_are(example: Path, tmp_path: Path):
    assert render(example).exit_code == 0
    out = example / "out"
    archive = tmp_path / "archive.txt"
    archive.write_text("archive\n", encoding="utf-8")
    os.link(archive, out / "notes.txt")
    (out / "lien.txt").symlink_to(archive)
    (out / "guide/lien-vers-le-guide.html").symlink_to("guide-usagers.html")
    change_a_theme(example)
    result = render(example)
    assert result.exit_code == 0, result.output
    assert (out / "lien.txt").is_symlink() and os.readlink(out / "lien.txt") == str(archive)
    assert (out / "guide/lien-vers-le-guide.html").is_symlink()
    assert os.stat(out / "notes.txt").st_ino == os.stat(archive).st_ino and archive.stat().st_nlink == 2
    assert rendered_anew(out)


def test_a_symlink_loop_in_out_is_ignored(example: Path):
    assert render(example).exit_code == 0
    out = example / "out"
    (out / "a").symlink_to("b")
    (out / "b").symlink_to("a")
    (out / "boucle").mkdir()
    (out / "boucle/haut").symlink_to("..")
    change_a_theme(example)
    result = render(example)
    assert result.exit_code == 0, result.output
    assert (out / "a").is_symlink() and (out / "boucle/haut").is_symlink()


def test_a_symlink_loop_where_gasp_writes_is_a_french_error(example: Path):
    assert render(example).exit_code == 0
    out = example / "out"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for path in (out / "guide").iterdir():
        path.unlink()
    (out / "guide").rmdir()
    (out / "guide").symlink_to("guide")  # a loop where the guides go
    change_a_theme(example)
    result = render(example)
    assert_french_failure(result)
    assert "guide" in result.stderr and "lien symbolique" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "guide" not in p.as_posix()} == {
        p: b for p, b in before.items() if "guide" not in p.as_posix()
    }


def test_publication_never_renames_the_out_folder(tmp_path: Path, monkeypatch):
    """At a mount point, renaming the folder itself fails with EBUSY."""
    from gasp_cli.render import writer

    out = tmp_path / "point-de-montage"
    out.mkdir()
    real_rename, real_replace = os.rename, os.replace

    def busy(rename):
        def guarded(source, target, *args, **kwargs):
            if Path(source).resolve() == out.resolve() or Path(target).resolve() == out.resolve():
                raise OSError(errno.EBUSY, "Device or resource busy")
            return rename(source, target, *args, **kwargs)

        return guarded

    monkeypatch.setattr(os, "rename", busy(real_rename))
    monkeypatch.setattr(os, "replace", busy(real_replace))
    for version in (b"un\n", b"deux\n"):
        writer.publish(out, {"comptes-rendus/reunion.md": version}, lambda paths: b"<p>index</p>\n")
        assert (out / "comptes-rendus/reunion.md").read_bytes() == version


def _bind_mount(source: Path, target: Path) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True).returncode == 0


def test_out_at_a_real_mount_point(example: Path, tmp_path: Path):
    disk = tmp_path / "disque"
    disk.mkdir()
    (example / "out").mkdir()
    if not _bind_mount(disk, example / "out"):
        pytest.skip("monter un dossier demande les droits de root")
    try:
        assert render(example).exit_code == 0
        change_a_theme(example)
        result = render(example)
        assert result.exit_code == 0, result.output
        assert rendered_anew(disk)
    finally:
        subprocess.run(["umount", str(example / "out")], check=True)


def test_a_failed_publication_leaves_every_file_as_it_was(tmp_path: Path, monkeypatch):
    from gasp_cli.output import OutputError
    from gasp_cli.render import writer

    out = tmp_path / "out"
    writer.publish(out, {"a.md": b"ancien a\n", "b/b.md": b"ancien b\n"}, lambda paths: b"index 1\n")
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []
    real = writer.write_beside

    def disk_full(path, payload, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, payload, *args, **kwargs)

    monkeypatch.setattr(writer, "write_beside", disk_full)
    with pytest.raises(OutputError, match="impossible d'écrire"):
        writer.publish(
            out, {"a.md": b"nouveau a\n", "b/b.md": b"nouveau b\n", "c/c.md": b"c\n"}, lambda paths: b"index 2\n"
        )
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not (out / "c").exists()


def test_temporary_files_of_a_killed_render_are_cleaned_up(example: Path):
    assert render(example).exit_code == 0
    leftover = write(example, "out/comptes-rendus/.2001-06-14-usagers.md.gasp-4242-0123abcd", "moitié")
    mine = write(example, "out/comptes-rendus/.mes-reglages", "à garder")
    change_a_theme(example)
    assert render(example).exit_code == 0
    assert not leftover.exists() and mine.read_text(encoding="utf-8") == "à garder"


def test_an_out_folder_of_gasp_0_1_0_is_taken_over(example: Path):
    """0.1.0's manifest listed PDF hashes, not files: the files gasp writes again are adopted."""
    assert render(example).exit_code == 0
    out = example / "out"
    (out / ".gasp-manifest.json").write_text('{\n "version": 1,\n "pdf_sources": {}\n}\n', encoding="utf-8")
    mine = write(example, "out/lettre.txt", "à garder")
    change_a_theme(example)
    result = render(example)
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8") == "à garder"
    assert rendered_anew(out)
    assert "lettre.txt" not in manifest(out)["files"] and "index.html" in manifest(out)["files"]


def test_out_being_a_symlink_loop_is_a_french_error(example: Path):
    (example / "boucle").symlink_to("boucle")
    result = render(example, "--out", str(example / "boucle"))
    assert_french_failure(result)
    assert "boucle" in result.stderr


def test_the_lock_falls_back_on_out_itself_when_its_parent_cannot_be_written(tmp_path: Path, monkeypatch):
    """A mount point's parent (/media, /mnt) is often not the user's to write in."""
    from gasp_cli.render import writer

    real_open = os.open

    def read_only_parent(path, flags, *args, **kwargs):
        if str(path).endswith(".verrou"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(writer.os, "open", read_only_parent)
    out = tmp_path / "out"
    out.mkdir()
    writer.publish(out, {"a.md": b"a\n"}, lambda paths: b"index\n")
    assert (out / "a.md").read_bytes() == b"a\n" and not (tmp_path / ".out.verrou").exists()
