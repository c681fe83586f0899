"""The documents `gasp render` makes, each declared once, by one line of KINDS: its kind for
`--only`, the module that makes its files (its formats and templates are that module's), the
folders of out/ it answers for, whether a render of named meetings makes it, whether it goes to
the residents' site (out/public/), its sections in out/index.html and what `--only`'s help says of it.

render/ iterates over this table: it makes the files of each kind asked (render/documents.py),
lists them in index.html (documents/index.py) and puts the public ones on the residents' site
(documents/site.py); none of them names a kind. Adding a document: a module (what base.Document
says it offers), one line here, its templates (docs/developpement.md, « Ajouter un document »).

Nothing here imports a document module (`document` does, when asked), so that the command
line's help stays quick to load.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Document


@dataclass(frozen=True)
class Section:
    """A section of out/index.html: the files whose stem (path without extension) starts with
    `prefix` when it ends with "/" (a folder), or is `prefix` (one file)."""

    prefix: str
    title: str
    place: int  # its place among the index's sections, smaller first
    by_year: bool = False  # split by the year of each file's date
    newest_first: bool = False
    module: str = ""  # the module whose `entry` titles its files, when not its kind's


@dataclass(frozen=True)
class Kind:
    name: str  # for --only
    # The module that makes its files (documents/base.py `Document`): ".name" under gasp_cli.documents,
    # or a module's full name.
    module: str
    # The folders of out/ whose files this kind answers for (a file of no kind's folder is answered
    # for by a full render only: propositions/ and suivi.* are, as before this table).
    folders: tuple[str, ...] = ()
    per_meeting: bool = False  # made for the named meetings only when meetings are named
    public: bool = False  # its pages go to the residents' site too (out/public/, documents/site.py)
    sections: tuple[Section, ...] = ()  # its sections in out/index.html
    first: bool = False  # made before the others (the site: Pagefind runs while the render holds least)
    # Made of web pages: a render without html in --format makes none of its files, and answers
    # only for its PDFs (the site: its search index and calendars come with its pages).
    web: bool = False
    # Its module has `produce_narrow` (documents/base.py `Document`): some of its files show a meeting's
    # discussion though it is not made per meeting (the site); a render after an edit of discussions only
    # imports the modules of the kinds made per meeting and of these (render/documents.py `_produce_narrow`).
    narrow: bool = False
    note: str = ""  # in --only's help, after the list


KINDS: tuple[Kind, ...] = (
    Kind(
        "comptes-rendus",
        ".compte_rendu",
        ("comptes-rendus",),
        per_meeting=True,
        public=True,
        sections=(Section("comptes-rendus/", "Comptes rendus", 30, by_year=True, newest_first=True),),
    ),
    Kind(
        "guides",
        ".guide",
        ("guide",),
        public=True,
        sections=(Section("guide/", "Guide des services publics", 70),),
    ),
    Kind(
        "dossier",
        ".dossier",
        ("referents",),
        sections=(Section("referents/", "Dossiers des référents", 60, by_year=True, newest_first=True),),
    ),
    Kind(
        "calendrier", ".calendrier", ("calendrier",), public=True, sections=(Section("calendrier/", "Calendrier", 80),)
    ),
    Kind(
        "rapport",
        ".rapport",
        ("rapport",),
        public=True,
        sections=(Section("rapport/", "Rapports annuels", 90, newest_first=True),),
    ),
    Kind("propositions", ".proposition", public=True, sections=(Section("propositions/", "Propositions", 50),)),
    Kind("suivi", ".suivi", public=True, sections=(Section("suivi", "Vous avez dit, nous avons fait", 40),)),
    Kind(
        "public",
        ".site",
        ("public",),
        sections=(Section("public/index", "Site des habitants", 100),),
        first=True,
        web=True,
        narrow=True,
        note="le site des habitants",
    ),
    # The attendance sheet comes with the convocation.
    Kind(
        "convocations",
        ".convocation",
        ("convocations", "emargement"),
        per_meeting=True,
        public=True,
        sections=(
            Section("convocations/", "Convocations", 10),
            Section("emargement/", "Feuilles d’émargement", 20, module=".emargement"),
        ),
        note="avec les feuilles d’émargement",
    ),
)


_ADDED: list[Kind] = []  # lines added from outside this file (`registered`)


def kinds() -> tuple[Kind, ...]:
    """Every kind: the lines of KINDS, then any `registered`."""
    return (*KINDS, *_ADDED)


@contextlib.contextmanager
def registered(kind: Kind) -> Iterator[Kind]:
    """One more line after KINDS for the time of a `with`: what a test adds for a made-up document
    (a document of gasp is a line of KINDS)."""
    if kind.name in names():
        raise ValueError(f"kind {kind.name!r} is declared already")
    _ADDED.append(kind)
    try:
        yield kind
    finally:
        _ADDED.remove(kind)


def names() -> tuple[str, ...]:
    """The kinds of --only, in the order of the table."""
    return tuple(kind.name for kind in kinds())


def meeting_kinds() -> tuple[str, ...]:
    """The kinds a render of named meetings makes for them, and only for them."""
    return tuple(kind.name for kind in kinds() if kind.per_meeting)


def folder_kinds() -> dict[str, str]:
    """Folder of out/ → the kind that answers for it."""
    return {folder: kind.name for kind in kinds() for folder in kind.folders}


def only_help() -> str:
    """The help of `gasp render --only`."""
    notes = " ; ".join(f"{kind.name} : {kind.note}" for kind in kinds() if kind.note)
    return f"Seulement : {', '.join(names())} (répétable{' ; ' + notes if notes else ''})."


def kinds_of(chosen: list[str] | tuple[str, ...]) -> list[Kind]:
    """The chosen kinds' lines, in the order of the table."""
    return [kind for kind in kinds() if kind.name in chosen]


def in_order(chosen: tuple[str, ...]) -> list[Kind]:
    """The chosen kinds, in the order a render makes them: those `first`, then the table's order."""
    return sorted((kind for kind in kinds() if kind.name in chosen), key=lambda kind: not kind.first)


def public_kinds() -> list[Kind]:
    """The kinds whose pages go to the residents' site, in the order of the table."""
    return [kind for kind in kinds() if kind.public]


def sections() -> Iterator[tuple[Section, str]]:
    """out/index.html's sections in their order, each with the module that titles its files."""
    found = [(section, section.module or kind.module) for kind in kinds() for section in kind.sections]
    return iter(sorted(found, key=lambda pair: pair[0].place))


def document(module: str) -> Document:
    """A kind's module (`Kind.module`), imported when first asked."""
    loaded: Document = importlib.import_module(module, __package__)
    return loaded
