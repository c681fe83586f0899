"""Text for rich, made safe: record text is printed literally, never obeyed by the terminal."""

from __future__ import annotations

from functools import cache

from .escape import terminal


def safe_text(value: object, style: str = ""):
    """A rich `Text` (no markup is read from it) with control characters made visible."""
    from rich.text import Text

    return Text(terminal(value), style=style)


def console(stderr: bool = False):
    """A rich Console for gasp's terminal output.

    Rich honours NO_COLOR by itself; a broken pipe (`gasp … | head`) is handed back to
    the command line, which ends quietly with 0, instead of rich's own exit 1.
    """
    return _console_class()(highlight=False, stderr=stderr)


@cache
def _console_class():
    from rich.console import Console

    class GaspConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return GaspConsole
