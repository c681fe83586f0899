"""documents/registry.py: each document declared once; render/ reads --only's kinds, their folders and
the help from it. What the registry still does not drive (making the files, index.html's sections)
is listed in its docstring."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest

from gasp_cli.documents import registry
from gasp_cli.documents.registry import Kind

if TYPE_CHECKING:
    from gasp_cli.render.documents import RenderRequest


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


def test_a_made_up_document_needs_one_registry_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from gasp_cli.cli.render import _chosen_kinds
    from gasp_cli.render.documents import answered_by

    monkeypatch.setattr(registry, "KINDS", (*registry.KINDS, Kind("lettres", ("lettres",), note="aux habitants")))

    assert _chosen_kinds(["lettres"]) == ["lettres"]
    assert registry.only_help().startswith("Seulement : comptes-rendus, ")
    assert ", convocations, lettres (répétable ;" in registry.only_help()
    assert registry.only_help().endswith(" ; lettres : aux habitants).")
    answers = answered_by(_request(("lettres",)), every_meeting=True)
    assert answers("lettres/2002-06-30.html")
    assert not answers("guide/guide-usagers.html")
    # A render of every kind, the made-up one included, answers for every folder.
    assert answered_by(_request(registry.names()), every_meeting=True)("propositions/x.md")
