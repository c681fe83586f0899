"""Record text is data: each output format has its own escape, applied to every record value."""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the
# ones that can start markup inside a line (and `<`, so that no raw HTML passes).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Characters that start a block only at the beginning of a line.
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#+=>-]|\d+[.)])", re.MULTILINE)


def markdown(text: object) -> str:
    """Escape a record value for Markdown text."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", str(text))
    return _MARKDOWN_LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)


def markdown_cell(text: object) -> str:
    """Escape a record value for one cell of a Markdown table: one line, pipes escaped."""
    return markdown(" ".join(str(text).split()))


# Control characters (ESC starts the terminal's own commands) and the bidirectional
# overrides that can make a line read other than it is.
_TERMINAL_UNSAFE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]")


def terminal(text: object) -> str:
    """Record text for the terminal: control characters shown as `\\x1b`, never obeyed."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}" if ord(m[0]) > 0xff else f"\\x{ord(m[0]):02x}",
                                str(text))


# Typst markup: every character that can start markup, a comment, a label or a
# reference is backslash-escaped. Quotes are left alone: Typst makes them French
# typographic quotes, which is what a French reader expects.
_TYPST_SPECIAL = frozenset("\\#$*_@<>[]`~=-+/.")


def typst(text: object) -> str:
    """Escape a record value for Typst markup."""
    return "".join("\\" + char if char in _TYPST_SPECIAL else char for char in str(text))


# French typography: a narrow no-break space before the high punctuation and
# inside guillemets, so that « ; » never starts a line.
_BEFORE_HIGH_PUNCTUATION = re.compile(r"[ \u00a0]([;:!?»])")
_AFTER_GUILLEMET = re.compile(r"«[ \u00a0]")


def french_spacing(text: str) -> str:
    text = _BEFORE_HIGH_PUNCTUATION.sub("\u202f\\1", text)
    return _AFTER_GUILLEMET.sub("«\u202f", text)
