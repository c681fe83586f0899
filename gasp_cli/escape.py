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
