"""`gasp export`: the research dataset in out/donnees/: a Frictionless Data Package, an OCEL 2.0
event log (`--format ocel`) or a REFI-QDA project (`--format qdpx`)."""

from __future__ import annotations

import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..loader import Records


class ExportFormat(StrEnum):
    frictionless = "frictionless"
    ocel = "ocel"
    qdpx = "qdpx"


PRIVATE_NOTES_WARNING = (
    "attention : gasp.qdpx contient les observations de la personne sociologue, des notes privées ; "
    "ne le confiez qu’à qui peut les lire"
)


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
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="frictionless (datapackage.json et tableaux CSV), ocel (gasp.jsonocel, journal d’événements OCEL 2.0) ou qdpx (gasp.qdpx, projet REFI-QDA pour NVivo, ATLAS.ti, MAXQDA, QualCoder).",
        ),
    ] = ExportFormat.frictionless,
    include_observations: Annotated[
        bool,
        typer.Option(
            "--include-observations",
            help="Avec --format qdpx : ajoute les observations de la personne sociologue comme sources (des notes privées).",
        ),
    ] = False,
) -> None:
    """Exporte les données de recherche : datapackage.json (chaque champ décrit en français) et les tableaux CSV (réunions, propositions, journal d’événements, tour de table, actions, thèmes, observations, indicateurs) ; ou le journal OCEL 2.0 (--format ocel) ; ou le projet REFI-QDA (--format qdpx)."""
    import os

    if include_observations and output_format is not ExportFormat.qdpx:
        raise typer.BadParameter("ne va qu’avec --format qdpx", param_hint="--include-observations")
    from ..output import OutputError
    from ..render.writer import check_target, publish
    from .common import fail, judged_day, load_records

    workspace, records, _ = load_records(ctx)
    if include_observations:
        typer.echo(PRIVATE_NOTES_WARNING, err=True)
    target = out if out is not None else workspace.out / "donnees"
    try:
        check_target(target, workspace.root, workspace.records)
        if target.resolve() == workspace.out.resolve():
            # out/ is `gasp render`'s, with its manifest and its index: the data get a folder of their own.
            raise OutputError(
                f"« {target} » est le dossier de gasp render : choisissez un sous-dossier, par exemple out/donnees/"
            )
        files = _build(output_format, records, judged_day(records), include_observations)
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


def _build(output_format: ExportFormat, records: Records, day: datetime.date, observations: bool) -> dict[str, bytes]:
    """The files of the chosen format; each format's module is imported only when asked for."""
    if output_format is ExportFormat.ocel:
        from ..documents import ocel

        return ocel.build(records, day)
    if output_format is ExportFormat.qdpx:
        from ..documents import qdpx
        from .common import source_epoch

        return qdpx.build(records, day, include_observations=observations, epoch=source_epoch())
    from ..documents import donnees

    return donnees.build(records, day)
