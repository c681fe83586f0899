"""What every document has: a build step (records, day → data) and a table of formats (format → template).

A document module says `FORMATS = {"md": "x.md.j2", "html": "x.html.j2", "pdf": "x.typ.j2"}`:
a new format is one template and one line in that table. JSON is the data itself
(`as_json()` of a dataclass, or a list of them), never text parsed back. The terminal
(Rich) is Python, in the document's `show`. `render.documents.emit` is the one way cli/* turns
data into a format; `data_key` is what a render compares to skip a document whose data did not change.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from ..loader import Records
    from .dependencies import Dependencies

# A template's file name under templates/ ("rapport.md.j2"); a PDF's is its Typst template.
Template = str
# A format that is not text from a template (iCalendar): data and the timestamp → bytes.
Writer = Callable[[Any, datetime.datetime], "str | bytes"]


class TextRenderer(Protocol):
    """What a document needs of a renderer (render.documents.Renderer): documents/ never imports render/."""

    timestamp: datetime.datetime

    def text(self, template: str, output_format: str, doc: object, **context: object) -> str: ...

    def pdf(self, template: str, doc: object) -> bytes: ...


class Kept(Protocol):
    """What the last render left in out/ (render.documents.Previous): its keys, its files."""

    @property
    def out(self) -> Path | None: ...

    @property
    def keys(self) -> dict[str, str]: ...

    @property
    def input_keys(self) -> dict[str, str]: ...

    @property
    def files(self) -> set[str]: ...

    def unchanged(self, path: str, key: str) -> bool: ...


class Counter(Protocol):
    """The render's progress (render.documents.Progress)."""

    def add(self, steps: int) -> None: ...

    def advance(self, label: str) -> None: ...


class Request(Protocol):
    """What a document reads of a render's request (render.documents.RenderRequest)."""

    @property
    def formats(self) -> tuple[str, ...]: ...

    @property
    def today(self) -> datetime.date: ...

    @property
    def edition_date(self) -> datetime.date: ...

    @property
    def timestamp(self) -> datetime.datetime: ...


class Producer(Protocol):
    """The render's producer (render.documents._Producer), as a document that makes its own files
    (the residents' site) uses it: documents/ receives it, and never imports render/."""

    @property
    def renderer(self) -> TextRenderer: ...

    @property
    def previous(self) -> Kept: ...

    @property
    def progress(self) -> Counter: ...

    @property
    def dependencies(self) -> Dependencies | None: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def inputs(self) -> str: ...

    @property
    def keys(self) -> dict[str, str]: ...

    @property
    def input_keys(self) -> dict[str, str]: ...

    def put(self, path: str, payload: bytes | None) -> None: ...

    def document(
        self, stem: str, formats: dict[str, str], data: object, label: str, inputs: tuple[object, ...] | None = None
    ) -> None: ...

    def ics(
        self,
        path: str,
        rows: list[Any] | Callable[[], list[Any]],
        records: Records,
        title: str,
        timestamp: datetime.datetime,
        derived: dict[str, Any],
        inputs: str = "",
    ) -> None: ...


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
