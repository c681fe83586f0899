"""Record text is data: each output format has its own escape, applied to every record value.

Every escape first makes the text's lines plain: CR and CRLF become LF (a bare CR
would start a new line for a Markdown reader after the line-start escaping had
looked for lines at LF only), and every other control character, and the
bidirectional overrides that can make a line read other than it is, are shown as
`\\x1b` or `\\u202e`, never passed on raw: an ESC or an OSC 8 link must not reach a
terminal that `cat`s a `.md`, nor a NUL a calendar program.
"""

from __future__ import annotations

import re

# C0 and C1 control characters but tab and line feed, DEL, and the bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
_INVISIBLE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]")
# Unicode's own line and paragraph separators: line breaks to some readers, not to others.
_LINE_BREAKS = re.compile("\\r\\n?|[\\u2028\\u2029]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def lines(text: object) -> str:
    """Record text with LF as its only line break (CR, CRLF, U+2028 and U+2029 become LF)."""
    return _LINE_BREAKS.sub("\n", str(text))


def visible(text: object) -> str:
    """Record text safe to write anywhere: LF line breaks, every other control character shown."""
    return _INVISIBLE.sub(_shown, lines(text))


# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the
# ones that can start markup inside a line (and `<`, so that no raw HTML passes).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# A line's indentation (four columns make a code block; a reader's Markdown drops it
# anyway), then the characters that start a block only at the beginning of a line.
# After `lines`, LF is the only line break left, and `^` with MULTILINE finds every
# line's start.
_MARKDOWN_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
_MARKDOWN_LINE_START = re.compile(r"^([#+=>-]|\d+[.)])", re.MULTILINE)


def markdown(text: object) -> str:
    """Escape a record value for Markdown text, line by line."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", visible(text))
    escaped = _MARKDOWN_INDENT.sub("", escaped)
    return _MARKDOWN_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    # A backslash escapes punctuation only: « 1. » becomes « 1\. », not « \1. ».
    marker = match[1]
    if marker[0].isdigit():
        return f"{marker[:-1]}\\{marker[-1]}"
    return f"\\{marker}"


def markdown_cell(text: object) -> str:
    """Escape a record value for one cell of a Markdown table: one line, pipes escaped."""
    return markdown(" ".join(visible(text).split()))


def terminal(text: object) -> str:
    """Record text for the terminal: control characters shown as `\\x1b`, never obeyed."""
    return _INVISIBLE.sub(_shown, str(text))


def terminal_line(text: object) -> str:
    """Record text on one line of the terminal (a diagnostic): line breaks and tabs shown as `\\n`, `\\t`.

    A value copied into a message must not start a line of its own that looks like
    another diagnostic.
    """
    return terminal(str(text).replace("\n", "\\n").replace("\t", "\\t"))


def html(text: object) -> str:
    """Record text for HTML, before Jinja's own escaping of `<`, `&` and quotes (French typography
    comes later, on the whole page: render/typography.py)."""
    return visible(text)


def ics(text: object) -> str:
    """Record text for an iCalendar TEXT value, before icalendar escapes `,`, `;` and LF."""
    return visible(text)


def mermaid(text: object) -> str:
    """Record text for a Mermaid label: one line, control characters shown."""
    return " ".join(visible(text).split())


# Typst markup: every character that can start markup, a comment, a label or a
# reference is backslash-escaped. Quotes are left alone: Typst makes them French
# typographic quotes, which is what a French reader expects.
_TYPST_SPECIAL = frozenset("\\#$*_@<>[]`~=-+/.")


def typst(text: object) -> str:
    """Escape a record value for Typst markup."""
    return "".join("\\" + char if char in _TYPST_SPECIAL else char for char in visible(text))


def typst_string(text: object) -> str:
    """A record value inside a Typst string literal ("…"): the document's author, a chart's
    alt text. One line; backslash and double quote escaped."""
    return " ".join(visible(text).split()).replace("\\", "\\\\").replace('"', '\\"')
