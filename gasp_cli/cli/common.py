"""What every command shares: the workspace, loading and checking the records, and the exits.

Kept light: heavy modules (pydantic, the loader) are imported inside the functions,
so that `gasp --help` stays as quick as importing Typer.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..loader import Records
    from ..workspace import Workspace


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a French message on stderr; the caller raises the returned Exit."""
    typer.echo(f"{typer.style('gasp', bold=True)} : {message}", err=True)
    return typer.Exit(code=code)


def workspace(ctx: typer.Context) -> Workspace:
    from ..workspace import WorkspaceNotFound, find_workspace

    option = (ctx.find_root().params or {}).get("records")
    try:
        return find_workspace(option)
    except WorkspaceNotFound as error:
        raise fail(str(error), code=2) from None


def now() -> datetime.date:
    """Today: the day the records are judged on (a workspace's `as_of` may bring it earlier).

    `GASP_TODAY=AAAA-MM-JJ` sets it, for reproducible examples and tests.
    """
    wanted = os.environ.get("GASP_TODAY", "").strip()
    if wanted:
        try:
            return datetime.date.fromisoformat(wanted)
        except ValueError:
            raise fail(f"GASP_TODAY : « {wanted} » n'est pas une date AAAA-MM-JJ", code=2) from None
    return datetime.date.today()


def today(records: Records) -> datetime.date:
    """The day the records are judged on: GASP_TODAY or today, brought back to `as_of` for an archive."""
    from ..checks import today_for

    return today_for(records, now())


def source_date() -> datetime.date | None:
    """The day of SOURCE_DATE_EPOCH, when set: the date printed on generated documents."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    return None


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    colours = {"error": "red", "warning": "yellow"}
    color = sys.stderr.isatty()
    for diagnostic in diagnostics:
        text = diagnostic.as_text()
        if color:
            head, _, rest = text.partition(": ")
            label, _, message = rest.partition(": ")
            text = f"{typer.style(head, bold=True)}: {typer.style(label, fg=colours[diagnostic.severity])}: {message}"
        typer.echo(text, err=True)


def load_records(ctx: typer.Context) -> tuple[Workspace, Records, list[Diagnostic]]:
    """Load and check the records; on any error, print every problem and exit 1."""
    from ..checks import check_workspace

    found = workspace(ctx)
    records, diagnostics = check_workspace(found, now())
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        print_diagnostics(errors)
        raise fail(
            f"{len(errors)} erreur(s) dans les enregistrements : rien n'a été produit. "
            "Corrigez-les (voir « gasp validate »)."
        )
    warnings = len(diagnostics)
    if warnings:
        typer.echo(f"gasp : {warnings} avertissement{'s' if warnings > 1 else ''} dans les enregistrements "
                   "(voir « gasp validate »)", err=True)
    return found, records, diagnostics


def reproducible_timestamp() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set, else the start of today (UTC): the same bytes all day."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    return datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.timezone.utc)


def write_output(found: Workspace, out: Path | None, output: str | bytes) -> None:
    """To --out (whole or not at all, never under records/), else to stdout."""
    from ..output import OutputError, check_outside_records, write_atomically

    if out is None:
        if isinstance(output, bytes):
            sys.stdout.buffer.write(output)
            sys.stdout.flush()
        else:
            typer.echo(output, nl=False)
        return
    try:
        check_outside_records(out, found.records)
        write_atomically(out, output)
    except OutputError as error:
        raise fail(str(error)) from None
    typer.echo(f"écrit : {out}", err=True)
