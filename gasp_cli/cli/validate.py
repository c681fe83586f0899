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
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="CODE",
            help="Tait les avertissements de ce code (répétable) ; une erreur ne peut pas être tue.",
        ),
    ] = None,
) -> None:
    """Vérifie tous les enregistrements et signale tous les problèmes d'un coup."""
    from ..checks import check_workspace, without_ignored
    from ..diagnostics import as_json, summary_line, with_severity
    from ..escape import terminal
    from .common import now, print_diagnostics, workspace

    silenced = _ignorable(ignore or [])
    found = workspace(ctx)
    records, diagnostics = check_workspace(found, now())
    diagnostics = with_severity(without_ignored(diagnostics, silenced), strict)
    if format is ValidateFormat.json:
        typer.echo(as_json(diagnostics))
    else:
        print_diagnostics(diagnostics)
        if not any(d.severity == "error" for d in diagnostics):
            typer.echo(terminal(_contents(records)))
        typer.echo(summary_line(diagnostics, records.file_count))
    if any(d.severity == "error" for d in diagnostics):
        raise typer.Exit(code=1)


def _ignorable(codes: list[str]) -> frozenset[str]:
    """The codes of `--ignore`, each a known warning code; otherwise a usage error (exit 2)."""
    from ..codes import CODES
    from ..diagnostics import suggestion
    from .common import fail

    for code in codes:
        known = CODES.get(code)
        if known is None:
            raise fail(f"--ignore : code « {code} » inconnu{suggestion(code, CODES)}", code=2)
        if not known.ignorable:
            raise fail(f"--ignore : « {code} » est une erreur ; une erreur ne peut pas être tue, seulement corrigée", 2)
    return frozenset(codes)


def _contents(records: "Records") -> str:
    from ..vocabulary import plural

    name = records.gasp.name if records.gasp else "?"
    return (
        f"{name} : {plural(len(records.groups), 'groupe')}, {plural(len(records.people), 'personne')}, "
        f"{plural(len(records.services), 'service')}, {plural(len(records.themes), 'thème')}, "
        f"{plural(len(records.proposals), 'proposition')}, {plural(len(records.meetings), 'réunion')}."
    )
