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
    year: Annotated[int | None, typer.Option("--year", metavar="AAAA", help="L’année, de 1900 à 2200 (par défaut : l’année en cours).")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="text (terminal), md, html, pdf ou json.")] = ReportFormat.text,
    out: Annotated[Path | None, typer.Option("--out", metavar="FICHIER", help="Écrit dans ce fichier (entier ou pas du tout).")] = None,
) -> None:
    """Le rapport annuel pour la réunion intergroupes : réunions, institutions, thèmes, propositions, actions, financements."""
    import sys

    from ..render.documents import Renderer, RenderError, annual
    from ..report_formats import as_json, print_report
    from .common import check_year, fail, load_records, reproducible_timestamp, write_output
    from .common import today as today_for

    year = check_year(year, "--year")
    workspace, records, _ = load_records(ctx)
    today = today_for(records)
    chosen = year or today.year
    report_data, view = annual(records, chosen, today)
    if format is ReportFormat.text:
        if out is not None:
            raise typer.BadParameter("le texte s’affiche dans le terminal : choisissez --format md, html, pdf ou json",
                                     param_hint="--out")
        print_report(view)
        return
    if format is ReportFormat.json:
        output: str | bytes = as_json(report_data)
    else:
        renderer = Renderer(workspace.templates, reproducible_timestamp())
        try:
            if format is ReportFormat.pdf:
                output = renderer.pdf("rapport.typ.j2", view)
            else:
                output = renderer.text(f"rapport.{format.value}.j2", format.value, view)
        except RenderError as error:
            raise fail(f"{error} ; rien n’a été écrit") from None
    if format is ReportFormat.pdf and out is None and sys.stdout.isatty():
        raise typer.BadParameter("un PDF ne s’affiche pas dans le terminal : ajoutez --out rapport.pdf", param_hint="--out")
    write_output(workspace, out, output)
