"""Typer and Click speak English; a French secretary reads these instead.

Usage errors (unknown command or option, bad value) are caught here and told in
French, with the closest choice when there is one, and exit 2. The help screens
get French headings. Everything else Typer does is left as it is.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import typer
import typer.core
from typer._click import exceptions as click_exceptions
from typer.exceptions import Abort

# typer.core's gettext strings.
TYPER_STRINGS = {
    "Options": "Options",
    "Arguments": "Arguments",
    "Commands": "Commandes",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable : {var}",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
}

PARAM_HELP = {
    "help": "Affiche cette aide et s'arrête.",
    "install_completion": "Installe la complétion pour le shell courant.",
    "show_completion": "Affiche le script de complétion du shell courant, à copier ou adapter.",
}

# Click's messages for a bad value, and their French.
_VALUE_MESSAGES = [
    (re.compile(r"(?:Value error, )?'(.*)' is not one of (.*)\.$"),
     lambda m: f"« {m[1]} » n'est pas permis ; valeurs possibles : {m[2].replace(chr(39), '')}"),
    (re.compile(r"'(.*)' is not a valid integer( range)?\.?$"), lambda m: f"« {m[1]} » n'est pas un nombre entier"),
    (re.compile(r"'(.*)' does not match the formats? (.*)\.$"),
     lambda m: f"« {m[1]} » n'est pas une date au format AAAA-MM-JJ"),
    (re.compile(r"'(.*)' is not a valid boolean\.?$"), lambda m: f"« {m[1]} » n'est ni oui ni non"),
    # Typer checks some values with pydantic, whose messages name no value.
    (re.compile(r"Input should be a valid integer"), lambda m: "ce n’est pas un nombre entier"),
    (re.compile(r"Input should be greater than or equal to (\S+)$"), lambda m: f"la valeur doit être au moins {m[1]}"),
    (re.compile(r"Input should be less than or equal to (\S+)$"), lambda m: f"la valeur doit être au plus {m[1]}"),
    (re.compile(r"Input should be a valid (?:date|datetime)"), lambda m: "ce n’est pas une date au format AAAA-MM-JJ"),
]


def _french_value_message(message: str) -> str:
    for pattern, french in _VALUE_MESSAGES:
        match = pattern.search(message)
        if match:
            return french(match)
    return message.removeprefix("Value error, ")


def french_usage_message(error: click_exceptions.UsageError) -> str:
    if isinstance(error, click_exceptions.NoSuchOption):
        message = f"option « {error.option_name} » inconnue"
        if error.possibilities:
            choices = ", ".join(f"« {p} »" for p in sorted(error.possibilities))
            message += f" ; vouliez-vous dire {choices} ?"
        return message
    if isinstance(error, click_exceptions.MissingParameter):
        names = error.param.opts if error.param is not None else []
        return f"paramètre « {' / '.join(names) or error.param_hint} » manquant"
    if isinstance(error, click_exceptions.BadParameter):
        hint = error.param_hint
        if hint is None and error.param is not None:
            hint = " / ".join(error.param.opts)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        hint = (hint or "").replace("'", "")
        where = f" pour « {hint} »" if hint else ""
        return f"valeur invalide{where} : {_french_value_message(error.message)}"
    message = error.format_message()
    match = re.match(r"No such command '(.*)'\.(?: Did you mean '(.*)'\?)?", message)
    if match:
        hint = f" ; vouliez-vous dire « {match[2]} » ?" if match[2] else ""
        return f"commande « {match[1]} » inconnue{hint}"
    match = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if match:
        return f"argument en trop : {match[1]}"
    match = re.match(r"Option '(.*)' requires an argument\.", message)
    if match:
        return f"l'option « {match[1]} » attend une valeur"
    match = re.match(r"Option '(.*)' does not take a value\.", message)
    if match:
        return f"l'option « {match[1]} » ne prend pas de valeur"
    return message


def _show_usage_error(error: click_exceptions.UsageError) -> None:
    ctx = error.ctx
    if isinstance(error, click_exceptions.NoArgsIsHelpError) and ctx is not None:
        typer.echo(ctx.get_help(), err=True)
        return
    from ..escape import terminal

    # The message quotes what was typed: an ESC in it is shown, not obeyed.
    typer.echo(f"gasp : erreur d'utilisation : {terminal(french_usage_message(error))}", err=True)
    if ctx is not None:
        typer.echo(f"Aide : {ctx.command_path} --help", err=True)


class _French:
    """Shared by commands and groups: French usage line and help texts."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Utilisation : ")

    def get_params(self, ctx: Any) -> list:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.name in PARAM_HELP:
                param.help = PARAM_HELP[param.name]
        return params


class FrenchCommand(_French, typer.core.TyperCommand):
    pass


class StdoutClosed(Exception):
    """Whoever read stdout went away (`gasp … | head`): what they wanted was read, not an error."""


def silence_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush finds no broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (the tests' runner): nothing will flush into a pipe


class FrenchGroup(_French, typer.core.TyperGroup):
    # Typer turns a broken pipe into exit 1; `gasp … | head` is a success, like `cat … | head`.
    # Every output (help, --version, a command) happens in one of these two calls.
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            raise StdoutClosed from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed from None

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            result = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                  standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except click_exceptions.UsageError as error:
            _show_usage_error(error)
            code = 2
        except click_exceptions.ClickException as error:
            typer.echo(f"gasp : {error.format_message()}", err=True)
            code = error.exit_code
        except Abort:
            typer.echo("gasp : interrompu.", err=True)
            code = 1
        except StdoutClosed:
            silence_stdout()
            code = 0
        if standalone_mode:
            sys.exit(code)
        return code


def _french_gettext(message: str) -> str:
    return TYPER_STRINGS.get(message, message)


# typer.core draws its section headings through gettext: give it ours.
typer.core._ = _french_gettext  # type: ignore[attr-defined]
