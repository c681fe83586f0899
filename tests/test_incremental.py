"""A render over an existing out/ gives exactly the bytes of a full render into an empty folder.

Each document is kept without being built when none of the record files it reads has changed
(documents/dependencies.py). A dependency left out shows here: after an edit, the incremental out/
keeps an old file that a fresh render makes anew. The records are edited in several ways, one
after the other, and after each the incremental out/ is compared byte for byte (the manifest
included) with a fresh render of the same records into an empty folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import gasp, tree

ENV = {"SOURCE_DATE_EPOCH": "1025395200", "GASP_TODAY": "2002-06-30"}


def render(workspace: Path, out: Path, formats: str) -> str:
    result = gasp("render", "--out", str(out), "--format", formats, workspace=workspace, env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def check_same_as_fresh(workspace: Path, out: Path, scratch: Path, formats: str) -> str:
    said = render(workspace, out, formats)
    fresh = scratch / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    render(workspace, fresh, formats)
    incremental, full = tree(out), tree(fresh)
    assert sorted(incremental) == sorted(full)
    differing = sorted(path for path in full if incremental[path] != full[path])
    assert differing == [], differing
    return said


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edits(records: Path, workspace: Path) -> list[tuple[str, object]]:
    meetings = records / "meetings" / "2001"

    def agents_meeting() -> None:
        edit(meetings / "2001-10-09-agents.yaml", "discussion: 'Le guide", "discussion: 'Ajout. Le guide")

    def usagers_meeting() -> None:
        edit(meetings / "2001-09-13-usagers.yaml", "discussion: Le groupe", "discussion: Désormais, le groupe")

    def agents_note() -> None:
        # Not the discussion: what the members' proposal pages, dossiers and suivi show (keyed on it).
        edit(meetings / "2001-10-09-agents.yaml", "note: Les agents d'accueil", "note: Tous les agents d'accueil")

    def added_discussion() -> None:
        path = records / "meetings" / "2002" / "2002-02-12-agents.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "discussion: Ajoutée après coup.\n", encoding="utf-8")

    def block_discussion() -> None:
        # The discussion's text changes length and style, the keys after it stay: only its compte rendu changes.
        path = meetings / "2001-10-09-agents.yaml"
        text = path.read_text(encoding="utf-8")
        start = text.index("discussion: ")
        end = text.index("proposals:", start)
        path.write_text(
            text[:start] + "discussion: >-\n  Réécrite.\n\n  En deux paragraphes.\n" + text[end:], encoding="utf-8"
        )

    def milestone() -> None:
        path = records / "proposals" / "formulaire-plainte-simplifie.yaml"
        edit(path, "- date: 2001-11-05", "- date: 2001-11-06")

    def service() -> None:
        path = records / "services" / "la-poste.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^(  description: .*)$", r"\1 (modifié)", text, count=1), encoding="utf-8")

    def cadence() -> None:
        edit(records / "groups" / "agents.yaml", 'time: "14:00"', 'time: "14:30"')

    def deleted_meeting() -> None:
        (meetings / "2001-12-13-usagers.yaml").unlink()

    def renamed() -> None:
        result = gasp("rename", "proposal", "horaires-police", "horaires-du-poste-de-police", workspace=workspace)
        assert result.exit_code == 0, result.output

    return [
        ("une réunion des agents", agents_meeting),
        ("une réunion des usagers", usagers_meeting),
        ("une note dans une réunion des agents", agents_note),
        ("une discussion ajoutée", added_discussion),
        ("une discussion réécrite en bloc", block_discussion),
        ("un jalon de proposition", milestone),
        ("un service", service),
        ("la cadence d’un groupe", cadence),
        ("une réunion supprimée", deleted_meeting),
        ("une proposition renommée", renamed),
    ]


def test_every_edit_gives_the_bytes_of_a_fresh_render(example: Path, tmp_path: Path) -> None:
    out = example / "out"
    render(example, out, "md,html")
    for label, change in _edits(example / "records", example):
        assert callable(change)
        change()
        said = check_same_as_fresh(example, out, tmp_path, "md,html")
        assert "mis à jour" in said, (label, said)


def test_an_edit_rebuilds_few_files_and_says_so(example: Path, tmp_path: Path) -> None:
    """An agents meeting's discussion touches its own compte rendu: a few files, not the site."""
    out = example / "out"
    render(example, out, "md,html")
    before = tree(out)
    edit(
        example / "records" / "meetings" / "2001" / "2001-10-09-agents.yaml",
        "discussion: 'Le guide",
        "discussion: 'Ajout. Le guide",
    )
    said = check_same_as_fresh(example, out, tmp_path, "md,html")
    after = tree(out)
    changed = sorted(path for path in after if before.get(path) != after[path] and path != ".gasp-manifest.json")
    assert "comptes-rendus/2001-10-09-agents.html" in changed
    # The agents' minutes are not public: the site and its search index are as they were.
    assert not [path for path in changed if path.startswith("public/")], changed
    match = re.search(r"(\d+) fichiers? mis à jour, (\d[\d\u202f ]*) inchangés", said)
    assert match, said
    assert int(match.group(1)) == len(changed)
    assert int(re.sub(r"\D", "", match.group(2))) == len(after) - 1 - len(changed)  # the manifest is not counted


@pytest.mark.slow
def test_with_pdf_too(example: Path, tmp_path: Path) -> None:
    out = example / "out"
    render(example, out, "md,html,pdf")
    for _label, change in _edits(example / "records", example)[:3]:
        assert callable(change)
        change()
        check_same_as_fresh(example, out, tmp_path, "md,html,pdf")


# --- a discussion edited: only its meeting's documents are made (render/documents.py `_produce_narrow`) ---


def _retouch_agents(example: Path) -> Path:
    """A word added to the discussion of an agents meeting (whose comptes rendus are not public)."""
    path = example / "records" / "meetings" / "2001" / "2001-10-09-agents.yaml"
    edit(path, "discussion: 'Le guide", "discussion: 'Ajout. Le guide")
    return path


def _retouch_usagers(example: Path) -> None:
    """A word added to the discussion of a usagers meeting (on the site, with its search section)."""
    edit(
        example / "records" / "meetings" / "2001" / "2001-09-13-usagers.yaml",
        "discussion: Le groupe",
        "discussion: Désormais, le groupe",
    )


def _narrow_attempts(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The meetings of each narrow render tried (render/documents.py `_produce_narrow`)."""
    import gasp_cli.render.documents as documents

    tried: list[frozenset[str]] = []
    narrow = documents._produce_narrow

    def recorded(*args: object) -> bool:
        tried.append(args[-1])  # type: ignore[arg-type]
        return narrow(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "_produce_narrow", recorded)
    return tried


def _narrow_only(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    """The full production made to fail, and each narrow render's meetings recorded: a render that
    is not narrow fails, one that is says which meetings it remade."""
    import gasp_cli.render.documents as documents

    def refused(*args: object) -> None:
        raise AssertionError("rendu complet, alors que seules des discussions ont changé")

    monkeypatch.setattr(documents, "_produce", refused)
    return _narrow_attempts(monkeypatch)


def test_a_discussion_edit_makes_only_its_meetings_documents(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = example / "out"
    render(example, out, "md,html")
    _retouch_agents(example)
    _retouch_usagers(example)
    with monkeypatch.context() as patched:
        narrowed = _narrow_only(patched)
        said = render(example, out, "md,html")
    assert narrowed == [frozenset({"2001-10-09-agents", "2001-09-13-usagers"})]
    assert "mis à jour" in said
    fresh = tmp_path / "fresh"
    render(example, fresh, "md,html")
    assert tree(out) == tree(fresh)


def test_a_discussion_edit_over_a_file_changed_by_hand_renders_in_full(example: Path, tmp_path: Path) -> None:
    """A file changed by hand in out/ cannot be kept without being made again: the render is a full one."""
    out = example / "out"
    render(example, out, "md,html")
    _retouch_agents(example)
    guide = out / "guide" / "guide-agents.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("Guide", "Gide", 1), encoding="utf-8")
    check_same_as_fresh(example, out, tmp_path, "md,html")


def test_a_discussion_edit_without_search_renders_in_full(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind gone since the last render: the site is made again without its search, as a full render makes it."""
    import gasp_cli.documents.site as site

    out = example / "out"
    render(example, out, "md,html")
    _retouch_usagers(example)
    monkeypatch.setattr(site, "search_available", lambda: False)
    check_same_as_fresh(example, out, tmp_path, "md,html")
    assert not (out / "public" / "pagefind").exists()


def test_a_discussion_edit_after_a_partial_render_renders_in_full(example: Path, tmp_path: Path) -> None:
    """The last render was of one meeting: it kept nothing to narrow the next one with."""
    out = example / "out"
    render(example, out, "md,html")
    path = _retouch_agents(example)
    result = gasp("render", "2001-10-09-agents", "--out", str(out), "--format", "md,html", workspace=example, env=ENV)
    assert result.exit_code == 0, result.output
    edit(path, "discussion: 'Ajout. Le guide", "discussion: 'Encore. Le guide")
    check_same_as_fresh(example, out, tmp_path, "md,html")


def test_pagefind_failing_at_the_end_of_a_narrow_render_gives_the_full_render(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind fails once the narrow render has handed files over: nothing of it is written, the
    render is made again in full, which writes the site without its search and says why."""
    import gasp_cli.documents.site as site

    out = example / "out"
    render(example, out, "md,html")
    _retouch_usagers(example)

    def failing(*args: object) -> dict[str, bytes]:
        raise site.SearchError("Pagefind a échoué : panne simulée")

    monkeypatch.setattr(site, "_pagefind_files", failing)
    with monkeypatch.context() as patched:
        tried = _narrow_attempts(patched)
        result = gasp("render", "--out", str(out), "--format", "md,html", workspace=example, env=ENV)
    assert result.exit_code == 0, result.output
    assert tried, "le rendu n’a pas d’abord tenté de ne refaire que la réunion"
    assert "panne simulée" in result.stderr
    assert not (out / "public" / "pagefind").exists()
    # The same as a full render into an empty folder where Pagefind fails alike.
    fresh = tmp_path / "fresh"
    render(example, fresh, "md,html")
    assert tree(out) == tree(fresh)
