"""`gasp calendar`: the meeting calendar from the groups' cadences and the recorded meetings."""

import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .completion import complete_groups

if TYPE_CHECKING:
    from ..calendar import Holidays, Row
    from ..loader import Records


class CalendarFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    ics = "ics"


DATE_FORMATS = ["%Y-%m-%d"]


def calendar(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="AAAA", help="L’année, de 1900 à 2200 (par défaut : l’année en cours)."),
    ] = None,
    date_from: Annotated[
        datetime.datetime | None,
        typer.Option("--from", formats=DATE_FORMATS, metavar="AAAA-MM-JJ", help="Premier jour (au lieu de --year)."),
    ] = None,
    date_to: Annotated[
        datetime.datetime | None,
        typer.Option("--to", formats=DATE_FORMATS, metavar="AAAA-MM-JJ", help="Dernier jour (au lieu de --year)."),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", metavar="GROUPE", autocompletion=complete_groups, help="Un seul groupe (son identifiant)."
        ),
    ] = None,
    format: Annotated[
        CalendarFormat, typer.Option("--format", help="table (terminal), json, md (Markdown) ou ics (iCalendar).")
    ] = CalendarFormat.table,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FICHIER", help="Écrit dans ce fichier au lieu de la sortie standard."),
    ] = None,
) -> None:
    """Le calendrier des réunions : celles enregistrées, et une date prévue pour chaque période de la cadence qui n'en a pas."""
    from ..calendar import calendar_rows, holidays_for
    from ..documents import calendrier
    from ..render.documents import RenderError, emit
    from ..vocabulary import long_date
    from .common import check_day, check_year, fail, judged_day, load_records, reproducible_timestamp, unknown_group

    if year is not None and (date_from is not None or date_to is not None):
        raise typer.BadParameter("--year ou bien --from/--to, pas les deux", param_hint="--year")
    year = check_year(year, "--year")
    first, last = check_day(date_from, "--from"), check_day(date_to, "--to")
    workspace, records, _ = load_records(ctx)
    today = judged_day(records)
    # Without --from, the first of January of --to's year (else of the year asked, else this year);
    # without --to, the thirty-first of December of --from's year.
    start = first or datetime.date(last.year if last else year or today.year, 1, 1)
    end = last or datetime.date(first.year if first else year or today.year, 12, 31)
    if start > end:
        raise typer.BadParameter(
            f"période vide : le {long_date(start)} est après le {long_date(end)}", param_hint="--from/--to"
        )
    if group is not None and group not in records.groups:
        raise fail(unknown_group(records, group))

    holidays = holidays_for(records, start, end)
    rows = calendar_rows(records, start, end, holidays, [group] if group else None)
    _warn_unknown_school_holidays(records, rows, holidays)
    title = _title(records, start, end, group)

    if format is CalendarFormat.table:
        if out is not None:
            raise typer.BadParameter(
                "le tableau s'affiche dans le terminal : choisissez --format md, json ou ics pour --out",
                param_hint="--out",
            )
        calendrier.print_table(rows, records, title)
        return
    try:
        emit(
            calendrier.COMMAND_FORMATS,
            format.value,
            calendrier.build(records, rows, title),
            workspace,
            out,
            reproducible_timestamp(),
        )
    except RenderError as error:
        raise fail(f"{error} ; rien n’a été écrit") from None


def _title(records: "Records", start: datetime.date, end: datetime.date, group: str | None) -> str:
    from ..names import group_name
    from ..vocabulary import long_date

    if start == datetime.date(start.year, 1, 1) and end == datetime.date(start.year, 12, 31):
        span = str(start.year)
    else:
        span = f"du {long_date(start)} au {long_date(end)}"
    who = f" — {group_name(records, group)}" if group else ""
    name = records.gasp.name if records.gasp else "Gasp"
    return f"Calendrier {span}{who} — {name}"


def _warn_unknown_school_holidays(records: "Records", rows: "list[Row]", holidays: "Holidays") -> None:
    """Say so, in one line, when slots that should avoid school holidays fall in years the package does not know."""
    years = sorted(
        {
            row.date.year
            for row in rows
            if row.origin == "planned" and "school-holidays" in records.groups[row.group].cadence.avoid
        }
        & set(holidays.school_unknown_years)
    )
    if years:
        typer.echo(
            f"gasp : avertissement : vacances scolaires inconnues du paquet holidays pour {year_spans(years)} ; "
            "les dates prévues de ces années ne sont pas décalées pour les vacances.",
            err=True,
        )


def year_spans(years: list[int]) -> str:
    """Sorted years in a few words: « 2002 », « 2002, 2004 », « 2027 à 2200 »."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a} et {b}" if b == a + 1 else f"{a} à {b}" for a, b in spans)
