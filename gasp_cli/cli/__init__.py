"""The `gasp` command: a Typer app, one thin module per command."""

import contextlib
import io
import os
import sys
from typing import Annotated

import typer

from .. import __version__

# gasp uses no pydantic plugin; looking for them scans every installed package.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from .calendar import calendar
from .export import export
from .french import FrenchCommand, FrenchCommandOutsideWorkspace, FrenchGroup, silence_stdout
from .init import init
from .mail import mail
from .network import app as network_app
from .new import app as new_app
from .rename import rename
from .render import render
from .report import report
from .schema import schema
from .serve import serve
from .trace import app as trace_app
from .validate import validate

app = typer.Typer(
    name="gasp",
    cls=FrenchGroup,
    help="Outils du Groupe d'amélioration des services publics (Gasp) : vérifier les "
    "enregistrements, produire le calendrier, les comptes rendus, les guides, le dossier "
    "des référents, la trace des propositions, le rapport annuel et les données de recherche.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gasp {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    records: Annotated[
        str | None,
        typer.Option(
            "--records",
            metavar="DOSSIER",
            help="L'espace de travail (ou son dossier records/). Par défaut : $GASP_RECORDS, "
            "puis le dossier courant et ses parents.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Affiche la version et s'arrête."),
    ] = False,
) -> None:
    """Outils du Gasp."""


app.command("validate", cls=FrenchCommand)(validate)
app.command("calendar", cls=FrenchCommand)(calendar)
app.command("render", cls=FrenchCommand)(render)
app.command("report", cls=FrenchCommand)(report)
app.command("schema", cls=FrenchCommandOutsideWorkspace)(schema)
app.command("init", cls=FrenchCommandOutsideWorkspace)(init)
app.command("rename", cls=FrenchCommand)(rename)
app.command("export", cls=FrenchCommand)(export)
app.command("mail", cls=FrenchCommand)(mail)
app.command("serve", cls=FrenchCommand)(serve)
app.add_typer(trace_app, name="trace")
app.add_typer(new_app, name="new")
app.add_typer(network_app, name="network")


def _tolerant_streams() -> None:
    """A terminal or a PYTHONIOENCODING that cannot show « é » gets `\\xe9`, not a crash.

    Click already writes UTF-8 when stdout claims ASCII; rich and the last-resort
    message below write through these streams themselves.
    """
    for stream in (sys.stdout, sys.stderr):
        # Not a text file (a test runner's buffer): its owner decides.
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def _closed_streams() -> None:
    """A closed stdout or stderr (`>&-`, `2>&-`) is None in Python: written to, it would crash.
    What gasp would have printed there is lost, and nothing else changes (the exit code included)."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _stdout_failed(error: OSError) -> None:
    """stdout could not be written (a full disk, `/dev/full`): the work is done, say what was written."""
    from ..output import system_reason, written_summary

    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(
            f"gasp : la sortie standard n'a pas pu être écrite ({system_reason(error)}) : ce qui devait "
            f"s'y afficher est perdu. {written_summary()}\n"
        )
    silence_stdout()
    sys.exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`, a service stopped) handled as Ctrl-C: what an interruption
    undoes (a render's temporary files) is undone too."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated


def main() -> None:
    """Console entry point: never a Python traceback in front of a user."""
    import signal

    _closed_streams()
    _tolerant_streams()
    signal.signal(signal.SIGTERM, _terminated)
    try:
        try:
            app(prog_name="gasp")
        finally:
            sys.stdout.flush()  # a full disk shows here, not at exit where Python would only grumble
    except SystemExit:
        raise
    except KeyboardInterrupt as interruption:
        sys.stderr.write("\ngasp : interrompu.\n")
        sys.exit(143 if isinstance(interruption, Terminated) else 130)
    except BrokenPipeError:
        silence_stdout()
        sys.exit(0)
    except OSError as error:
        if _is_stdout(error):
            _stdout_failed(error)
        from ..output import system_reason, written_summary

        where = f" « {error.filename} »" if error.filename else ""
        sys.stderr.write(f"gasp : erreur du système{where} : {system_reason(error)}. {written_summary()}\n")
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        from ..output import written_summary

        sys.stderr.write(
            f"gasp : erreur interne inattendue ({type(error).__name__} : {error}). "
            f"{written_summary()} Merci de signaler ce problème avec la commande lancée.\n"
        )
        sys.exit(1)


def _is_stdout(error: OSError) -> bool:
    """An error writing stdout (no file name): a full disk, an I/O error, a quota."""
    import errno

    return error.filename is None and error.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EBADF)
