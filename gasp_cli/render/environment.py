"""The Jinja environments, one per output format, each escaping every record value its own way.

HTML uses Jinja's autoescape; Markdown and Typst escape in `finalize`, which Jinja
calls on every `{{ … }}` output, so a template cannot forget. Text a template
means as markup (built by gasp itself, never from a record) is wrapped in `Raw`.
Templates are looked up in the workspace's `templates/` first, then in gasp's
defaults, by file name. Undefined names are errors (`StrictUndefined`), and record
text is only ever a value, never a template.

A workspace's templates are code written by someone else (a shared records repository):
every template runs in Jinja's `SandboxedEnvironment`, where no attribute starting with
`_` is reachable (no walk from `cycler.__init__` to `os`) and no method changes a value
of gasp's. SECURITY.md says what a template can and cannot do.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox
from markupsafe import Markup

from .. import escape
from .inputs import default_templates


class Raw(str):
    """Markup written by gasp for one format; passed through `finalize` unescaped."""


FORMATS = ("md", "html", "typ", "txt")


def _markdown_finalize(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    return escape.markdown(value)


def _typst_finalize(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    return escape.typst(value)


def _text_finalize(value: object) -> str:
    """Plain text (an e-mail's text part): nothing is markup; control characters are shown."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    return escape.visible(value)


def _html_finalize(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (Markup, Raw)):
        return Markup(value)
    return Markup.escape(escape.html(value))


def make_environment(output_format: str, workspace_templates: Path | None) -> jinja2.Environment:
    folders = [str(workspace_templates)] if workspace_templates and workspace_templates.is_dir() else []
    folders.append(str(default_templates()))
    options: dict[str, Any] = {
        # A workspace template replaces the default of the same name; the defaults stay reachable
        # as `gasp/<name>`, so that a replacement can `{% extends "gasp/_page.html.j2" %}` and
        # change one block (its header, say) instead of copying the whole page.
        "loader": jinja2.ChoiceLoader(
            [
                jinja2.PrefixLoader({"gasp": jinja2.FileSystemLoader(str(default_templates()))}),
                jinja2.FileSystemLoader(folders),
            ]
        ),
        "undefined": jinja2.StrictUndefined,
        "bytecode_cache": _compiled(output_format),
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    if output_format == "html":
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(autoescape=True, finalize=_html_finalize, **options)
    elif output_format == "md":
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(
            autoescape=False, finalize=_markdown_finalize, **options
        )
    elif output_format == "typ":
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(
            autoescape=False, finalize=_typst_finalize, **options
        )
    elif output_format == "txt":
        environment = jinja2.sandbox.ImmutableSandboxedEnvironment(autoescape=False, finalize=_text_finalize, **options)
    else:
        raise ValueError(output_format)
    environment.filters["cell"] = lambda value: Raw(escape.markdown_cell(value)) if value is not None else ""
    # A row of a Markdown table: each value escaped as a cell, joined by pipes.
    environment.filters["cells"] = lambda values: Raw(" | ".join(escape.markdown_cell(v) for v in values))
    # The output of a macro is template text with its values already escaped:
    # `{{ people(list) | markup }}` keeps `finalize` from escaping it a second time.
    environment.filters["markup"] = Markup if output_format == "html" else Raw
    environment.filters["number"] = _number
    environment.filters["colour"] = _colour
    environment.filters["long_text"] = _LONG_TEXT[output_format]
    environment.filters["hours"] = hours
    environment.filters["typst_string"] = lambda value: Raw(escape.typst_string(value))
    if output_format == "md":
        environment.filters["long_cell"] = markdown_long_cell
    return environment


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and output format (a test run, `gasp serve`), and kept
    between runs in a folder of the user's cache when there is one (`_cache_folder`): a render that
    remade two comptes rendus spent a tenth of its time compiling their templates.

    Jinja keys each entry by the template's name and file and checks it against the source's
    checksum: an edited template is compiled again. One cache per format, since an environment's
    options (autoescape, finalize) shape the compiled code. An entry of the folder that cannot be
    read (cut short, from elsewhere) or written (a full or read-only disk) is only compiled again.
    """

    def __init__(self, folder: str | None) -> None:
        self._code: dict[str, bytes] = {}
        self._files = jinja2.FileSystemBytecodeCache(folder) if folder is not None else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
        if bucket.code is None and self._files is not None:
            try:
                self._files.load_bytecode(bucket)
            except Exception:  # noqa: BLE001 -- a damaged entry: compiled again
                bucket.reset()
            if bucket.code is not None:
                self._code[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        if self._files is not None:
            with contextlib.suppress(OSError):
                self._files.dump_bytecode(bucket)


_COMPILED: dict[tuple[str, str | None], _CompiledTemplates] = {}


def _compiled(output_format: str) -> _CompiledTemplates:
    """This process's cache of the templates of a format (and of the folder that keeps them)."""
    folder = _cache_folder(output_format)
    if (output_format, folder) not in _COMPILED:
        _COMPILED[(output_format, folder)] = _CompiledTemplates(folder)
    return _COMPILED[(output_format, folder)]


def _cache_folder(output_format: str) -> str | None:
    """Where the templates of a format are kept compiled between runs: the user's cache folder,
    $XDG_CACHE_HOME/gasp/modeles, else ~/.cache/gasp/modeles, one folder per format and per code
    of gasp and installed packages (what the compiled code depends on besides the template's
    text). Only a folder of the user's own that no one else may write is used; None when there is none."""
    from .inputs import environment_fingerprint

    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
        folder = root / "gasp" / "modeles" / f"{environment_fingerprint()[:24]}-{output_format}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = os.lstat(folder)
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o022:
        return None
    return str(folder)


# --- long text: paragraphs and `- ` list items (DESIGN.md, Input rules) ----------------------


def text_blocks(text: str) -> list[tuple[str, list[list[str]]]]:
    """A long text as blocks: ("p", [lines]) for a paragraph, ("ul", [item lines, …]) for a list.

    Paragraphs are separated by blank lines and keep their line breaks; a line starting
    with `- ` is a list item, and the lines under it that are indented continue it.
    The filters below also bind hours (`hours`) before escaping each line.
    """
    blocks: list[tuple[str, list[list[str]]]] = []
    current: tuple[str, list[list[str]]] | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            current = None
        elif stripped.startswith("- ") or stripped == "-":
            if current is None or current[0] != "ul":
                current = ("ul", [])
                blocks.append(current)
            current[1].append([stripped[2:].strip()])
        elif current is not None and current[0] == "ul" and line != stripped:
            current[1][-1].append(stripped)  # an indented line continues the list item
        else:
            if current is None or current[0] != "p":
                current = ("p", [])
                blocks.append(current)
            current[1].append([stripped])
    return blocks


def _lines(block: list[list[str]]) -> list[str]:
    return [line for item in block for line in item]


def _html_long_text(value: object, inline: bool = False) -> Markup:
    """Long text as HTML paragraphs and lists; each piece escaped by `_html_finalize`.

    `inline`: the first paragraph is not wrapped in `<p>`, for a note after other words.
    """
    if value is None:
        return Markup("")
    parts = []
    for number, (kind, block) in enumerate(text_blocks(str(value))):
        if kind == "ul":
            items = (Markup("<br>").join(_html_finalize(hours(line)) for line in item) for item in block)
            parts.append(
                Markup("<ul>")
                + Markup("").join(Markup("<li>") + item + Markup("</li>") for item in items)
                + Markup("</ul>")
            )
        else:
            body = Markup("<br>").join(_html_finalize(hours(line)) for line in _lines(block))
            parts.append(body if inline and number == 0 else Markup("<p>") + body + Markup("</p>"))
    return Markup("\n").join(parts)


def _blocks_joined(blocks: list[tuple[str, str]], inline: bool, indent: int) -> Raw:
    """Markdown or Typst blocks, a blank line apart. `inline`: the text follows other words
    in a list item, so its later blocks (and a leading list) are indented to stay inside it."""
    if not inline:
        return Raw("\n\n".join(text for _, text in blocks))
    first = blocks[0][1] if blocks and blocks[0][0] == "p" else ""
    rest = blocks[1:] if first else blocks
    margin = " " * indent
    indented = ["\n".join(margin + line for line in text.split("\n")) for _, text in rest]
    return Raw("\n\n".join([first, *indented]) if indented else first)


def _long_text(value: object, finalize: Callable[[object], str], line_break: str, inline: bool, indent: int) -> Raw:
    """Long text as paragraphs (line breaks kept, as `line_break`) and `- ` lists, for Markdown
    or Typst; each line escaped by that format's `finalize`."""
    if value is None:
        return Raw("")
    blocks = []
    for kind, block in text_blocks(str(value)):
        if kind == "ul":
            text = "\n".join("- " + (line_break + "  ").join(finalize(hours(line)) for line in item) for item in block)
        else:
            text = line_break.join(finalize(hours(line)) for line in _lines(block))
        blocks.append((kind, text))
    return _blocks_joined(blocks, inline, indent)


def _markdown_long_text(value: object, inline: bool = False, indent: int = 2) -> Raw:
    """Markdown: a hard line break is a backslash at the end of the line."""
    return _long_text(value, _markdown_finalize, "\\\n", inline, indent)


def _typst_long_text(value: object, inline: bool = False, indent: int = 2) -> Raw:
    """Typst: a forced line break is « \\ » at the end of the line."""
    return _long_text(value, _typst_finalize, " \\\n", inline, indent)


def markdown_long_cell(value: object) -> Raw:
    """Long text in one cell of a Markdown table: a table row is one line, so paragraphs and
    list items are kept with `<br>` (which Markdown tables allow), each piece escaped as a cell."""
    if value is None:
        return Raw("")
    pieces = []
    for kind, block in text_blocks(str(value)):
        if kind == "ul":
            pieces.append("<br>".join("• " + " ".join(escape.markdown_cell(line) for line in item) for item in block))
        else:
            pieces.append("<br>".join(escape.markdown_cell(line) for line in _lines(block)))
    return Raw("<br><br>".join(pieces))


def _plain_long_text(value: object, inline: bool = False, indent: int = 2) -> Raw:
    """Plain text: line breaks as they are, `- ` list items as they are (prose, not markup)."""
    return _long_text(value, _text_finalize, "\n", inline, indent)


_LONG_TEXT = {"html": _html_long_text, "md": _markdown_long_text, "typ": _typst_long_text, "txt": _plain_long_text}


# « 9 h », « 9 h 30 », « 9 h – 12 h »: an hour never breaks across lines.
_HOUR = re.compile(r"\b(\d{1,2})( ?)h(?:( ?)(\d{2}))?\b")
_HOUR_RANGE = re.compile("(\\d{1,2}\u00a0?h(?:\u00a0?\\d{2})?)( ?)([–-])( ?)(?=\\d{1,2}\u00a0?h)")


def hours(value: object) -> str | None:
    """Opening hours with no-break spaces inside each hour and around « – » between two hours.

    Returns plain text: the format's `finalize` escapes it like any record value.
    """
    if value is None:
        return None
    text = _HOUR.sub(
        lambda m: m[1] + ("\u00a0" if m[2] else "") + "h" + (("\u00a0" if m[3] else "") + m[4] if m[4] else ""),
        str(value),
    )
    return _HOUR_RANGE.sub(lambda m: m[1] + ("\u00a0" if m[2] else "") + m[3] + ("\u00a0" if m[4] else ""), text)


def _colour(value: object) -> Raw:
    """A colour of gasp's own charts, `#rrggbb`: checked, then written as is."""
    if not (isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value)):
        raise ValueError(f"couleur invalide : {value!r}")
    return Raw(value)


def _number(value: object, decimals: int = 1) -> Raw:
    """A number for drawing (a bar's length): written as is, never escaped, never text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"un nombre était attendu, pas {value!r}")
    return Raw(f"{value:.{decimals}f}")
