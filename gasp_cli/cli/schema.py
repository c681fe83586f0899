"""`gasp schema`: one JSON Schema per record kind, for editors."""

from pathlib import Path
from typing import Annotated

import typer


def schema(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DOSSIER",
            help="Où écrire les schémas (par défaut : schemas/ de l'espace de travail, sinon du dossier courant).",
        ),
    ] = None,
) -> None:
    """Écrit un schéma JSON par sorte d'enregistrement, pour qu'un éditeur complète et vérifie le YAML."""
    from ..output import OutputError, write_atomically
    from ..schema import schema_texts
    from ..workspace import WorkspaceNotFound, find_workspace
    from .common import fail

    if out is None:
        try:
            out = find_workspace(None).root / "schemas"
        except WorkspaceNotFound:
            out = Path("schemas")
    try:
        for name, text in schema_texts().items():
            write_atomically(out / name, text)
    except OutputError as error:
        raise fail(str(error)) from None
    typer.echo(f"{len(schema_texts())} schémas écrits dans {out}")
