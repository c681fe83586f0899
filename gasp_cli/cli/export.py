"""`gasp export`: the research dataset, a Frictionless Data Package in out/donnees/."""

from pathlib import Path
from typing import Annotated

import typer


def export(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DOSSIER",
            help="Dossier du jeu de données (par défaut : out/donnees/ de l’espace de travail).",
        ),
    ] = None,
) -> None:
    """Exporte les données de recherche : datapackage.json (chaque champ décrit en français) et les tableaux CSV (réunions, propositions, journal d’événements, tour de table, actions, thèmes, observations, indicateurs)."""
    import os

    from ..documents.donnees import build
    from ..output import OutputError
    from ..render.writer import check_target, publish
    from .common import fail, judged_day, load_records

    workspace, records, _ = load_records(ctx)
    target = out if out is not None else workspace.out / "donnees"
    try:
        check_target(target, workspace.root, workspace.records)
        if target.resolve() == workspace.out.resolve():
            # out/ is `gasp render`'s, with its manifest and its index: the data get a folder of their own.
            raise OutputError(
                f"« {target} » est le dossier de gasp render : choisissez un sous-dossier, par exemple out/donnees/"
            )
        files = build(records, judged_day(records))
        changed = publish(target, dict[str, bytes | None](files), None)
    except OutputError as error:
        raise fail(f"{error} ; rien n’a été écrit") from None
    relative = os.path.relpath(target.resolve())
    shown = relative if not relative.startswith("..") else str(target)
    if not changed.written and not changed.removed:
        typer.echo(f"{shown} est à jour : rien n’a changé ({len(files)} fichiers vérifiés)")
        return
    if changed.removed:
        typer.echo(f"retirés de {shown}, qui n’en sont plus : {', '.join(changed.removed)}", err=True)
    typer.echo(f"{len(files)} fichiers écrits dans {shown} : {', '.join(sorted(files))}")
