"""`gasp render`: which documents, through which templates, and which are unchanged; nothing is written here."""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping

# Threads drive the PDF compilations (a small import, unlike Jinja or Typst, which a render
# with nothing to do never loads).
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents import registry
from .request import PDF_STANDARDS as PDF_STANDARDS  # re-exported: the render asks through this module
from .request import RenderRequest as RenderRequest

if TYPE_CHECKING:  # imported where they are used: a render with nothing to do needs neither Jinja nor Typst
    from concurrent.futures import Executor, Future

    import jinja2

    from ..documents.base import Document, Pending, Run, Writer
    from ..documents.dependencies import Dependencies
    from ..loader import Records
    from ..workspace import Workspace
    from .writer import Manifest, Narrowing

# The kinds of --only, and those a render of named meetings makes for them only: documents/registry.py.
KINDS = registry.names()
MEETING_KINDS = registry.meeting_kinds()
FORMATS = ("md", "html", "pdf")


class RenderError(Exception):
    """A document that cannot be produced; the message is French."""


_LIST_ITEMS_APART = re.compile(r"(^- [^\n]*)\n\n+(?=- )", re.MULTILINE)
_HEADING_TOO_CLOSE = re.compile(r"([^\n])\n(?=#{1,6} |={1,6} )")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Even blank lines in Markdown and Typst sources: tight lists, one blank line before headings."""
    text = _LIST_ITEMS_APART.sub(r"\1\n", text)
    text = _HEADING_TOO_CLOSE.sub(r"\1\n\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"


class Renderer:
    """Renders views through the templates of each format; compiles Typst into PDF."""

    def __init__(self, workspace_templates: Path | None, timestamp: datetime.datetime):
        self._templates = workspace_templates
        self._environments: dict[str, jinja2.Environment] = {}
        self.timestamp = timestamp

    def _environment(self, output_format: str) -> jinja2.Environment:
        from .environment import make_environment

        if output_format not in self._environments:
            self._environments[output_format] = make_environment(output_format, self._templates)
        return self._environments[output_format]

    def text(self, template: str, output_format: str, doc: object, **context: object) -> str:
        """`context`: more names for the template beside `doc` (the residents' site passes `site`)."""
        import jinja2
        from jinja2.exceptions import SecurityError

        from . import typography

        try:
            text = self._environment(output_format).get_template(template).render(doc=doc, **context)
            text = tidy(text) if output_format in ("md", "typ", "txt") else text
            return typography.apply(text, output_format) if output_format in ("md", "html", "typ") else text
        except jinja2.TemplateNotFound as error:
            raise RenderError(f"modèle « {error.name} » introuvable") from None
        except jinja2.TemplateSyntaxError as error:
            raise RenderError(
                f"modèle « {error.filename or error.name} », ligne {error.lineno} : {error.message}"
            ) from None
        except jinja2.UndefinedError as error:
            raise RenderError(f"modèle « {template} » : {error.message} (nom inconnu dans le modèle)") from None
        except SecurityError as error:
            raise RenderError(f"modèle « {template} » : {_refused(error)}") from None
        except jinja2.TemplateError as error:
            raise RenderError(f"modèle « {template} » : {error}") from None
        except RecursionError:
            raise RenderError(
                f"modèle « {template} » : il s’étend ou s’inclut lui-même, sans fin "
                "(« {% extends %} » ou « {% include %} » de son propre nom ? écrivez « gasp/<nom> » "
                "pour étendre le modèle par défaut)"
            ) from None
        except UnicodeDecodeError:
            raise RenderError(
                f"modèle « {template} » (ou un modèle qu’il utilise) : le fichier n’est pas en UTF-8 ; "
                "enregistrez-le en UTF-8"
            ) from None

    def compile_pdf(self, source: str, name: str) -> bytes:
        return compile_typst(source, name, int(self.timestamp.timestamp()), PDF_STANDARDS)

    def pdf(self, template: str, doc: object) -> bytes:
        return self.compile_pdf(self.text(template, "typ", doc), template)


def _refused(error: Exception) -> str:
    """Jinja's sandbox refusal, in French: what the template tried to reach."""
    found = re.search(r"attribute '([^']*)' of '([^']*)'", str(error))
    if found:
        return (
            f"accès à « {found[1]} » (d’un objet {found[2]}) refusé : un modèle met en forme les valeurs "
            "que gasp lui donne, il n’atteint pas les rouages de Python (voir SECURITY.md)"
        )
    return "opération refusée à un modèle, qui ne fait que mettre en forme (voir SECURITY.md)"


MANIFEST = ".gasp-manifest.json"


def compile_typst(source: str, name: str, timestamp: int, standards: tuple[str, ...]) -> bytes:
    """A Typst source into PDF bytes (a top-level function: a worker process can run it)."""
    import typst

    from .typst_worker import typst_root

    try:
        return typst.compile(  # type: ignore[type-var]  # the stub ties `root` to the type of `input` (bytes here)
            source.encode("utf-8"),
            root=typst_root(),
            ignore_system_fonts=True,
            pdf_standards=list(standards),  # type: ignore[arg-type]  # profile names from RenderRequest; typst rejects unknown ones itself
            timestamp=timestamp,
        )
    except typst.TypstError as error:
        raise RenderError(f"la mise en page PDF (Typst) de « {name} » a échoué : {error}") from None


# Typst keeps what it laid out for its last ten compilations (typst-py evicts older entries
# after each one): in the process that compiles, memory follows the largest documents. A
# large render compiles its PDFs in small processes of their own (`typst_worker`: Typst and
# nothing of gasp), each replaced once its memory passes WORKER_BUDGET, and in one
# process only, so that the render's whole tree (gasp and its worker) stays small; gasp
# itself lays out the next sources meanwhile, so both cores work.
PROCESSES_FROM = 100  # documents in a render
WORKER_PROCESSES = 1
WORKER_BUDGET = 60 * 1024 * 1024  # bytes of resident memory after a compilation
# A long source (a dossier, the suivi, a report of many pages) compiles in a new process, which
# ends after it: what Typst kept of the previous ones does not add to what it needs.
FRESH_FROM = 64 * 1024  # bytes of Typst source


class Previous:
    """What the last render left in out/: its manifest (the data key of each file) and its files.

    `Previous(None)` is a first render: nothing to reuse. Only a regular file the manifest
    says is gasp's, whose key is the same, and which is still as gasp wrote it (its
    signature), is kept as it is.
    """

    def __init__(
        self, out: Path | None, manifest: Manifest | None = None, statuses: Mapping[str, os.stat_result] | None = None
    ):
        """`manifest`: out/'s, when the caller has read it already; `statuses`: the status of each of
        gasp's regular files in out/, when the caller has looked at them already (writer.Session)."""
        from .writer import read_manifest

        self.out = out
        if manifest is None and out is not None:
            manifest = read_manifest(out)
        self.keys: dict[str, str] = manifest.data_keys if manifest else {}
        self.files: set[str] = manifest.files if manifest else set()  # gasp's files in out/
        self._owned = self.files
        self._signatures = manifest.signatures if manifest else {}
        self._since = manifest.written_at if manifest else 0
        self.input_keys: dict[str, str] = manifest.input_keys if manifest else {}
        self.narrowing = manifest.narrowing if manifest else None
        self._links: dict[str, bool] = {}
        self._statuses = statuses

    @property
    def sections(self) -> dict[str, list[str]]:
        """The site's search sections as the last render made them (section → its pages under public/)."""
        return self.narrowing.sections if self.narrowing is not None else {}

    def unchanged(self, path: str, key: str) -> bool:
        from .writer import as_written

        if self.out is None or self.keys.get(path) != key or path not in self._owned:
            return False
        full = f"{self.out}{os.sep}{path}"
        try:
            status = os.lstat(full) if self._statuses is None else self._statuses[path]
            return (
                stat.S_ISREG(status.st_mode)
                and not self._through_link(path.rpartition("/")[0])
                and as_written(full, status, self._signatures.get(path), self._since)
            )
        except (OSError, KeyError):  # KeyError: not a regular file of gasp's when the session began
            return False

    def all_unchanged(self, paths: list[str]) -> bool:
        """Whether each of these files is as the last render left it (`unchanged` with its own key):
        for thousands of files, each status as the session found it, and the bytes read only of a
        file whose status changed since."""
        statuses, signatures, since, keys = self._statuses, self._signatures, self._since, self.keys
        if statuses is None:
            return all(path in keys and self.unchanged(path, keys[path]) for path in paths)
        for path in paths:
            status = statuses.get(path)  # a regular file of gasp's, in a real folder, when the session began
            if status is None or path not in keys or path not in self._owned:
                return False
            signature = signatures.get(path)
            if signature is None or (status.st_size == signature[0] and status.st_ctime_ns < since):
                continue
            if not self.unchanged(path, keys[path]):
                return False
        return True

    def _through_link(self, folder: str) -> bool:
        """Whether a folder under out/ (path relative to it, "" for out/ itself) is, or is inside, a symlink."""
        if not folder:
            return False
        if folder not in self._links:
            self._links[folder] = os.path.islink(f"{self.out}{os.sep}{folder}") or self._through_link(
                folder.rpartition("/")[0]
            )
        return self._links[folder]


class Progress:
    """Counts the documents as they are made; the command line draws it on a terminal."""

    def add(self, steps: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass


def answered_by(request: RenderRequest, every_meeting: bool) -> Callable[[str], bool]:
    """Which paths under out/ a render answers for: an owned file among them that the render
    did not produce is no longer a document (a deleted meeting's compte rendu), and goes.

    A partial render answers only for what it was asked: `--only guides` leaves the comptes
    rendus alone, `--format md` the HTML and PDF, a render of named meetings the others.
    A folder of no kind (a document of a later gasp) is answered for by a full render only.
    """

    kinds, meeting_kinds, folder_kinds = registry.names(), registry.meeting_kinds(), registry.folder_kinds()
    web = {kind.name for kind in registry.kinds() if kind.web}

    def answers_for(path: str) -> bool:
        extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        if extension in FORMATS and extension not in request.formats:
            return False
        kind = folder_kinds.get(path.split("/", 1)[0]) if "/" in path else None
        if kind in web and extension not in FORMATS and "html" not in request.formats:
            return False  # the site's search index and calendar come with its pages (html)
        if kind is None:
            return set(request.kinds) == set(kinds) and every_meeting
        if kind not in request.kinds:
            return False
        return every_meeting or kind not in meeting_kinds

    return answers_for


Sink = Callable[[str, "bytes | None"], None]


class _Producer:
    """Makes each document's files and hands each to `sink` as soon as it is made (nothing is held
    for the whole render), or hands None when its data key has not changed: kept as it is.
    PDFs compile two at a time (Typst lets go of the GIL), or in one worker process for a large
    render, a few in flight at most."""

    def __init__(
        self,
        renderer: Renderer,
        previous: Previous,
        fingerprint: str,
        formats: tuple[str, ...],
        progress: Progress,
        sink: Sink,
        inputs: str = "",
    ):
        self.renderer, self.previous, self.fingerprint = renderer, previous, fingerprint
        self.formats, self.progress, self.sink = formats, progress, sink
        self.inputs = inputs  # render/inputs.py setting_fingerprint: "" when not known (no input keys)
        self.dependencies: Dependencies | None = None  # set by render_documents
        self.paths: list[str] = []
        self.keys: dict[str, str] = {}
        self.input_keys: dict[str, str] = {}
        # The site's search sections (section → its pages), as documents/site.py made them: kept in the
        # manifest for a later render that remakes some pages only (`_produce_narrow`).
        self.sections: dict[str, list[str]] = {}
        self.pending: list[Pending] = []  # started, finished at the end of a narrow render (`later`)
        self.keep_sink: Callable[[list[str]], None] | None = None  # the sink's own `keep`, when it has one
        self._workers = max(1, min(4, os.cpu_count() or 1))
        self._pool: Executor | None = None
        self._timestamp = int(renderer.timestamp.timestamp())
        self._in_flight: collections.deque[tuple[str, Future[bytes]]] = collections.deque()

    def put(self, path: str, payload: bytes | None) -> None:
        self.paths.append(path)
        self.sink(path, payload)

    def keep(self, paths: list[str]) -> None:
        """Files unchanged since the last render, kept as they are: `put(path, None)` for each, at once."""
        self.paths.extend(paths)
        if self.keep_sink is not None:
            self.keep_sink(paths)
        else:
            for path in paths:
                self.sink(path, None)

    def later(self, work: Pending) -> None:
        """Work to finish once the render's other work is done (`_produce_narrow`)."""
        self.pending.append(work)

    def ics(
        self,
        path: str,
        rows: list[Any] | Callable[[], list[Any]],
        records: Records,
        title: str,
        timestamp: datetime.datetime,
        derived: dict[str, Any],
        inputs: str = "",
    ) -> None:
        """An iCalendar file, made again only when its data key changed: its rows, the proposals awaiting
        a decision at each, the meetings they show and the records every document reads, its title, its time.
        With `inputs` (the key of the record files it reads, documents/dependencies.py), `rows` may be
        the function that makes them: nothing is made when the file's input key is the last render's."""
        from ..documents import calendrier
        from ..documents.base import context_key, data_digest, inputs_digest

        if inputs and self.inputs:
            input_key = context_key(
                inputs_digest((path, inputs, title, timestamp.isoformat())), "ics", self.fingerprint, self.inputs
            )
            self.input_keys[path] = input_key
            old = self.previous.keys.get(path)
            if (
                old is not None
                and self.previous.input_keys.get(path) == input_key
                and self.previous.unchanged(path, old)
            ):
                self.keys[path] = old
                self.put(path, None)
                return
        rows = rows() if callable(rows) else rows
        awaiting = calendrier.awaiting_decision(records, rows, derived)
        deps = self.dependencies
        # What as_ics reads of the records besides the rows: cancellations' reasons, and the records every document reads.
        reasons = [calendrier.cancel_reason(records, row) for row in rows]
        key = context_key(
            data_digest((rows, reasons, sorted(awaiting.items()), title, timestamp.isoformat())),
            "ics",
            self.fingerprint,
            deps.everything_common() if deps is not None else "",
        )
        self.keys[path] = key
        if self.previous.unchanged(path, key):
            self.put(path, None)
        else:
            self.put(path, calendrier.as_ics(rows, records, title, timestamp, derived, awaiting))

    def document(
        self, stem: str, formats: dict[str, str], data: object, label: str, inputs: tuple[object, ...] | None = None
    ) -> None:
        """One document's files. With `inputs` (its parameters and the key of the record files it
        reads, documents/dependencies.py; the day too when it depends on the day), `data` is the function
        that builds it, called only when some file's input key has changed."""
        from ..documents.base import context_key, data_digest, inputs_digest

        wanted = [output_format for output_format in self.formats if output_format in formats]
        kept: set[str] = set()
        if inputs is not None:
            if self.inputs:
                given = inputs_digest(inputs)
                for output_format in wanted:
                    path = f"{stem}.{output_format}"
                    input_key = context_key(given, output_format, formats[output_format], self.fingerprint, self.inputs)
                    self.input_keys[path] = input_key
                    previous = self.previous.keys.get(path)
                    if (
                        previous is not None
                        and self.previous.input_keys.get(path) == input_key
                        and self.previous.unchanged(path, previous)
                    ):
                        self.keys[path] = previous
                        self.put(path, None)
                        kept.add(output_format)
            if len(kept) == len(wanted):
                self.progress.advance(label)
                return
            assert callable(data)
            data = data()
        digest = data_digest(data)
        for output_format in wanted:
            if output_format in kept:
                continue
            path = f"{stem}.{output_format}"
            key = context_key(digest, output_format, formats[output_format], self.fingerprint)
            self.keys[path] = key
            if self.previous.unchanged(path, key):
                self.put(path, None)
            elif output_format == "pdf":
                template = formats[output_format]
                source = self.renderer.text(template, "typ", data)
                job = self.pool().submit(compile_typst, source, template, self._timestamp, PDF_STANDARDS)
                self._in_flight.append((path, job))
                while len(self._in_flight) > 2 * self._workers:
                    self._collect_one()
            else:
                self.put(path, self.renderer.text(formats[output_format], output_format, data).encode("utf-8"))
        self.progress.advance(label)

    def expect(self, documents: int) -> None:
        """How many documents the render makes: a large one compiles its PDFs in worker processes."""
        self._large = documents >= PROCESSES_FROM

    def pool(self) -> Executor:
        if self._pool is None:
            self._pool = _pdf_pool(self._workers, getattr(self, "_large", False))
        return self._pool

    def _collect_one(self) -> None:
        path, future = self._in_flight.popleft()
        self.put(path, future.result())

    def close(self) -> None:
        """Wait for the PDFs still compiling; on an error, drop the others."""
        try:
            while self._in_flight:
                self._collect_one()
        finally:
            for _, future in self._in_flight:
                future.cancel()
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def _pdf_pool(workers: int, large: bool) -> Executor:
    """Threads for a small render (Typst lets go of the GIL); worker processes for a large one."""
    return _WorkerProcesses(WORKER_PROCESSES) if large else ThreadPoolExecutor(max_workers=workers)


class _WorkerProcesses(ThreadPoolExecutor):
    """Runs `compile_typst` in `typst_worker` processes: each thread of the pool drives one,
    and starts a new one when it has stopped or grown past WORKER_BUDGET, and for a long source."""

    def __init__(self, workers: int):
        import threading

        super().__init__(max_workers=workers)
        self._mine = threading.local()
        self._lock = threading.Lock()
        self._processes: list[subprocess.Popen[bytes]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if fn is not compile_typst:
            return super().submit(fn, *args, **kwargs)
        return super().submit(self._compile, *args, **kwargs)

    def _process(self) -> subprocess.Popen[bytes] | None:
        """This thread's process, started if need be; None where no process can be started."""
        process: subprocess.Popen[bytes] | None = getattr(self._mine, "process", None)
        if process is None or process.poll() is not None:
            try:
                process = subprocess.Popen(
                    [sys.executable, "-m", "gasp_cli.render.typst_worker"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except (OSError, ValueError):
                return None
            self._mine.process = process
            with self._lock:
                self._processes.append(process)
        return process

    def _compile(self, source: str, name: str, timestamp: int, standards: tuple[str, ...]) -> bytes:
        import json

        data = source.encode("utf-8")
        fresh = len(data) >= FRESH_FROM
        current: subprocess.Popen[bytes] | None = getattr(self._mine, "process", None)
        if fresh and current is not None:
            self._retire(current)
        process = self._process()
        if process is None:  # no worker processes here: this thread, and the memory Typst keeps
            return compile_typst(source, name, timestamp, standards)
        assert process.stdin is not None and process.stdout is not None  # both are pipes
        try:
            process.stdin.write(
                json.dumps({"length": len(data), "timestamp": timestamp, "standards": list(standards)}).encode()
                + b"\n"
                + data
            )
            process.stdin.flush()
            answer = json.loads(process.stdout.readline() or b"null")
            payload = process.stdout.read(answer["length"]) if answer else b""
        except (OSError, ValueError):
            answer, payload = None, b""
        if not answer or len(payload) != answer["length"]:
            self._retire(process)
            raise RenderError(
                f"la mise en page PDF (Typst) de « {name} » s’est arrêtée en chemin (code {process.poll()})"
            )
        if fresh or answer["resident"] * 1024 > WORKER_BUDGET:
            self._retire(process)
        if not answer["ok"]:
            raise RenderError(f"la mise en page PDF (Typst) de « {name} » a échoué : {payload.decode('utf-8')}")
        return payload

    def _retire(self, process: subprocess.Popen[bytes]) -> None:
        """End a process (closing its input ends it); this thread's next compilation starts another."""
        self._mine.process = None
        with self._lock:
            if process in self._processes:
                self._processes.remove(process)
        _end(process)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        with self._lock:
            processes, self._processes = self._processes, []
        for process in processes:
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


def render_documents(
    records: Records,
    request: RenderRequest,
    workspace_templates: Path | None,
    previous: Previous | None = None,
    progress: Progress | None = None,
    sink: Sink | None = None,
    inputs: str = "",
    input_keys: dict[str, str] | None = None,
    narrowing: Narrowing | None = None,
    narrow: bool = True,
    keep: Callable[[list[str]], None] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Every file of the request, handed to `sink` as it is made (path under out/, bytes; None when
    unchanged since the last render); returns the paths, and the data key of each document's file.
    `inputs`: render/inputs.py `inputs_fingerprint`, with which a document that does not depend on
    the day is kept without being built; `input_keys` receives the input key of each of its files.
    `narrowing`: this render's (a render of every meeting), which receives the site's sections; when
    the last render's has the same key, only the documents of the meetings whose discussion changed
    are made, and every other file is kept (`_produce_narrow`), unless `narrow` is False. `keep`: what
    `sink(path, None)` does, for many paths at once (writer.Session.keep)."""

    from ..documents.dependencies import Dependencies
    from .inputs import setting_fingerprint, templates_fingerprint

    progress = progress or Progress()
    # With `inputs` known, each document's input key names the record files it reads (dependencies.py).
    setting = setting_fingerprint(records, workspace_templates) if inputs else ""
    producer = _Producer(
        Renderer(workspace_templates, request.timestamp),
        previous or Previous(None),
        templates_fingerprint(workspace_templates),
        request.formats,
        progress,
        sink or (lambda path, payload: None),
        setting,
    )
    producer.dependencies = Dependencies(records, setting)
    producer.keep_sink = keep
    try:
        narrowed = _narrowed(producer.previous, narrowing) if setting and narrow else None
        if narrowed is None or not _produce_narrow(records, request, producer, progress, narrowed):
            _produce(records, request, producer, progress)
    finally:
        producer.close()
    if narrowing is not None:
        narrowing.sections = producer.sections
    if input_keys is not None:
        input_keys.update(producer.input_keys)
        if setting:
            # What out/index.html's entries read of the records (titles, dates): `render_index` adds the list of files.
            input_keys["index.html"] = producer.dependencies.everything("index")
    return producer.paths, producer.keys


def _produce(records: Records, request: RenderRequest, producer: _Producer, progress: Progress) -> None:
    """Every kind the request asks, in the order of documents/registry.py (`in_order`): its module
    hands over its outputs, which the producer makes, or makes its files itself (`produce`)."""
    from .. import facts
    from ..documents.base import Run, outputs

    # The one derivation every document of the run reads.
    run = Run(records, request, facts.of(records).histories, _dependencies(producer))
    chosen = [registry.document(kind.module) for kind in registry.in_order(request.kinds)]
    # Each module's outputs, listed before any is made (a builder runs only when its document is made).
    planned = [
        (getattr(module, "produce", None), getattr(module, "count", None), list(outputs(module, run)))
        for module in chosen
    ]
    documents = sum(count(run) if count is not None else len(made) for _, count, made in planned)
    progress.add(documents)
    producer.expect(documents)
    for produce, _, made in planned:
        if produce is not None:
            produce(run, producer)
        for output in made:
            producer.document(output.stem, dict(output.formats), output.data, output.label, output.inputs)


def _narrowed(previous: Previous, narrowing: Narrowing | None) -> frozenset[str] | None:
    """The meetings whose discussion alone changed since the last render, when nothing else did (the
    same render but for discussions: same request, days, code, templates, and every record file the
    same but for its discussion); None otherwise."""
    before = previous.narrowing
    if narrowing is None or before is None or not narrowing.key or before.key != narrowing.key:
        return None
    old, new = before.discussions, narrowing.discussions
    if old.keys() != new.keys():  # a discussion added or removed changes a file's outline: not here
        return None
    return frozenset(mid for mid, digest in new.items() if old[mid] != digest)


def _produce_narrow(
    records: Records, request: RenderRequest, producer: _Producer, progress: Progress, meetings: frozenset[str]
) -> bool:
    """The render when only some meetings' discussions changed since the last one (`_narrowed`):
    a discussion is read by its own meeting's documents only (documents/dependencies.py: every other
    input key reads the meeting's file without it), so those are made as in any render (the kinds
    made per meeting, and their pages on the site with their search section), and every other file
    the last render made is kept with its keys, without a key being computed again: what an edit of
    a discussion, the secretary's most frequent one, costs does not grow with the history.

    False, with nothing handed over, when a module cannot make its files alone (a site without
    search): the caller makes the render in full. NotNarrow, once files were handed over (a file to
    keep was changed by hand, Pagefind failed at the end): the caller makes the render again, in full."""
    from .. import facts
    from ..documents.base import NotNarrow, Run

    previous = producer.previous
    narrow = dataclasses.replace(request, meeting_ids=sorted(meetings.intersection(request.meeting_ids)))
    run = Run(records, narrow, facts.of(records).histories, _dependencies(producer))
    chosen = [
        (kind, registry.document(kind.module))
        for kind in registry.in_order(request.kinds)
        if kind.per_meeting or kind.narrow
    ]
    # A module that makes its own files says which of them these discussions change (the site: the
    # pages of these meetings, and their search sections), raising NotNarrow before it hands any over.
    made: set[str] = set()
    try:
        for _, module in chosen:
            produce = getattr(module, "produce_narrow", None)
            if produce is not None:
                made |= produce(run, producer)
    except NotNarrow:  # nothing handed over yet: what it noted goes, and the render is made in full
        _cancel(producer)
        producer.keys.clear()
        producer.input_keys.clear()
        producer.sections.clear()
        return False
    try:
        # Pagefind runs meanwhile. Every file kept must be as the last render left it: else (one changed
        # by hand) the render is made again, in full, nothing of this one written.
        answers = answered_by(request, every_meeting=True)
        kept = sorted(path for path in previous.files if path != "index.html" and answers(path))
        if not previous.all_unchanged(kept):
            raise NotNarrow
        _produce_kept(producer, progress, run, chosen, kept, made)
        # What was started meanwhile (Pagefind on a section), finished now that the rest is done.
        while producer.pending:
            producer.pending.pop(0).finish()
    except BaseException:
        _cancel(producer)
        raise
    return True


def _cancel(producer: _Producer) -> None:
    while producer.pending:
        producer.pending.pop().cancel()


def _produce_kept(
    producer: _Producer,
    progress: Progress,
    run: Run,
    chosen: list[tuple[registry.Kind, Document]],
    kept: list[str],
    made: set[str],
) -> None:
    """The documents of the run's meetings (the kinds made per meeting), then every other file the
    last render made, kept with its keys (`_produce_narrow`)."""
    from ..documents.base import outputs

    previous = producer.previous
    planned = [output for kind, module in chosen if kind.per_meeting for output in outputs(module, run)]
    progress.add(len(planned))
    for output in planned:
        producer.document(output.stem, dict(output.formats), output.data, output.label, output.inputs)
        # Its files, put now or once compiled (a PDF is put when it is collected).
        made.update(f"{output.stem}.{f}" for f in producer.formats if f in output.formats)
    others = [path for path in kept if path not in made]
    keys, input_keys, old_inputs = producer.keys, producer.input_keys, previous.input_keys
    for path in others:
        keys[path] = previous.keys[path]
        if path in old_inputs:
            input_keys[path] = old_inputs[path]
    producer.keep(others)


def _dependencies(producer: _Producer) -> Dependencies:
    deps = producer.dependencies
    assert deps is not None  # set by render_documents
    return deps


def render_index(
    records: Records,
    paths: list[str],
    today: datetime.date,
    workspace_templates: Path | None,
    previous: Previous | None = None,
    keys: dict[str, str] | None = None,
    input_keys: dict[str, str] | None = None,
) -> bytes | None:
    """out/index.html; None when its data key (kept in `keys`) is the last render's and the file is as
    it was left (a large out/ lists thousands of files: their template is not run again). With the
    key of what its entries read in `input_keys` (`render_documents`), it is not even built when
    that key, the files listed and the day are the last render's; `input_keys` then receives its input key."""
    from ..documents import index
    from ..documents.base import data_key, inputs_digest
    from .inputs import templates_fingerprint

    if input_keys is not None and "index.html" in input_keys:
        # The files it lists, not every file (the search index's names change with its contents).
        shown = index.listed(paths)
        input_key = inputs_digest(("index.html", input_keys["index.html"], today.isoformat(), *shown)).hex()
        input_keys["index.html"] = input_key
        old = previous.keys.get("index.html") if previous is not None else None
        if (
            keys is not None
            and previous is not None
            and old is not None
            and previous.input_keys.get("index.html") == input_key
            and previous.unchanged("index.html", old)
        ):
            keys["index.html"] = old
            return None
    page = index.build(records, paths, today)
    key = data_key(page, "html", index.FORMATS["html"], templates_fingerprint(workspace_templates))
    if keys is not None:
        keys["index.html"] = key
        if previous is not None and previous.unchanged("index.html", key):
            return None
    renderer = Renderer(workspace_templates, datetime.datetime.now(datetime.UTC))
    return renderer.text(index.FORMATS["html"], "html", page).encode("utf-8")


def output(
    formats: Mapping[str, str | Writer],
    output_format: str,
    data: object,
    templates: Path | None,
    timestamp: datetime.datetime,
) -> str | bytes:
    """One format of a document: JSON from the data, text from its template, PDF through Typst."""
    from ..documents.base import json_text

    if output_format == "json":
        return json_text(data)
    template = formats[output_format]
    if not isinstance(template, str):
        made: str | bytes = template(data, timestamp)
        return made
    renderer = Renderer(templates, timestamp)
    if output_format == "pdf":
        return renderer.pdf(template, data)
    return renderer.text(template, output_format, data)


def emit(
    formats: Mapping[str, str | Writer],
    output_format: str,
    data: object,
    workspace: Workspace,
    out: Path | None,
    timestamp: datetime.datetime,
) -> None:
    """Write one format of a document to --out (whole or not at all) or to stdout."""
    from ..cli.common import write_output

    write_output(workspace, out, output(formats, output_format, data, workspace.templates, timestamp))
