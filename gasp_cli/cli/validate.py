"""`gasp validate`: every problem in the records at once."""

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..loader import Records


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def validate(
    ctx: typer.Context,
    strict: Annotated[bool, typer.Option("--strict", help="Les avertissements comptent comme des erreurs.")] = False,
    format: Annotated[
        ValidateFormat, typer.Option("--format", help="text : une ligne par problème ; json : une liste d'objets.")
    ] = ValidateFormat.text,
) -> None:
    """Vérifie tous les enregistrements et signale tous les problèmes d'un coup."""
    from ..checks import check_workspace
    from ..diagnostics import as_json, summary_line, with_severity
    from ..escape import terminal
    from .common import now, print_diagnostics, workspace

    found = workspace(ctx)
    records, diagnostics = check_workspace(found, now())
    diagnostics = with_severity(diagnostics, strict)
    if format is ValidateFormat.json:
        typer.echo(as_json(diagnostics))
    else:
        print_diagnostics(diagnostics)
        if not any(d.severity == "error" for d in diagnostics):
            typer.echo(terminal(_contents(records)))
        typer.echo(summary_line(diagnostics, records.file_count))
    if any(d.severity == "error" for d in diagnostics):
        raise typer.Exit(code=1)


def _contents(records: "Records") -> str:
    from ..vocabulary import plural

    name = records.gasp.name if records.gasp else "?"
    return (
        f"{name} : {plural(len(records.groups), 'groupe')}, {plural(len(records.people), 'personne')}, "
        f"{plural(len(records.services), 'service')}, {plural(len(records.themes), 'thème')}, "
        f"{plural(len(records.proposals), 'proposition')}, {plural(len(records.meetings), 'réunion')}."
    )
