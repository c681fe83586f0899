"""Text for rich, made safe: record text is printed literally, never obeyed by the terminal."""

from __future__ import annotations

from .escape import terminal


def safe_text(value: object, style: str = ""):
    """A rich `Text` (no markup is read from it) with control characters made visible."""
    from rich.text import Text

    return Text(terminal(value), style=style)
