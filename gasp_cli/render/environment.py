"""The Jinja environments, one per output format, each escaping every record value its own way.

HTML uses Jinja's autoescape; Markdown and Typst escape in `finalize`, which Jinja
calls on every `{{ … }}` output, so a template cannot forget. Text a template
means as markup (built by gasp itself, never from a record) is wrapped in `Raw`.
Templates are looked up in the workspace's `templates/` first, then in gasp's
defaults, by file name. Undefined names are errors (`StrictUndefined`), and record
text is only ever a value, never a template.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import escape


class Raw(str):
    """Markup written by gasp for one format; passed through `finalize` unescaped."""


FORMATS = ("md", "html", "typ")


def default_templates() -> Path:
    """The templates shipped with gasp: inside the package once installed, else the repository's."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


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
    return escape.typst(escape.french_spacing(str(value)))


def _html_finalize(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (Markup, Raw)):
        return Markup(value)
    return Markup.escape(escape.html(value))


def make_environment(output_format: str, workspace_templates: Path | None) -> jinja2.Environment:
    folders = [str(workspace_templates)] if workspace_templates and workspace_templates.is_dir() else []
    folders.append(str(default_templates()))
    options = dict(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if output_format == "html":
        environment = jinja2.Environment(autoescape=True, finalize=_html_finalize, **options)
    elif output_format == "md":
        environment = jinja2.Environment(autoescape=False, finalize=_markdown_finalize, **options)
    elif output_format == "typ":
        environment = jinja2.Environment(autoescape=False, finalize=_typst_finalize, **options)
    else:
        raise ValueError(output_format)
    environment.filters["cell"] = lambda value: Raw(escape.markdown_cell(value)) if value is not None else ""
    # The output of a macro is template text with its values already escaped:
    # `{{ people(list) | markup }}` keeps `finalize` from escaping it a second time.
    environment.filters["markup"] = Markup if output_format == "html" else Raw
    environment.filters["number"] = _number
    environment.filters["colour"] = _colour
    return environment


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
