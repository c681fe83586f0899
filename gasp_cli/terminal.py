"""Text for rich, made safe: record text is printed literally, never obeyed by the terminal."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from .escape import terminal

if TYPE_CHECKING:  # rich is imported by the commands that print, not by `gasp --help`
    from rich.console import Console
    from rich.text import Text


def safe_text(value: object, style: str = "") -> Text:
    """A rich `Text` (no markup is read from it) with control characters made visible."""
    from rich.text import Text

    return Text(terminal(value), style=style)


def console(stderr: bool = False) -> Console:
    """A rich Console for gasp's terminal output.

    Rich honours NO_COLOR by itself; a broken pipe (`gasp … | head`) is handed back to
    the command line, which ends quietly with 0, instead of rich's own exit 1.
    """
    return _console_class()(highlight=False, stderr=stderr)


@cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class GaspConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return GaspConsole
