"""French typography, once, on every md, html and Typst source gasp writes: this module finds
the running text of each format and hands it to `vocabulary.typography`; markup never reaches it.

HTML: the text between tags, never a tag, an attribute, a comment, a script or a style.
Markdown: each line's text, never a code span or block, a link's address, an HTML tag or a
table's delimiter row. Typst: the markup, never code (what follows `#`, inside parentheses
and braces, strings), raw text, math or comments; a content block `[…]` inside code is
markup again. « 1er » takes its superscript in HTML (`1<sup>er</sup>`) and Typst
(`1#super[er]`); Markdown keeps « 1er ».

Record text and template text are both text here: the rules apply to what the reader
reads, whoever wrote it. Machine outputs (ICS, CSV, JSON) never come through here.
"""

from __future__ import annotations

import functools
import re

from .. import vocabulary

__all__ = ["apply", "html", "markdown", "typst"]

typography = vocabulary.typography

# The same lines come back in document after document (a dossier lists every proposal still
# awaiting a decision, and there is one dossier per référents meeting): each Markdown line and
# each HTML text is set once (`_set_once`). The size bounds the memory (a few megabytes) whatever the history.
_set_once = functools.lru_cache(maxsize=4096)

_FIRST = re.compile(r"\b1er\b")


def apply(text: str, output_format: str) -> str:
    """`text` in `output_format` (md, html, typ) with French typography on its running text."""
    if output_format == "html":
        return html(text)
    if output_format == "md":
        return markdown(text)
    if output_format == "typ":
        return typst(text)
    raise ValueError(output_format)


# --- HTML ---------------------------------------------------------------------------------

# A comment, an element whose content is not text for the reader (script, style) or must stay
# as typed (pre, textarea), or any other tag.
_HTML_SKIPPED = re.compile(
    r"<!--.*?-->|<(script|style|pre|textarea)\b[^>]*>.*?</\1\s*>|<![^>]*>|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
# Text where a tag would be shown as text, or is not HTML (an SVG chart): no superscript there.
_HTML_PLAIN_TEXT = frozenset({"title", "option", "svg"})
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def html(text: str) -> str:
    parts: list[str] = []
    position = 0
    plain_text: set[str] = set()  # inside <title>, <option> or <svg>
    for match in _HTML_SKIPPED.finditer(text):
        parts.append(_html_text(text[position : match.start()], bool(plain_text)))
        parts.append(match[0])
        name = _TAG_NAME.match(match[0])
        if name is not None and name[2].lower() in _HTML_PLAIN_TEXT:
            (plain_text.discard if name[1] else plain_text.add)(name[2].lower())
        position = match.end()
    parts.append(_html_text(text[position:], bool(plain_text)))
    return "".join(parts)


@_set_once
def _html_text(text: str, plain_text: bool) -> str:
    if not text.strip():
        return text
    text = typography(text)
    return text if plain_text else _FIRST.sub("1<sup>er</sup>", text)


# --- Markdown -----------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# A code span, a link's or an image's address, an autolink or an HTML tag, an escaped character.
_MARKDOWN_SKIPPED = re.compile(r"(`+).*?\1|\]\([^)]*\)|(?<!\\)<[^<>\s][^<>]*>|\\.")


def markdown(text: str) -> str:
    lines = []
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            lines.append(line)
        elif fenced or _TABLE_DELIMITER.match(line):
            lines.append(line)
        else:
            lines.append(_markdown_line(line))
    return "\n".join(lines)


@_set_once
def _markdown_line(line: str) -> str:
    # Escapes stay in place (a placeholder keeps « 3 \% » a number and its unit); code, addresses
    # and tags are set aside whole.
    parts: list[str] = []
    kept: list[str] = []
    position = 0
    for match in _MARKDOWN_SKIPPED.finditer(line):
        if match[0].startswith("\\"):
            continue
        parts.append(line[position : match.start()])
        kept.append(match[0])
        parts.append("\x00")
        position = match.end()
    parts.append(line[position:])
    text = typography("".join(parts))
    pieces = text.split("\x00")
    return "".join(piece + (kept[index] if index < len(kept) else "") for index, piece in enumerate(pieces))


# --- Typst --------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_CLOSE = -1  # the `]` that closes a content block
# Where the readers stop: what may start something other than text in markup, or change depth in code.
_MARKUP_STOP = re.compile(r"[\\\[\]/`$#]")
_CODE_STOP = re.compile(r'["/\[(){}\n]')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_TICKS = re.compile(r"`+")
_STATEMENTS = frozenset({"let", "set", "show", "import", "include", "if", "for", "while", "return", "context"})


def typst(text: str) -> str:
    out: list[str] = []
    _TypstReader(text, out).markup(0, closing=False)
    return "".join(out)


class _TypstReader:
    """A small reader of Typst source: enough to tell markup from code, not a parser.

    Every character is copied to `out` once, in order; only markup text goes through
    `typography`."""

    def __init__(self, source: str, out: list[str]):
        self.source = source
        self.out = out

    def _text(self, text: str) -> None:
        # `;` ends the embedded expression: « 1er. » must not read as a field of `super[er]`.
        if text:
            self.out.append(_FIRST.sub("1#super[er];", typography(text)))

    def markup(self, position: int, closing: bool) -> int:
        """Markup from `position` to its closing `]` (when `closing`) or the end; returns the
        position after it."""
        source = self.source
        start = position
        depth = 0  # brackets typed as text inside this markup: [ … ]
        while (found := _MARKUP_STOP.search(source, position)) is not None:
            position = found.start()
            char = source[position]
            if char == "\\" and position + 1 < len(source):
                position += 2
                continue
            special = self._markup_special(position, closing and depth == 0, start)
            if special is None:
                if char == "[":
                    depth += 1
                elif char == "]":
                    depth -= 1
                position += 1
                continue
            if special == _CLOSE:
                self.out.append("]")
                return position + 1
            position = special
            start = position
        position = len(source)
        self._text(source[start:position])
        return position

    def _markup_special(self, position: int, may_close: bool, start: int) -> int | None:
        """What starts at `position` in markup: `_CLOSE` for the block's `]`, the end of a
        piece copied as is (code, raw, math, comment), or None for text. The text from `start`
        is written first."""
        source = self.source
        pending = source[start:position] if source[position] in "]/`$#" else ""
        char = source[position]
        if char == "]" and may_close:
            self._text(pending)
            return _CLOSE
        end = self._verbatim_end(position)
        if end is not None:
            return self._copy(position, end, pending)
        following = source[position + 1 : position + 2]
        if char == "#" and following and (following in "([{_" or following.isalpha()):
            self._text(pending)
            self.out.append("#")
            return self.embedded(position + 1)
        return None

    def _verbatim_end(self, position: int) -> int | None:
        """The end of a piece of markup copied as is, starting at `position`: a comment, raw text
        or math; None when none starts there."""
        source = self.source
        char = source[position]
        if source.startswith("//", position) and (position == 0 or source[position - 1] != ":"):
            end = source.find("\n", position)
            return len(source) if end < 0 else end
        if source.startswith("/*", position):
            end = source.find("*/", position + 2)
            return len(source) if end < 0 else end + 2
        if char == "`":
            ticks = _TICKS.match(source, position)
            fence = ticks[0] if ticks else "`"
            end = source.find(fence, position + len(fence))
            return len(source) if end < 0 else end + len(fence)
        if char == "$":
            end = position + 1
            while end < len(source) and source[end] != "$":
                end += 2 if source[end] == "\\" else 1
            return min(end + 1, len(source))
        return None

    def _copy(self, start: int, end: int, pending: str = "") -> int:
        self._text(pending)
        self.out.append(self.source[start:end])
        return end

    def embedded(self, position: int) -> int:
        """An expression after `#`: a statement (`#let`, `#set`, `#if` …) to the end of its line,
        or a name with its fields, arguments and content blocks."""
        source = self.source
        name = _IDENTIFIER.match(source, position)
        if name is not None and name[0] in _STATEMENTS:
            return self.code(position, until_line_end=True)
        if name is not None:
            position = self._copy(position, name.end())
        while position < len(source):
            char = source[position]
            if char in "({":
                position = self.code(position + 1, closer=")" if char == "(" else "}")
            elif char == "[":
                self.out.append("[")
                position = self.markup(position + 1, closing=True)
            elif char == "." and (field := _IDENTIFIER.match(source, position + 1)) is not None:
                position = self._copy(position, field.end())
            else:
                break
        return position

    def code(self, position: int, closer: str = "", until_line_end: bool = False) -> int:
        """Code up to its `closer` (copied), or to the end of the line outside brackets."""
        source = self.source
        if closer:
            self.out.append("(" if closer == ")" else "{")
        start = position
        depth = 0
        while (found := _CODE_STOP.search(source, position)) is not None:
            position = found.start()
            char = source[position]
            if char == '"':
                string = _STRING.match(source, position)
                position = string.end() if string is not None else len(source)
            elif source.startswith("//", position):
                end = source.find("\n", position)
                position = len(source) if end < 0 else end
            elif source.startswith("/*", position):
                end = source.find("*/", position + 2)
                position = len(source) if end < 0 else end + 2
            elif char == "[":
                self._copy(start, position + 1)
                position = self.markup(position + 1, closing=True)
                start = position
            elif char in "({":
                depth += 1
                position += 1
            elif char in ")}":
                if depth == 0 and closer:
                    self._copy(start, position + 1)
                    return position + 1
                depth -= 1
                position += 1
            elif char == "\n" and until_line_end and depth == 0:
                break
            else:
                position += 1
        else:
            position = len(source)
        self._copy(start, min(position, len(source)))
        return min(position, len(source))
