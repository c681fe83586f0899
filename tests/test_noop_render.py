"""A render with nothing to do does nothing: one key of all its inputs (render/inputs.py).

The oracle of each test: after a change of any input, out/ holds exactly what a first
render of the same inputs into an empty folder holds (the manifest included). A key that
leaves an input out fails the test of that input: the render says « à jour » and out/ keeps
the old files.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import gasp, tree, write

ENV = {"SOURCE_DATE_EPOCH": "1025395200", "GASP_TODAY": "2002-06-30"}  # 30 June 2002: the example's as_of
MD_HTML = ("--format", "md,html")
UP_TO_DATE = "est à jour : rien n'a changé"


def times(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's and folder's modification and status-change times."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ctime_ns)
        for p in [folder, *sorted(folder.rglob("*"))]
    }


def render(workspace: Path, *args: str, env: dict[str, str] | None = None):
    result = gasp("render", *args, workspace=workspace, env=env or ENV)
    assert result.exit_code == 0, result.output
    return result


def assert_as_a_first_render(workspace: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """out/ is byte for byte what a render of the same inputs into a new folder gives."""
    assert tree(workspace / "out") == tree_of_a_first_render(workspace, *args, env=env)


# The tree of a first render of each set of inputs met in this module. The same inputs give the same
# bytes (test_render.py's test_same_records_same_bytes): many tests here end on the example as it is,
# rendered with the same options on the same day, and need its first render only once.
FIRST_RENDERS: dict[str, dict[str, str]] = {}


def tree_of_a_first_render(workspace: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """Every file (and its SHA-256) of a render of the workspace's inputs into an empty folder. Its
    inputs: every file of the workspace but its outputs (records, templates, whatever a test put
    beside them), the options and the environment."""
    inputs = {path: digest for path, digest in tree(workspace).items() if path.split("/")[0] not in ("out", "neuf")}
    key = json.dumps([inputs, args, env or ENV], sort_keys=True)
    if key not in FIRST_RENDERS:
        fresh = workspace / "neuf"
        shutil.rmtree(fresh, ignore_errors=True)
        render(workspace, *args, "--out", str(fresh), env=env)
        FIRST_RENDERS[key] = tree(fresh)
        shutil.rmtree(fresh)
    return FIRST_RENDERS[key]


@pytest.fixture
def rendered(example: Path) -> Path:
    """The example rendered once in Markdown and HTML (the PDFs change nothing to the key's logic)."""
    render(example, *MD_HTML)
    return example


@pytest.fixture
def no_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building any document's data (a view) fails the test: a render with nothing to do builds none."""
    from gasp_cli.render import documents

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a document was built")

    monkeypatch.setattr(documents, "render_documents", refuse)


def test_nothing_changed_nothing_built_nothing_touched(rendered: Path, no_view: None):
    out = rendered / "out"
    before = times(out)
    again = render(rendered, *MD_HTML)
    assert f"out {UP_TO_DATE}" in again.stdout and again.stderr == ""
    count = int(again.stdout.rsplit("(", 1)[1].split()[0])
    assert count == len([p for p in tree(out) if p not in ("index.html", ".gasp-manifest.json")])
    assert times(out) == before  # not a file, not a folder, not even the manifest


def test_a_file_that_is_not_a_record_is_not_an_input(rendered: Path, no_view: None):
    write(rendered, "records/notes.txt", "à faire : relire les comptes rendus\n")
    write(rendered, "records/people/.brouillon.yaml", "name: pas encore\n")  # hidden: never read
    assert UP_TO_DATE in render(rendered, *MD_HTML).stdout


def test_a_record_edit(rendered: Path):
    path = rendered / "records/meetings/2001/2001-06-14-usagers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topic: logement", "topic: insecurite"), encoding="utf-8")
    result = render(rendered, *MD_HTML)
    assert UP_TO_DATE not in result.stdout and "fichiers mis à jour" in result.stdout
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_record_edit_that_keeps_the_size(rendered: Path):
    """Same size, same name: only the bytes tell."""
    before = tree(rendered / "out")
    path = rendered / "records/themes/logement.yaml"
    text = path.read_text(encoding="utf-8")
    assert "title: Logement" in text
    path.write_text(text.replace("title: Logement", "title: Lojement", 1), encoding="utf-8")
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert tree(rendered / "out") != before
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_new_record_file(rendered: Path):
    service = (rendered / "records/services/transports-urbains.yaml").read_text(encoding="utf-8")
    write(
        rendered,
        "records/services/navette-municipale.yaml",
        service.replace("name: Transports urbains", "name: Navette municipale"),
    )
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert "Navette municipale" in (rendered / "out/guide/guide-usagers.md").read_text(encoding="utf-8")
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_removed_record_file(rendered: Path):
    assert "Transports urbains" in (rendered / "out/guide/guide-usagers.md").read_text(encoding="utf-8")
    (rendered / "records/services/transports-urbains.yaml").unlink()
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert "Transports urbains" not in (rendered / "out/guide/guide-usagers.md").read_text(encoding="utf-8")
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_record_moved_to_another_folder(rendered: Path):
    """The same bytes under another path: an input too (its id stays, where it is shown may not)."""
    old = rendered / "records/services/transports-urbains.yaml"
    new = rendered / "records/services/transports/transports-urbains.yaml"
    new.parent.mkdir()
    old.rename(new)
    result = render(rendered, *MD_HTML)
    assert result.exit_code == 0
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_template_of_the_workspace(rendered: Path):
    from gasp_cli.render.inputs import default_templates

    template = (default_templates() / "compte-rendu.md.j2").read_text(encoding="utf-8")
    write(rendered, "templates/compte-rendu.md.j2", template + "\nModèle de la commune.\n")
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert "Modèle de la commune." in (rendered / "out/comptes-rendus/2001-06-14-usagers.md").read_text(
        encoding="utf-8"
    )
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_template_in_a_sub_folder_of_the_workspace_templates(rendered: Path):
    """A template may include another from a sub-folder: it is read too."""
    from gasp_cli.render.inputs import default_templates

    template = (default_templates() / "compte-rendu.md.j2").read_text(encoding="utf-8")
    write(rendered, "templates/parties/pied.md.j2", "Pied de page, première version.\n")
    write(rendered, "templates/compte-rendu.md.j2", template + '\n{% include "parties/pied.md.j2" %}\n')
    render(rendered, *MD_HTML)
    write(rendered, "templates/parties/pied.md.j2", "Pied de page, seconde version.\n")
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert "seconde version" in (rendered / "out/comptes-rendus/2001-06-14-usagers.md").read_text(encoding="utf-8")
    assert_as_a_first_render(rendered, *MD_HTML)


def test_the_day_records_are_judged_on(rendered: Path):
    earlier = {**ENV, "GASP_TODAY": "2002-03-01"}
    assert UP_TO_DATE not in render(rendered, *MD_HTML, env=earlier).stdout
    assert_as_a_first_render(rendered, *MD_HTML, env=earlier)
    assert tree(rendered / "out") != tree_of_a_first_render(rendered, *MD_HTML)  # the test can fail


def test_the_edition_date_and_timestamp(rendered: Path):
    later = {**ENV, "SOURCE_DATE_EPOCH": str(1025395200 + 86400)}
    assert UP_TO_DATE not in render(rendered, *MD_HTML, env=later).stdout
    assert_as_a_first_render(rendered, *MD_HTML, env=later)
    assert tree(rendered / "out") != tree_of_a_first_render(rendered, *MD_HTML)


def test_the_timestamp_alone(rendered: Path):
    """One second later, the same day: only the calendar's DTSTAMP moves."""
    later = {**ENV, "SOURCE_DATE_EPOCH": str(1025395200 + 1)}
    render(rendered, *MD_HTML, env=later)
    assert_as_a_first_render(rendered, *MD_HTML, env=later)
    assert tree(rendered / "out") != tree_of_a_first_render(rendered, *MD_HTML)


def test_formats(example: Path):
    render(example, "--format", "md")
    assert [p.name for p in (example / "out").rglob("*.html")] == ["index.html"]
    assert UP_TO_DATE not in render(example, *MD_HTML).stdout
    assert (example / "out/comptes-rendus/2001-06-14-usagers.html").is_file()
    assert_as_a_first_render(example, *MD_HTML)


def test_kinds(example: Path):
    render(example, *MD_HTML, "--only", "guides")
    assert not (example / "out/comptes-rendus").exists()
    assert UP_TO_DATE not in render(example, *MD_HTML).stdout
    assert (example / "out/comptes-rendus/2001-06-14-usagers.md").is_file()
    assert_as_a_first_render(example, *MD_HTML)


def test_meetings(example: Path):
    render(example, *MD_HTML, "2001-06-14-usagers")
    assert UP_TO_DATE in render(example, *MD_HTML, "2001-06-14-usagers").stdout
    assert UP_TO_DATE not in render(example, *MD_HTML, "2001-09-13-usagers").stdout
    assert (example / "out/comptes-rendus/2001-09-13-usagers.md").is_file()


def test_a_deleted_output_file(rendered: Path):
    (rendered / "out/comptes-rendus/2001-06-14-usagers.md").unlink()
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert_as_a_first_render(rendered, *MD_HTML)


def change_by_hand(target: Path) -> bytes:
    """One byte changed in place: the same inode, the same size, the same modification time."""
    before = target.stat()
    data = bytearray(target.read_bytes())
    data[-2:-1] = b"#" if data[-2:-1] != b"#" else b"!"
    with open(target, "r+b") as stream:
        stream.write(bytes(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    return bytes(data)


@pytest.mark.parametrize(
    "path", ["comptes-rendus/2001-06-14-usagers.md", "index.html", "suivi.html", "calendrier/calendrier-2002.ics"]
)
def test_an_output_file_changed_by_hand(rendered: Path, path: str):
    """Changed in place, with its size and modification time kept: its status-change time tells."""
    change_by_hand(rendered / "out" / path)
    assert UP_TO_DATE not in render(rendered, *MD_HTML).stdout
    assert_as_a_first_render(rendered, *MD_HTML)


def test_an_output_file_changed_by_hand_survives_no_partial_render(rendered: Path):
    """A file changed while a render that does not answer for it runs (--only guides) is still made again
    by the next render that does: its signature is marked changed, not taken as it is."""
    target = rendered / "out/comptes-rendus/2001-06-14-usagers.md"
    changed = change_by_hand(target)
    render(rendered, *MD_HTML, "--only", "guides")
    assert target.read_bytes() == changed  # not this render's to answer for
    render(rendered, *MD_HTML)
    assert target.read_bytes() != changed
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_touched_file_is_checked_once_then_trusted(rendered: Path, monkeypatch: pytest.MonkeyPatch):
    """Touched, not changed: the next render compares its bytes and writes no document; the one after has nothing to do."""
    target = rendered / "out/comptes-rendus/2001-06-14-usagers.html"
    os.utime(target)
    documents = {p: p.stat().st_mtime_ns for p in (rendered / "out").rglob("*") if p.name != ".gasp-manifest.json"}
    assert UP_TO_DATE in render(rendered, *MD_HTML).stdout  # views built, nothing written but the manifest
    assert {p: p.stat().st_mtime_ns for p in documents} == documents
    from gasp_cli.render import documents as module

    monkeypatch.setattr(module, "render_documents", lambda *args, **kwargs: pytest.fail("a document was built"))
    assert UP_TO_DATE in render(rendered, *MD_HTML).stdout


def test_a_symlink_in_place_of_an_output_file(rendered: Path):
    target = rendered / "out/suivi.md"
    target.unlink()
    target.symlink_to(rendered / "records/gasp.yaml")
    result = gasp("render", *MD_HTML, workspace=rendered, env=ENV)
    assert result.exit_code == 1 and "lien symbolique" in result.stderr


def test_temporary_files_of_a_killed_render_are_removed(rendered: Path):
    leftover = rendered / "out/comptes-rendus/.2001-06-14-usagers.md.gasp-4242-0123abcd"
    leftover.write_bytes(b"moitie")
    render(rendered, *MD_HTML)
    assert not leftover.exists()


def test_a_manifest_without_key_is_a_render_as_before(rendered: Path, monkeypatch: pytest.MonkeyPatch):
    """A manifest of an earlier gasp (no input key, no signatures): no shortcut, and no harm; the next one has it."""
    manifest = rendered / "out/.gasp-manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    del data["render"], data["signatures"]
    data["version"] = 3
    manifest.write_text(json.dumps(data), encoding="utf-8")
    from gasp_cli.render import documents

    built: list[int] = []
    real = documents.render_documents
    monkeypatch.setattr(documents, "render_documents", lambda *args, **kwargs: built.append(1) or real(*args, **kwargs))
    assert UP_TO_DATE in render(rendered, *MD_HTML).stdout and built == [1]
    assert "render" in json.loads(manifest.read_text(encoding="utf-8"))
    assert UP_TO_DATE in render(rendered, *MD_HTML).stdout and built == [1]
    assert_as_a_first_render(rendered, *MD_HTML)


def test_a_partial_render_keeps_the_data_keys_of_the_others(rendered: Path, monkeypatch: pytest.MonkeyPatch):
    """After `--only guides`, a full render lays out no compte rendu again (their PDFs would all be recompiled)."""
    render(rendered, *MD_HTML, "--only", "guides")
    from gasp_cli.render.documents import Renderer

    laid_out: list[str] = []
    real = Renderer.text

    def text(self: Renderer, template: str, output_format: str, doc: object, **context: object) -> str:
        laid_out.append(template)
        return real(self, template, output_format, doc, **context)

    monkeypatch.setattr(Renderer, "text", text)
    render(rendered, *MD_HTML)
    assert laid_out == []  # not even index.html: it lists the same files
    assert_as_a_first_render(rendered, *MD_HTML)


def test_the_manifest_is_later_than_every_file_it_lists(rendered: Path, monkeypatch: pytest.MonkeyPatch):
    """Files renamed in the same tick of the file system's clock as the manifest would look changed
    after it: the render waits for the clock, and the next render has nothing to do."""
    from gasp_cli.render import documents

    real = documents.render_documents
    service = rendered / "records/services/transports-urbains.yaml"
    text = service.read_text(encoding="utf-8")
    for round in range(3):
        monkeypatch.setattr(documents, "render_documents", real)
        service.write_text(
            text.replace("name: Transports urbains", f"name: Transports urbains {round}"), encoding="utf-8"
        )
        result = render(rendered, *MD_HTML, "--only", "guides")
        assert "fichiers mis à jour" in result.stdout
        out = rendered / "out"
        manifest = (out / ".gasp-manifest.json").stat().st_ctime_ns
        assert all(
            p.stat().st_ctime_ns < manifest for p in out.rglob("*") if p.is_file() and p.name != ".gasp-manifest.json"
        )
        monkeypatch.setattr(documents, "render_documents", lambda *args, **kwargs: pytest.fail("a document was built"))
        assert UP_TO_DATE in render(rendered, *MD_HTML, "--only", "guides").stdout


def test_a_new_day_builds_only_what_depends_on_the_day(rendered: Path, monkeypatch: pytest.MonkeyPatch):
    """Another day, the same records: comptes rendus and the dossiers of held meetings are built from
    the records alone (their input keys); they are kept without being built. The rest is built again."""
    from gasp_cli.documents import compte_rendu, dossier, suivi

    built: list[str] = []
    for module in (compte_rendu, dossier, suivi):
        real = module.build

        def spy(*args: object, real: object = real, name: str = module.__name__, **options: object) -> object:
            if not options.get("public"):  # the residents' site's comptes rendus stand as on the day: built again
                built.append(name.rsplit(".", 1)[1])
            return real(*args, **options)  # type: ignore[operator]

        monkeypatch.setattr(module, "build", spy)
    earlier = {**ENV, "GASP_TODAY": "2002-03-01"}  # within the records: the next référents meeting moves
    result = render(rendered, *MD_HTML, env=earlier)
    assert UP_TO_DATE not in result.stdout
    assert "suivi" in built and "compte_rendu" not in built
    assert built.count("dossier") == 1  # the next meeting's, as it stands on the new day
    assert_as_a_first_render(rendered, *MD_HTML, env=earlier)
