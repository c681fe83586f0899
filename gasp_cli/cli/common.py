"""What every command shares: the workspace, loading and checking the records, and the exits.

Kept light: heavy modules (pydantic, the loader) are imported inside the functions,
so that `gasp --help` stays as quick as importing Typer.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from ..output import system_reason

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from ..loader import Records
    from ..workspace import Workspace


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a French message on stderr; the caller raises the returned Exit.

    The message may quote an option's value or a record's: its control characters are shown, not obeyed.
    """
    from ..escape import terminal

    name = typer.style("gasp", bold=True) if colour(sys.stderr) else "gasp"
    typer.echo(f"{name} : {terminal(message)}", err=True)
    return typer.Exit(code=code)


def workspace(ctx: typer.Context) -> Workspace:
    from ..workspace import WorkspaceNotFound, find_workspace

    option = (ctx.find_root().params or {}).get("records")
    try:
        found = find_workspace(option)
    except WorkspaceNotFound as error:
        raise fail(str(error), code=2) from None
    _recover_rename(found)
    return found


def _recover_rename(found: Workspace) -> None:
    """A `gasp rename` killed half way is undone by the next command on the workspace, which says so."""
    from ..rename_journal import recover

    try:
        said = recover(found.records)
    except OSError as error:
        raise fail(
            f"un renommage interrompu n’a pas pu être annulé ({system_reason(error)}) : "
            f"voyez {found.rel(found.records)}/.gasp-renommage.json"
        ) from None
    if said:
        typer.echo(f"gasp : {said}.", err=True)


# Dates on the command line, in GASP_TODAY and in SOURCE_DATE_EPOCH lie in these years
# (DESIGN.md, « Input rules »): past them, holidays, cadences and Python's own dates fail.
FIRST_YEAR, LAST_YEAR = 1900, 2200
YEARS = f"les dates vont de {FIRST_YEAR} à {LAST_YEAR}"


def check_year(year: int | None, option: str) -> int | None:
    """A year given on the command line, in range: else a usage error (exit 2)."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise typer.BadParameter(f"l’année {year} est hors limites ({YEARS})", param_hint=option)
    return year


def check_day(day: datetime.date | datetime.datetime | None, option: str) -> datetime.date | None:
    """A date given on the command line, in range: else a usage error (exit 2)."""
    if day is None:
        return None
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        from ..vocabulary import long_date

        raise typer.BadParameter(f"le {long_date(day)} est hors limites ({YEARS})", param_hint=option)
    return day


def now() -> datetime.date:
    """Today: the day the records are judged on (a workspace's `as_of` may bring it earlier).

    `GASP_TODAY=AAAA-MM-JJ` sets it, for reproducible examples and tests.
    """
    wanted = os.environ.get("GASP_TODAY", "").strip()
    if not wanted:
        return datetime.date.today()
    try:
        day = datetime.date.fromisoformat(wanted)
    except ValueError:
        raise fail(f"GASP_TODAY : « {wanted} » n'est pas une date AAAA-MM-JJ", code=2) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        from ..vocabulary import long_date

        raise fail(f"GASP_TODAY : le {long_date(day)} est hors limites ({YEARS})", code=2)
    return day


def judged_day(records: Records) -> datetime.date:
    """The day the records are judged on: GASP_TODAY or today, brought back to `as_of` for an archive."""
    from ..checks import today_for

    return today_for(records, now())


def source_epoch() -> datetime.datetime | None:
    """SOURCE_DATE_EPOCH, when set: seconds since 1970 (reproducible-builds.org), in range.

    The one reader of the variable. A value that is not a whole number of seconds, or
    that falls outside the years gasp accepts, is a usage error (exit 2), as the
    specification asks of a malformed value, rather than a date silently made up.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    if not epoch.isascii() or not epoch.isdigit():
        raise fail(f"SOURCE_DATE_EPOCH : « {epoch} » n’est pas un nombre de secondes depuis 1970", code=2)
    seconds = int(epoch)
    last = datetime.datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
    start = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    if seconds > (last - start).total_seconds():
        raise fail(f"SOURCE_DATE_EPOCH : « {epoch} » désigne un jour après {LAST_YEAR} ({YEARS})", code=2)
    return start + datetime.timedelta(seconds=seconds)


def source_date() -> datetime.date | None:
    """The day of SOURCE_DATE_EPOCH, when set: the date printed on generated documents."""
    epoch = source_epoch()
    return epoch.date() if epoch is not None else None


def colour(stream: TextIO) -> bool:
    """Styles only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """One line per problem, at most SHOWN_PER_FILE of a code per file (then a line counting the others)."""
    from ..diagnostics import capped

    colours = {"error": "red", "warning": "yellow"}
    color = colour(sys.stderr)
    for diagnostic in capped(diagnostics):
        text = diagnostic.as_text()
        if color:
            head, _, rest = text.partition(": ")
            label, _, message = rest.partition(": ")
            text = f"{typer.style(head, bold=True)}: {typer.style(label, fg=colours[diagnostic.severity])}: {message}"
        typer.echo(text, err=True)


def load_records(ctx: typer.Context) -> tuple[Workspace, Records, list[Diagnostic]]:
    """Load and check the records; on any error, print every problem and exit 1."""
    from ..checks import check_workspace
    from ..vocabulary import plural

    found = workspace(ctx)
    records, diagnostics = check_workspace(found, now())
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        print_diagnostics(errors)
        raise fail(
            f"{plural(len(errors), 'erreur')} dans les enregistrements : rien n'a été produit. "
            "Corrigez-les (voir « gasp validate »)."
        )
    warnings = len(diagnostics)
    if warnings:
        typer.echo(
            f"gasp : {plural(warnings, 'avertissement')} dans les enregistrements (voir « gasp validate »)", err=True
        )
    return found, records, diagnostics


def reproducible_timestamp() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set, else the start of today (UTC): the same bytes all day."""
    epoch = source_epoch()
    if epoch is not None:
        return epoch
    today = datetime.datetime.now(datetime.UTC).date()
    return datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.UTC)


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


# Words a secretary may type for a group, by the kind of group they mean (the article's words).
GROUP_WORDS = {
    "habitant": "usagers",
    "habitants": "usagers",
    "resident": "usagers",
    "residents": "usagers",
    "usager": "usagers",
    "elu": "referents",
    "elus": "referents",
    "responsables": "referents",
    "referent": "referents",
    "agent": "agents",
    "tous": "intergroupes",
    "intergroupe": "intergroupes",
}


def unknown_group(records: Records, wanted: str) -> str:
    """« groupe « habitants » inconnu ; vouliez-vous dire « usagers » ? », else the groups there are."""
    from ..diagnostics import closest
    from ..vocabulary import fold

    near = closest(wanted, records.groups)
    if near is None:
        kind = GROUP_WORDS.get(fold(wanted).strip())
        near = next((gid for gid in sorted(records.groups) if records.groups[gid].kind == kind), None)
    hint = f" ; vouliez-vous dire « {near} » ?" if near else ""
    return f"groupe « {wanted} » inconnu{hint} (groupes : {', '.join(sorted(records.groups))})"


# Errors that make the ids of a kind unsure: `gasp new` could give a new record a taken id.
ID_ERRORS = frozenset({"bad-id", "duplicate-id", "not-a-file", "unreadable", "outside-link", "bad-extension"})


def load_records_for_new(
    ctx: typer.Context, kind: str, reads: Callable[[Records], set[str]] = lambda records: set()
) -> tuple[Workspace, Records]:
    """Load the records for `gasp new KIND`: errors elsewhere do not stop it, only in what it reads.

    It reads the ids of its kind (an id error in `records/<kind>/` blocks) and the files that
    `reads` names (any error there blocks: the group and its meetings for a meeting, the theme
    of a proposal…). The error a new record is written to fix (« proposition inconnue ») is
    never in what it reads.
    """
    from ..checks import check_workspace
    from ..vocabulary import plural

    found = workspace(ctx)
    records, diagnostics = check_workspace(found, now())
    errors = [d for d in diagnostics if d.severity == "error"]
    files = reads(records)
    blocking = [d for d in errors if d.file in files or (d.file.startswith(f"records/{kind}/") and d.code in ID_ERRORS)]
    if blocking:
        print_diagnostics(blocking)
        names = sorted({d.file for d in blocking})
        these = "ce fichier" if len(names) == 1 else "ces fichiers"
        raise fail(
            f"{', '.join(names)} : gasp new lit {these}, et {plural(len(blocking), 'erreur')} l’en "
            f"{'empêchent' if len(blocking) > 1 else 'empêche'} ; corrigez d’abord {these} (rien n'a été écrit)"
        )
    if errors:
        typer.echo(
            f"gasp : {plural(len(errors), 'erreur')} ailleurs dans les enregistrements (voir « gasp validate ») ; "
            f"{'elle n’empêche' if len(errors) == 1 else 'elles n’empêchent'} pas d’écrire ce nouvel enregistrement",
            err=True,
        )
    elif diagnostics:
        typer.echo(
            f"gasp : {plural(len(diagnostics), 'avertissement')} dans les enregistrements (voir « gasp validate »)",
            err=True,
        )
    return found, records


def source_file(records: Records, kind: str, record_id: str) -> set[str]:
    """The file of a record, valid or not, as diagnostics name it (empty when there is none)."""
    source = records.sources.get((kind, record_id))
    return {source.rel} if source is not None else set()
