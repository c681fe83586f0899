"""What every document has: a build step (records, day → data) and a table of formats (format → template).

A document module says `FORMATS = {"md": "x.md.j2", "html": "x.html.j2", "pdf": "x.typ.j2"}`:
a new format is one template and one line in that table. JSON is the data itself
(`as_json()` of a dataclass, or a list of them), never text parsed back. The terminal
(Rich) is Python, in the document's `show`. `emit` is the one way cli/* turns data into
a format; `data_key` is what a render compares to skip a document whose data did not change.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..workspace import Workspace

# A template's file name under templates/ ("rapport.md.j2"); a PDF's is its Typst template.
Template = str
# A format that is not text from a template (iCalendar): data and the timestamp → bytes.
Writer = Callable[[Any, datetime.datetime], "str | bytes"]


@dataclass
class Item:
    """A line of a list: a title, what happened, a note."""

    title: str
    what: str = ""
    note: str = ""
    href: str = ""  # the title's page, when it has one (a proposal's, on the residents' site)


@dataclass
class ActionLine:
    who: str
    what: str
    due: str
    done: str


def as_plain(data: object) -> Any:
    """JSON-ready data: `as_json()` when a dataclass has one, lists of them, dicts and scalars as they are."""
    as_json = getattr(data, "as_json", None)
    if callable(as_json):
        return as_json()
    if isinstance(data, (list, tuple)):
        return [as_plain(item) for item in data]
    if isinstance(data, Mapping):
        return {str(key): as_plain(value) for key, value in data.items()}
    return data


def json_text(data: object) -> str:
    """The JSON of a document's data, as `gasp … --format json` prints it."""
    return json.dumps(as_plain(data), ensure_ascii=False, indent=2) + "\n"


def _canonical(value: object) -> object:
    """Data in a form that serialises the same way whenever it is the same: type names kept."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, *(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value))]
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_canonical(item)) for item in value)
    if isinstance(value, Mapping):
        return [[repr(key), _canonical(item)] for key, item in value.items()]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def data_key(data: object, *context: str) -> str:
    """A hash of a document's data (and of what else shapes its bytes: templates, format, gasp's
    version): the same key, the same file. A no-op render compares keys, not renders."""
    return context_key(data_digest(data), *context)


def data_digest(data: object) -> bytes:
    """The digest of a document's data, serialised once for all its formats. Pickle writes every
    value of the view (views are plain dataclasses of strings, numbers and lists): different
    data never gives the same bytes; the same data built the same way gives the same bytes."""
    import pickle

    try:
        return hashlib.sha256(pickle.dumps(data, protocol=5)).digest()
    except (pickle.PicklingError, TypeError, AttributeError):
        payload = json.dumps(_canonical(data), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).digest()


def inputs_digest(inputs: object) -> bytes:
    """The digest of what a document is built from besides the records (its parameters): canonical
    JSON, so that the same parameters give the same digest in every process."""
    if isinstance(inputs, tuple) and all(isinstance(item, str) for item in inputs):
        # Strings only (a render's thousands of pages): their own encoding, apart from any JSON.
        return hashlib.sha256(b"\2" + "\0".join(inputs).encode("utf-8")).digest()
    payload = json.dumps(_canonical(inputs), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).digest()


def context_key(digest: bytes, *context: str) -> str:
    return hashlib.sha256(digest + "\0".join(context).encode("utf-8")).hexdigest()


def output(
    formats: Mapping[str, Template | Writer],
    output_format: str,
    data: object,
    templates: Path | None,
    timestamp: datetime.datetime,
) -> str | bytes:
    """One format of a document: JSON from the data, text from its template, PDF through Typst."""
    from ..render.documents import Renderer

    if output_format == "json":
        return json_text(data)
    template = formats[output_format]
    if not isinstance(template, str):
        return template(data, timestamp)
    renderer = Renderer(templates, timestamp)
    if output_format == "pdf":
        return renderer.pdf(template, data)
    return renderer.text(template, output_format, data)


def emit(
    formats: Mapping[str, Template | Writer],
    output_format: str,
    data: object,
    workspace: Workspace,
    out: Path | None,
    timestamp: datetime.datetime,
) -> None:
    """Write one format of a document to --out (whole or not at all) or to stdout."""
    from ..cli.common import write_output

    write_output(workspace, out, output(formats, output_format, data, workspace.templates, timestamp))
