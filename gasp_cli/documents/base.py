"""What every document has: a build step (records, day → data) and a table of formats (format → template).

A document module says `FORMATS = {"md": "x.md.j2", "html": "x.html.j2", "pdf": "x.typ.j2"}`:
a new format is one template and one line in that table. What `gasp render` makes of it is what
the module tells the render (`Run` in, `Output`s out: see `Document`), once its kind has its line
in documents/registry.py. JSON is the data itself
(`as_json()` of a dataclass, or a list of them), never text parsed back. The terminal
(Rich) is Python, in the document's `show`. `render.documents.emit` is the one way cli/* turns
data into a format; `data_key` is what a render compares to skip a document whose data did not change.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from pathlib import Path

    from ..lifecycle import History
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

    @property
    def sections(self) -> dict[str, list[str]]: ...

    def unchanged(self, path: str, key: str) -> bool: ...


class Counter(Protocol):
    """The render's progress (render.documents.Progress)."""

    def add(self, steps: int) -> None: ...

    def advance(self, label: str) -> None: ...


class Request(Protocol):
    """What a document reads of a render's request (render.documents.RenderRequest)."""

    @property
    def meeting_ids(self) -> list[str]: ...

    @property
    def formats(self) -> tuple[str, ...]: ...

    @property
    def today(self) -> datetime.date: ...

    @property
    def edition_date(self) -> datetime.date: ...

    @property
    def timestamp(self) -> datetime.datetime: ...


class Pending(Protocol):
    """Work a document started (the site: Pagefind indexing a section) that the render finishes once its
    other work is done (render/documents.py `_produce_narrow`), or cancels when it fails."""

    def finish(self) -> None: ...

    def cancel(self) -> None: ...


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

    @property
    def sections(self) -> dict[str, list[str]]: ...

    def later(self, work: Pending) -> None: ...

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
class Run:
    """What every document of a render is made from, computed once for all of them: the records,
    the request, the proposals' histories and the record files each input key reads. On the
    residents' site, the records are the public ones (gasp_cli/public.py) and `published` names
    the proposals that have a page there; off the site it is None."""

    records: Records
    request: Request
    derived: dict[str, History]
    dependencies: Dependencies
    published: frozenset[str] | None = None
    # The meetings whose pages alone the site makes again (render/documents.py `_produce_narrow`:
    # their discussion changed, nothing else did); None for every meeting.
    meetings: frozenset[str] | None = None

    def shows(self, meeting_id: str) -> bool:
        """Whether the site's pages of this meeting are made in this run (`meetings`)."""
        return self.meetings is None or meeting_id in self.meetings


@dataclass(frozen=True)
class Output:
    """One document's files, as its module hands them to the render: `stem` under out/ (its
    folder and name; the format adds the extension), its formats (format → template; the render
    makes those of the request it has), its data and the label of the progress bar.

    With `inputs` (its parameters and the key of the record files it reads, documents/dependencies.py;
    the day too when it depends on the day), `data` is the function that builds it, called only
    when some file's input key has changed; without, `data` is the data, built every render."""

    stem: str
    formats: Mapping[str, Template]
    data: object
    label: str
    inputs: tuple[object, ...] | None = None


@dataclass
class Page:
    """One page of the residents' site (documents/site.py): its path under public/, its site template,
    how its data is built, its PDF (Typst template or ""), and the key of the record files it reads
    (documents/dependencies.py): a page whose key has not changed is kept without its data being built."""

    path: str
    template: Template
    build: Callable[[], object]
    pdf: Template = ""
    inputs: str = ""
    # Its search index: a year's ("2002"), or "" for the general pages' (documents/site.py, GENERAL).
    section: str = ""

    @functools.cached_property
    def data(self) -> object:
        return self.build()


class Document(Protocol):
    """What a document's module offers the render, which reaches it through its line in
    documents/registry.py (`Kind.module`) and never names it:

    - `outputs(run)`: each document's files, one `Output` at a time (the render counts them for its
      progress bar, and a large render compiles its PDFs in worker processes); a module that makes
      files other than from templates (the calendar's iCalendar file, the residents' site) has
      instead `produce(run, producer)`, which hands them to the render's producer itself, and
      `count(run)`, how many documents it makes; and, when some of those files show a meeting's
      discussion, `produce_narrow(run, producer)`: only those of `run.request.meeting_ids` (whose
      discussion alone changed since the last render), handed over as `produce` does, and the set of
      paths it answered for (render/documents.py `_produce_narrow` keeps every other file); it raises
      `NotNarrow`, before handing anything over, when it cannot;
    - `entry(records, name, today)`: the title and date out/index.html shows for its file `name`
      (without folder nor extension), or None;
    - `site_pages(run)`, when its kind is public and its pages on the residents' site are not
      its HTML as it is (a public variant, fewer of them): the `Page`s of out/public/. Without,
      a public kind's site pages are its outputs' HTML, built from the public records.
    """

    def entry(self, records: Records, name: str, today: datetime.date) -> tuple[str, str] | None: ...


def outputs(document: object, run: Run) -> Iterable[Output]:
    """A module's outputs (none when it produces its files itself)."""
    made: Iterable[Output] = getattr(document, "outputs", lambda run: ())(run)
    return made


def site_pages(document: object, run: Run) -> Iterable[Page]:
    """A public kind's pages on the residents' site: its own `site_pages`, or else the HTML of each
    of its outputs (with its PDF) at the same place under public/."""
    own = getattr(document, "site_pages", None)
    if own is not None:
        pages: Iterable[Page] = own(run)
        return pages
    return (
        Page(
            f"{output.stem}.html",
            output.formats["html"],
            cast("Callable[[], object]", output.data)  # a builder when it has inputs (Output's rule)
            if output.inputs is not None
            else functools.partial(_given, output.data),
            output.formats.get("pdf", ""),
            inputs=inputs_digest(output.inputs).hex() if output.inputs is not None else "",
        )
        for output in outputs(document, run)
        if "html" in output.formats
    )


def _given(data: object) -> object:
    return data


class NotNarrow(Exception):
    """A module's `produce_narrow` cannot make only the files some discussions change (render/documents.py
    `_produce_narrow`): the render is made in full."""


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
