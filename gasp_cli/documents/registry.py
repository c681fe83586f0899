"""The documents `gasp render` makes, each declared once: its kind for `--only`, the folders of
out/ it answers for, whether a render of named meetings makes it, and what `--only`'s help says of it.

render/ reads this table (KINDS, the folders a partial render answers for, the help of --only);
nothing here imports a document module, so that the command line's help stays quick to load.

Not yet read from here (issue 25, still to do): the files each kind makes and in which order
(render/documents.py `_produce`), its formats and templates (each module's FORMATS), whether it is
public (documents/site.py), and its entry in index.html (documents/index.py `_ENTRIES`, `_SECTIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # for --only
    # The folders of out/ whose files this kind answers for (a file of no kind's folder is answered
    # for by a full render only: propositions/ and suivi.* are, as before this table).
    folders: tuple[str, ...] = ()
    per_meeting: bool = False  # made for the named meetings only when meetings are named
    note: str = ""  # in --only's help, after the list


KINDS: tuple[Kind, ...] = (
    Kind("comptes-rendus", ("comptes-rendus",), per_meeting=True),
    Kind("guides", ("guide",)),
    Kind("dossier", ("referents",)),
    Kind("calendrier", ("calendrier",)),
    Kind("rapport", ("rapport",)),
    Kind("propositions"),
    Kind("suivi"),
    Kind("public", ("public",), note="le site des habitants"),
    # The attendance sheet comes with the convocation.
    Kind("convocations", ("convocations", "emargement"), per_meeting=True, note="avec les feuilles d’émargement"),
)


def names() -> tuple[str, ...]:
    """The kinds of --only, in the order of the table."""
    return tuple(kind.name for kind in KINDS)


def meeting_kinds() -> tuple[str, ...]:
    """The kinds a render of named meetings makes for them, and only for them."""
    return tuple(kind.name for kind in KINDS if kind.per_meeting)


def folder_kinds() -> dict[str, str]:
    """Folder of out/ → the kind that answers for it."""
    return {folder: kind.name for kind in KINDS for folder in kind.folders}


def only_help() -> str:
    """The help of `gasp render --only`."""
    notes = " ; ".join(f"{kind.name} : {kind.note}" for kind in KINDS if kind.note)
    return f"Seulement : {', '.join(names())} (répétable{' ; ' + notes if notes else ''})."
