"""documents/registry.py: each document declared once. render/ makes the files of the kinds it reads
there, index.html lists them by their sections, the residents' site takes the public ones.

This module is also a made-up document, « lettres » (a letter to residents after each held usagers
meeting that chose a topic), added the way docs/developpement.md says: a module (FORMATS,
`outputs`, `entry`: the functions below), one registry line (`registry.registered`, since a test
cannot add a line to KINDS), its templates (in the workspace's templates/)."""

from __future__ import annotations

import datetime
import functools
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import EXAMPLE, gasp, write
from gasp_cli.documents import registry
from gasp_cli.documents.base import Output, Run, Template
from gasp_cli.documents.registry import Kind, Section

if TYPE_CHECKING:
    from gasp_cli.loader import Records
    from gasp_cli.render.documents import RenderRequest

ENV = {"SOURCE_DATE_EPOCH": "1025395200", "GASP_TODAY": "2002-06-30"}

# --- the made-up document: its module ---------------------------------------------------------

FORMATS: dict[str, Template] = {"md": "lettre.md.j2", "html": "lettre.html.j2"}


@dataclass
class Lettre:
    title: str
    date: str
    text: str


def _lettre(records: Records, meeting_id: str) -> Lettre:
    meeting = records.meetings[meeting_id]
    topic = records.themes[meeting.topic].title if meeting.topic in records.themes else str(meeting.topic)
    return Lettre(f"Lettre aux habitants : {topic}", meeting.date.isoformat(), f"Le groupe a choisi : {topic}.")


def _letters(records: Records) -> list[str]:
    return sorted(
        mid
        for mid, meeting in records.meetings.items()
        if meeting.group == "usagers" and meeting.status == "held" and meeting.topic
    )


def outputs(run: Run) -> Iterator[Output]:
    for meeting_id in _letters(run.records):
        yield Output(
            f"lettres/{meeting_id}",
            FORMATS,
            functools.partial(_lettre, run.records, meeting_id),
            f"lettre-{meeting_id}",
            inputs=(meeting_id, run.dependencies.everything(meeting_id)),
        )


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    return (_lettre(records, name).title, records.meetings[name].date.isoformat()) if name in records.meetings else None


# Its templates, written into the workspace's templates/ by the test.
TEMPLATES = {
    "lettre.md.j2": "# {{ doc.title }}\n\n{{ doc.text }}\n",
    "lettre.html.j2": (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{{ doc.title }}</title></head>\n'
        "<body><h1>{{ doc.title }}</h1><p>{{ doc.text }}</p>"
        '{% if site is defined %}<p><a href="{{ site.root }}index.html">Accueil du site</a></p>{% endif %}'
        "</body></html>\n"
    ),
}


def _kind(public: bool) -> Kind:
    """Its registry line."""
    return Kind(
        "lettres",
        __name__,
        ("lettres",),
        public=public,
        sections=(Section("lettres/", "Lettres aux habitants", 25, by_year=True, newest_first=True),),
        note="aux habitants",
    )


# --- the tests -------------------------------------------------------------------------------


def _request(kinds: tuple[str, ...]) -> RenderRequest:
    from gasp_cli.render.documents import RenderRequest

    day = datetime.date(2002, 6, 30)
    return RenderRequest(
        [], ("md", "html", "pdf"), kinds, day, day, datetime.datetime(2002, 6, 30, tzinfo=datetime.UTC)
    )


def test_the_registry_is_what_render_reads() -> None:
    from gasp_cli.render.documents import KINDS, MEETING_KINDS

    assert registry.names() == KINDS
    assert registry.meeting_kinds() == MEETING_KINDS
    assert len(set(registry.names())) == len(registry.KINDS)
    folders = [folder for kind in registry.KINDS for folder in kind.folders]
    assert len(folders) == len(set(folders)), "a folder of out/ answers to one kind"
    places = [section.place for section, _ in registry.sections()]
    assert len(places) == len(set(places)), "each section of index.html has its own place"
    # Every module is there, offers the render what base.Document says, and titles its files in index.html.
    for kind in registry.KINDS:
        module = registry.document(kind.module)
        assert hasattr(module, "outputs") or (hasattr(module, "produce") and hasattr(module, "count")), kind.name
        # A render after an edit of discussions only asks the modules its line marks `narrow`.
        assert kind.narrow == hasattr(module, "produce_narrow"), kind.name
    for _, module_name in registry.sections():
        assert callable(registry.document(module_name).entry)


def test_a_made_up_kind_is_read_for_only_and_for_what_a_render_answers_for() -> None:
    from gasp_cli.cli.render import _chosen_kinds
    from gasp_cli.render.documents import answered_by

    with registry.registered(_kind(public=False)):
        assert _chosen_kinds(["lettres"]) == ["lettres"]
        assert registry.only_help().startswith("Seulement : comptes-rendus, ")
        assert ", convocations, lettres (répétable ;" in registry.only_help()
        assert registry.only_help().endswith(" ; lettres : aux habitants).")
        answers = answered_by(_request(("lettres",)), every_meeting=True)
        assert answers("lettres/2002-06-13-usagers.html")
        assert not answers("guide/guide-usagers.html")
        # A render of every kind, the made-up one included, answers for every folder.
        assert answered_by(_request(registry.names()), every_meeting=True)("propositions/x.md")
        with pytest.raises(ValueError), registry.registered(_kind(public=True)):
            pass
    assert "lettres" not in registry.names()


def _workspace(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "records")
    for name, text in TEMPLATES.items():
        write(root, f"templates/{name}", text)
    return root


def _render(root: Path, *extra: str) -> str:
    result = gasp("render", "--format", "md,html", *extra, workspace=root, env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def _files(root: Path, folder: str) -> set[str]:
    return {path.relative_to(root / "out").as_posix() for path in (root / "out" / folder).rglob("*") if path.is_file()}


EXPECTED = {
    f"lettres/{mid}.{extension}"
    for mid in (
        "2000-12-14-usagers",
        "2001-03-08-usagers",
        "2001-06-14-usagers",
        "2001-09-13-usagers",
        "2001-12-13-usagers",
        "2002-03-14-usagers",
        "2002-06-13-usagers",
    )
    for extension in ("md", "html")
}


def test_a_made_up_document_needs_one_registry_line(tmp_path: Path) -> None:
    """Its files in its folder and formats, listed in index.html, in the manifest, counted; `--only`
    makes it alone; a letter that no longer applies goes; public, it reaches the residents' site."""
    root = _workspace(tmp_path)
    with registry.registered(_kind(public=True)):
        said = _render(root)
        letters = _files(root, "lettres")
        assert letters == EXPECTED
        assert "Le groupe a choisi" in (root / "out" / "lettres" / "2002-06-13-usagers.md").read_text(encoding="utf-8")
        # Counted in the render's summary, listed in its manifest and in index.html, by year, newest first.
        assert f"{len(letters)} dans lettres/" in said, said
        manifest = json.loads((root / "out" / ".gasp-manifest.json").read_text(encoding="utf-8"))
        assert letters <= set(manifest["files"])
        index = (root / "out" / "index.html").read_text(encoding="utf-8")
        assert "Lettres aux habitants" in index
        assert index.index('href="lettres/2002-06-13-usagers.html"') < index.index(
            'href="lettres/2000-12-14-usagers.html"'
        )
        # Public: its HTML on the residents' site, built from the public records, with the site's links.
        page = root / "out" / "public" / "lettres" / "2002-06-13-usagers.html"
        assert 'href="../index.html"' in page.read_text(encoding="utf-8")
        assert not (root / "out" / "public" / "lettres" / "2002-06-13-usagers.md").exists()

        # A letter that no longer applies (its meeting chose no topic) goes, here and on the site.
        meeting = root / "records" / "meetings" / "2002" / "2002-06-13-usagers.yaml"
        meeting.write_text(
            "".join(
                line
                for line in meeting.read_text(encoding="utf-8").splitlines(keepends=True)
                if not line.startswith("topic:")
            ),
            encoding="utf-8",
        )
        said = _render(root)
        assert _files(root, "lettres") == letters - {"lettres/2002-06-13-usagers.md", "lettres/2002-06-13-usagers.html"}
        assert not page.exists()
        assert "lettres/2002-06-13-usagers.html" not in (root / "out" / "index.html").read_text(encoding="utf-8")

        # --only lettres: the letters, nothing else (besides index.html).
        shutil.rmtree(root / "out")
        _render(root, "--only", "lettres")
        made = {path.relative_to(root / "out").as_posix() for path in (root / "out").rglob("*") if path.is_file()}
        assert made == {*_files(root, "lettres"), "index.html", ".gasp-manifest.json"}
    assert "lettres" not in registry.names()


def test_a_document_that_is_not_public_stays_off_the_residents_site(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    with registry.registered(_kind(public=False)):
        _render(root)
    assert (root / "out" / "lettres" / "2002-06-13-usagers.html").is_file()
    assert not (root / "out" / "public" / "lettres").exists()
    assert (root / "out" / "public" / "index.html").is_file()
