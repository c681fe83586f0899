"""Typer and Click speak English; a French secretary reads these instead.

Usage errors (unknown command or option, bad value) are caught here and told in
French, with the closest choice when there is one, and exit 2. The help screens
(usage line, headings, option names and values, the list of commands, the
completion installer) are drawn here in French.

Only Typer's public surface is used, so that gasp runs with every Typer it is
tested with (0.15, whose Click is a separate package, to 0.29, which carries its
own): `typer.core.TyperCommand`/`TyperGroup` subclasses (documented for `cls=`),
Click's documented `format_*` and `collect_usage_pieces` hooks, `typer.completion`,
and Click's exception classes found from `typer.BadParameter`, which Typer
exports. No gettext patching and no `typer._click`.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import typer
import typer.core
from typer import Abort


def _click_class(name: str) -> Any:
    """One of Click's exception classes, from the ancestry of `typer.BadParameter` (public).

    Typed Any: its module is Click's or Typer's own copy of it, depending on the Typer.
    """
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == name:
            return cls
    raise LookupError(name)  # pragma: no cover - Click has had both since 2014


UsageError = _click_class("UsageError")
ClickException = _click_class("ClickException")


def _is(error: BaseException, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(error).__mro__)


PARAM_HELP = {
    "help": "Affiche cette aide et s'arrête.",
    "install_completion": "Installe la complétion pour le shell courant.",
    "show_completion": "Affiche le script de complétion du shell courant, à copier ou adapter.",
}

# A message of Click or Typer, in English, and what makes its French from the match.
# Patterns as text: re compiles (and caches) one when a message is translated, not at every start of
# gasp (`gasp --help` compiled them all for nothing).
_Translation = tuple[str, Callable[[re.Match[str]], str]]

# Click's messages for a bad value, and their French.
_VALUE_MESSAGES: list[_Translation] = [
    (
        r"(?:Value error, )?'(.*)' is not one of (.*)\.$",
        lambda m: f"« {m[1]} » n'est pas permis ; valeurs possibles : {m[2].replace(chr(39), '')}",
    ),
    (r"'(.*)' is not a valid integer( range)?\.?$", lambda m: f"« {m[1]} » n'est pas un nombre entier"),
    (
        r"'(.*)' does not match the formats? (.*)\.$",
        lambda m: f"« {m[1]} » n'est pas une date au format AAAA-MM-JJ",
    ),
    (r"'(.*)' is not a valid boolean\.?$", lambda m: f"« {m[1]} » n'est ni oui ni non"),
    (
        r"^(.*) is not in the range (-?\d+(?:\.\d+)?)<=x<=(-?\d+(?:\.\d+)?)\.?$",
        lambda m: f"« {m[1]} » n’est pas entre {m[2]} et {m[3]}",
    ),
    (
        r"^(.*) is not in the range x>=(-?\d+(?:\.\d+)?)\.?$",
        lambda m: f"« {m[1]} » est plus petit que {m[2]}",
    ),
    (
        r"^(.*) is not in the range x<=(-?\d+(?:\.\d+)?)\.?$",
        lambda m: f"« {m[1]} » est plus grand que {m[2]}",
    ),
    # Typer 0.29 checks values with pydantic-like messages.
    (r"Input should be a valid integer", lambda m: "ce n’est pas un nombre entier"),
    (r"Input should be a valid number", lambda m: "ce n’est pas un nombre"),
    (r"Input should be a valid boolean", lambda m: "ce n’est ni true ni false"),
    (r"Input should be greater than or equal to (\S+)$", lambda m: f"le nombre doit être au moins {m[1]}"),
    (r"Input should be less than or equal to (\S+)$", lambda m: f"le nombre doit être au plus {m[1]}"),
    (r"Input should be greater than (\S+)$", lambda m: f"le nombre doit être plus grand que {m[1]}"),
    (r"Input should be less than (\S+)$", lambda m: f"le nombre doit être plus petit que {m[1]}"),
    (r"Input should be a valid (?:date|datetime)", lambda m: "ce n’est pas une date au format AAAA-MM-JJ"),
]


def _french_value_message(message: str) -> str:
    for pattern, french in _VALUE_MESSAGES:
        match = re.search(pattern, message)
        if match:
            return french(match)
    return message.removeprefix("Value error, ")


def french_usage_message(error: Any) -> str:
    if _is(error, "NoSuchOption"):
        message = f"option « {error.option_name} » inconnue"
        if error.possibilities:
            choices = ", ".join(f"« {p} »" for p in sorted(error.possibilities))
            message += f" ; vouliez-vous dire {choices} ?"
        return message
    if _is(error, "MissingParameter"):
        names = error.param.opts if error.param is not None else []
        return f"paramètre « {' / '.join(names) or error.param_hint} » manquant"
    if _is(error, "BadParameter"):
        hint = error.param_hint
        if hint is None and error.param is not None:
            hint = " / ".join(error.param.opts)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        hint = (hint or "").replace("'", "")
        where = f" pour « {hint} »" if hint else ""
        return f"valeur invalide{where} : {_french_value_message(error.message)}"
    message = str(error.format_message())
    if message.strip() == "Missing command.":
        return "commande manquante"
    match = re.match(r"No such command '(.*)'\.(?: Did you mean '(.*)'\?)?", message)
    if match:
        near = match[2] or _closest_command(error, match[1])
        hint = f" ; vouliez-vous dire « {near} » ?" if near else ""
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


def _closest_command(error: Any, name: str) -> str | None:
    """The command meant by a typo: Click 8.2 names it, Click 8.1 (under Typer 0.15) does not."""
    from ..diagnostics import closest

    ctx = error.ctx
    if ctx is None or not hasattr(ctx.command, "list_commands"):
        return None
    return closest(name, ctx.command.list_commands(ctx))


def _show_usage_error(error: Any) -> None:
    ctx = error.ctx
    if _is(error, "NoArgsIsHelpError") and ctx is not None:
        typer.echo(ctx.get_help(), err=True)
        return
    from ..escape import terminal

    # The message quotes what was typed: an ESC in it is shown, not obeyed.
    typer.echo(f"gasp : erreur d'utilisation : {terminal(french_usage_message(error))}", err=True)
    if ctx is not None:
        typer.echo(f"Aide : {ctx.command_path} --help", err=True)


# --- help screens -----------------------------------------------------------------------------

# What Typer or Click may append in brackets to an option's help, in English.
_EXTRA_PIECES: list[_Translation] = [
    (r"(?s)^default: (.*)$", lambda m: f"par défaut : {m[1]}"),
    (r"(?s)^env var: (.*)$", lambda m: f"variable : {m[1]}"),
    (r"^required$", lambda m: "obligatoire"),
    (r"^\(dynamic\)$", lambda m: "(calculé)"),
    (r"^(-?[\d.]+)<=x<=(-?[\d.]+)$", lambda m: f"de {m[1]} à {m[2]}"),
    (r"^x>=(-?[\d.]+)$", lambda m: f"au moins {m[1]}"),
    (r"^x<=(-?[\d.]+)$", lambda m: f"au plus {m[1]}"),
]
_EXTRA = re.compile(r"\s*\\?\[([^\[\]]*)\]$")  # Typer 0.15 escapes the bracket for rich: « \\[default: x] »

# A value's placeholder when the command gave none: by option name, else by type.
_METAVAR_BY_NAME = {"year": "ANNÉE", "group": "GROUPE", "theme": "THÈME", "status": "STATUT", "records": "DOSSIER"}
_METAVAR_BY_TYPE = {
    "integer": "NOMBRE",
    "integer range": "NOMBRE",
    "int": "NOMBRE",
    "float": "NOMBRE",
    "float range": "NOMBRE",
    "text": "TEXTE",
    "str": "TEXTE",
    "path": "CHEMIN",
    "filename": "FICHIER",
    "datetime": "AAAA-MM-JJ",
    "date": "AAAA-MM-JJ",
    "boolean": "true|false",
    "bool": "true|false",
}


def french_help_text(text: str) -> str:
    """The help of an option with its bracketed extras (default, range…) said in French."""
    match = _EXTRA.search(text)
    if not match:
        return text
    pieces = []
    for piece in match[1].split("; "):
        for pattern, french in _EXTRA_PIECES:
            found = re.match(pattern, piece)
            if found:
                pieces.append(french(found))
                break
        else:
            pieces.append(piece)
    return f"{text[: match.start()]}  [{' ; '.join(pieces)}]"


def _value_metavar(param: Any) -> str:
    """The placeholder of an option's value: the command's metavar, else its choices, else a French word.

    Click's parameters carry `type` (Typer 0.15); Typer 0.29 keeps the annotation in
    `type_descriptor`: both are read, and whatever is missing falls back to a plain word.
    """
    if param.metavar:
        return str(param.metavar)
    click_type = getattr(param, "type", None)
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    choices = getattr(click_type, "choices", None)
    if not choices and isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = [member.value for member in annotation]
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    if param.name in _METAVAR_BY_NAME:
        return _METAVAR_BY_NAME[param.name]
    type_name = str(getattr(click_type, "name", None) or getattr(annotation, "__name__", ""))
    return _METAVAR_BY_TYPE.get(type_name.lower(), "VALEUR")


def argument_metavar(param: Any) -> str:
    """`ID`, `[ID]`, `[REUNION]...`: one pair of brackets, whatever metavar the command gave."""
    core = (param.metavar or (param.name or "").upper()).replace("[", "").replace("]", "").rstrip(".")
    many = param.nargs == -1
    if param.required:
        return f"{core}..." if many else core
    return f"[{core}]..." if many else f"[{core}]"


def _option_names(param: Any) -> str:
    names = ", ".join(sorted(param.opts, key=lambda o: (o.startswith("--"), o)))
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if not param.is_flag and not getattr(param, "count", False):
        names += f" {_value_metavar(param)}"
    return names


def _help_rows(command: Any, ctx: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    arguments, options = [], []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or getattr(param, "hidden", False):
            continue
        text = french_help_text(record[1] or "")
        if param.param_type_name == "argument":
            arguments.append((argument_metavar(param), text))
        elif param.param_type_name == "option":
            options.append((_option_names(param), text))
    return arguments, options


def _section(formatter: Any, heading: str, rows: list[tuple[str, str]]) -> None:
    """Click's section, with the French space before the colon."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{heading} :\n")
    formatter.indent()
    try:
        formatter.write_dl(rows)
    finally:
        formatter.dedent()


def _summary(command: Any) -> str:
    """A command's whole first sentence for the list of commands: wrapped, never cut with « ... »."""
    if command.short_help:
        return str(command.short_help)
    text = " ".join((command.help or "").split("\n\n")[0].split())
    return text


# The root command's arguments, as given (FrenchGroup.make_context).
_COMMAND_LINE: list[str] = []


def _install_completion(ctx: Any, param: Any, value: Any) -> Any:
    """`--install-completion`, told in French (Typer's own callback speaks English)."""
    if not value or ctx.resilient_parsing:
        return value
    # The option is eager: it runs before the other arguments are read. A stray one means the
    # command line is not what the user thinks; refuse it before any file is edited.
    words = list(_COMMAND_LINE)
    option = next((i for i, w in enumerate(words) if w.split("=", 1)[0] == "--install-completion"), None)
    if option is not None:
        rest = words[:option] + words[option + 1 :]
        if isinstance(value, str) and rest[option : option + 1] == [value]:
            rest = rest[:option] + rest[option + 1 :]
        if rest:
            raise UsageError(
                f"--install-completion ne prend pas d’autre argument (« {' '.join(rest)} ») : rien n’a été installé",
                ctx,
            )
    # Public in every Typer tested, but re-exported without an __all__ that says so.
    from typer.completion import install  # type: ignore[attr-defined]

    shell, path = install(shell=value) if isinstance(value, str) else install()
    typer.echo(f"complétion {shell} installée dans {path}")
    typer.echo("Elle prendra effet au prochain démarrage du terminal.")
    sys.exit(0)


def _remember_records(ctx: Any, param: Any, value: Any) -> None:
    """`--records` after a command stands for the global option (the later one wins)."""
    if value is not None and not ctx.resilient_parsing:
        ctx.find_root().params["records"] = value


class _French:
    """Shared by commands and groups: French usage line and help texts."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        pieces += [argument_metavar(p) for p in self.get_params(ctx) if p.param_type_name == "argument"]
        if hasattr(self, "list_commands"):
            pieces.append("COMMANDE [ARGUMENTS]...")
        return pieces

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Utilisation : ")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = _help_rows(self, ctx)
        if arguments:
            _section(formatter, "Arguments", arguments)
        if options:
            _section(formatter, "Options", options)
        if hasattr(self, "list_commands"):
            rows = []
            for name in self.list_commands(ctx):
                # A group's method: hasattr() above told mypy of list_commands only.
                command = self.get_command(ctx, name)  # type: ignore[attr-defined]
                if command is not None and not command.hidden:
                    rows.append((name, _summary(command)))
            if rows:
                _section(formatter, "Commandes", rows)

    takes_records = True

    def get_params(self, ctx: Any) -> list[Any]:
        # A mixin: mypy cannot see the Click command it is mixed into.
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if param.name in PARAM_HELP:
                param.help = PARAM_HELP[param.name]
            if param.name == "install_completion":
                param.callback = _install_completion
        if self.takes_records and ctx.parent is not None and not any(p.name == "records" for p in params):
            for param in ctx.find_root().command.params:
                if param.name == "records":
                    # The root's own option, so that its help, metavar and type stay in one place.
                    here = copy.copy(param)
                    here.expose_value = False
                    here.callback = _remember_records
                    at_help = params and params[-1].name == "help"
                    params.insert(len(params) - 1 if at_help else len(params), here)
                    break
        return params


class FrenchCommand(_French, typer.core.TyperCommand):
    """A command; it also takes the global `--records` after its name (`gasp render --records X`)."""


class FrenchCommandOutsideWorkspace(FrenchCommand):
    """A command that works without a workspace (`gasp init`, `gasp schema`): no `--records`."""

    takes_records = False


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
        if kwargs.get("parent") is None and len(args) > 1:  # the command line, for eager options to check
            _COMMAND_LINE[:] = list(args[1])
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            raise StdoutClosed from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not windows_expand_args:  # passed on only when asked: Click 8.0.0 does not know it
            extra["windows_expand_args"] = False
        try:
            result = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
            code = result if isinstance(result, int) else 0
        except UsageError as error:
            _show_usage_error(error)
            code = 2
        except ClickException as error:
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
