"""`gasp report`: the year, for the inter-group meeting."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ReportFormat(StrEnum):
    text = "text"
    md = "md"
    html = "html"
    pdf = "pdf"
    json = "json"


def report(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="AAAA", help="L’année, de 1900 à 2200 (par défaut : l’année en cours)."),
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="text (terminal), md, html, pdf ou json.")
    ] = ReportFormat.text,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FICHIER", help="Écrit dans ce fichier (entier ou pas du tout).")
    ] = None,
) -> None:
    """Le rapport annuel pour la réunion intergroupes : réunions, institutions, thèmes, propositions, actions, financements."""
    import sys

    from ..documents import rapport
    from ..render.documents import RenderError, output
    from .common import check_year, fail, judged_day, load_records, reproducible_timestamp, write_output

    year = check_year(year, "--year")
    workspace, records, _ = load_records(ctx)
    today = judged_day(records)
    report_data = rapport.build(records, year or today.year, today)
    if format is ReportFormat.text:
        if out is not None:
            raise typer.BadParameter(
                "le texte s’affiche dans le terminal : choisissez --format md, html, pdf ou json", param_hint="--out"
            )
        rapport.show(rapport.view(records, report_data))
        return
    if format is ReportFormat.pdf and out is None and sys.stdout.isatty():
        raise typer.BadParameter(
            "un PDF ne s’affiche pas dans le terminal : ajoutez --out rapport.pdf", param_hint="--out"
        )
    # JSON is the report's data; every other format, its view through the one table of templates.
    data: object = report_data if format is ReportFormat.json else rapport.view(records, report_data)
    try:
        result = output(rapport.FORMATS, format.value, data, workspace.templates, reproducible_timestamp())
    except RenderError as error:
        raise fail(f"{error} ; rien n’a été écrit") from None
    write_output(workspace, out, result)
