"""Every document of `gasp render`, as bytes by path under out/; nothing is written here."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..calendar import Holidays, Row, calendar_rows, holidays_for
from ..calendar_formats import as_ics
from ..lifecycle import histories
from ..loader import Records
from . import views
from .environment import make_environment

KINDS = ("comptes-rendus", "guides", "dossier", "calendrier", "rapport", "propositions", "suivi")
FORMATS = ("md", "html", "pdf")
# Every PDF is PDF/UA-1 (accessible: tagged, header cells, alt text, title shown) and
# PDF/A-2a (archivable, level A: tagged, Unicode text). Typst refuses what breaks either.
PDF_STANDARDS = ("ua-1", "a-2a")


class RenderError(Exception):
    """A document that cannot be produced; the message is French."""


@dataclass
class RenderRequest:
    meeting_ids: list[str]
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    today: datetime.date  # the day the records are judged on
    edition_date: datetime.date  # the date printed on the guides and the index
    timestamp: datetime.datetime


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
        self._timestamp = timestamp
        self.pending_pdfs: dict[str, tuple[str, str]] = {}  # path → (Typst source, template name)

    def _environment(self, output_format: str) -> jinja2.Environment:
        if output_format not in self._environments:
            self._environments[output_format] = make_environment(output_format, self._templates)
        return self._environments[output_format]

    def text(self, template: str, output_format: str, doc: object) -> str:
        try:
            text = self._environment(output_format).get_template(template).render(doc=doc)
            return tidy(text) if output_format in ("md", "typ") else text
        except jinja2.TemplateNotFound as error:
            raise RenderError(f"modèle « {error.name} » introuvable") from None
        except jinja2.TemplateSyntaxError as error:
            raise RenderError(f"modèle « {error.filename or error.name} », ligne {error.lineno} : {error.message}") from None
        except jinja2.UndefinedError as error:
            raise RenderError(f"modèle « {template} » : {error.message} (nom inconnu dans le modèle)") from None
        except jinja2.TemplateError as error:
            raise RenderError(f"modèle « {template} » : {error}") from None

    def compile_pdf(self, source: str, name: str) -> bytes:
        import typst

        try:
            return typst.compile(source.encode("utf-8"), ignore_system_fonts=True, pdf_standards=list(PDF_STANDARDS),
                                 timestamp=int(self._timestamp.timestamp()))
        except typst.TypstError as error:
            raise RenderError(f"la mise en page PDF (Typst) de « {name} » a échoué : {error}") from None

    def pdf(self, template: str, doc: object) -> bytes:
        return self.compile_pdf(self.text(template, "typ", doc), template)

    def document(self, stem: str, template: str, doc: object, formats: tuple[str, ...]) -> dict[str, bytes]:
        """`stem`.md / .html from their templates; the .pdf's Typst source is kept for `compile_all`."""
        files: dict[str, bytes] = {}
        for output_format in formats:
            if output_format == "pdf":
                self.pending_pdfs[f"{stem}.pdf"] = (self.text(f"{template}.typ.j2", "typ", doc), f"{template}.typ.j2")
            else:
                files[f"{stem}.{output_format}"] = self.text(f"{template}.{output_format}.j2", output_format, doc).encode("utf-8")
        return files

    def compile_all(self, previous: "Previous", progress: "Progress") -> tuple[dict[str, bytes], dict[str, str]]:
        """Every pending PDF, and the hash of its source. A PDF whose source has not changed
        since the last render is taken from out/ as it is; the others compile in parallel."""
        from concurrent.futures import ThreadPoolExecutor

        import typst

        progress.add(len(self.pending_pdfs))
        sources = {path: _source_key(source, typst) for path, (source, _) in self.pending_pdfs.items()}
        ready: dict[str, bytes] = {}
        to_compile = []
        for path, (source, name) in self.pending_pdfs.items():
            kept = previous.unchanged_pdf(path, sources[path])
            if kept is not None:
                ready[path] = kept
                progress.advance(path)
            else:
                to_compile.append((path, source, name))

        def compile_one(job: tuple[str, str, str]) -> tuple[str, bytes]:
            path, source, name = job
            return path, self.compile_pdf(source, name)

        # Typst lets go of the GIL: two threads is what the machines here have cores for.
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            for path, payload in pool.map(compile_one, to_compile):
                ready[path] = payload
                progress.advance(path)
        return ready, sources


MANIFEST = ".gasp-manifest.json"


def _source_key(source: str, typst_module) -> str:
    version = getattr(typst_module, "__version__", "")
    # The standards are part of the key: a PDF compiled without them is never reused.
    return hashlib.sha256(f"{version}\n{','.join(PDF_STANDARDS)}\n{source}".encode("utf-8")).hexdigest()


class Previous:
    """What the last render left in out/: its manifest (the hash of each PDF's source) and its files.

    `Previous(None)` is a first render: nothing to reuse. Only a file the manifest says is
    gasp's is reused, and never through a symlink.
    """

    def __init__(self, out: Path | None):
        from .writer import read_manifest

        self.out = out
        manifest = read_manifest(out) if out is not None else None
        self.sources: dict[str, str] = manifest.pdf_sources if manifest else {}
        self._owned = manifest.files if manifest else set()

    def unchanged_pdf(self, path: str, source_key: str) -> bytes | None:
        if self.out is None or self.sources.get(path) != source_key or path not in self._owned:
            return None
        try:
            if (self.out / path).is_symlink():
                return None
            payload = (self.out / path).read_bytes()
        except OSError:
            return None
        return payload if payload.startswith(b"%PDF") else None


class Progress:
    """Counts the documents as they are made; the command line draws it on a terminal."""

    def add(self, steps: int) -> None:
        pass

    def advance(self, label: str) -> None:
        pass


_FOLDER_KINDS = {"comptes-rendus": "comptes-rendus", "guide": "guides", "referents": "dossier",
                 "calendrier": "calendrier", "rapport": "rapport"}


def answered_by(request: RenderRequest, every_meeting: bool):
    """Which paths under out/ a render answers for: an owned file among them that the render
    did not produce is no longer a document (a deleted meeting's compte rendu), and goes.

    A partial render answers only for what it was asked: `--only guides` leaves the comptes
    rendus alone, `--format md` the HTML and PDF, a render of named meetings the others.
    A folder of no kind (a document of a later gasp) is answered for by a full render only.
    """
    def answers_for(path: str) -> bool:
        extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        if extension in FORMATS and extension not in request.formats:
            return False
        kind = _FOLDER_KINDS.get(path.split("/", 1)[0]) if "/" in path else None
        if kind is None:
            return set(request.kinds) == set(KINDS) and every_meeting
        if kind not in request.kinds:
            return False
        return every_meeting or kind != "comptes-rendus"
    return answers_for


def manifest_bytes(pdf_sources: dict[str, str]) -> bytes:
    return (json.dumps({"version": 1, "pdf_sources": dict(sorted(pdf_sources.items()))}, indent=1) + "\n").encode()


def render_documents(
    records: Records,
    request: RenderRequest,
    workspace_templates: Path | None,
    previous: Previous | None = None,
    progress: Progress | None = None,
) -> dict[str, bytes]:
    """Every file of the request, by path under out/, and `.gasp-manifest.json`."""
    progress = progress or Progress()
    previous = previous or Previous(None)
    renderer = Renderer(workspace_templates, request.timestamp)
    files: dict[str, bytes] = {}
    today = request.today
    dossiers = dossier_meetings(records, today) if "dossier" in request.kinds else []
    years = report_years(records, today) if "rapport" in request.kinds else []
    proposals = sorted(records.proposals) if "propositions" in request.kinds else []
    progress.add((len(request.meeting_ids) if "comptes-rendus" in request.kinds else 0)
                 + 2 * ("guides" in request.kinds) + len(dossiers) + len(years) + len(proposals)
                 + sum(kind in request.kinds for kind in ("calendrier", "suivi")))
    if "comptes-rendus" in request.kinds:
        holidays_cache: dict = {}
        for meeting_id in request.meeting_ids:
            doc = views.compte_rendu(records, meeting_id, holidays_cache)
            files |= renderer.document(f"comptes-rendus/{meeting_id}", "compte-rendu", doc, request.formats)
            progress.advance(meeting_id)
    if "guides" in request.kinds:
        files |= renderer.document("guide/guide-usagers", "guide-usagers", views.guide_usagers(records, request.edition_date),
                                   request.formats)
        files |= renderer.document("guide/guide-agents", "guide-agents", views.guide_agents(records, request.edition_date),
                                   request.formats)
        progress.advance("guide-usagers")
        progress.advance("guide-agents")
    derived = histories(records)
    for row, stood_on in dossiers:
        doc = views.dossier(records, derived, stood_on, row)
        files |= renderer.document(f"referents/dossier-{row.date.isoformat()}", "dossier-referents", doc,
                                   request.formats)
        progress.advance(f"dossier-{row.date.isoformat()}")
    for year in years:
        _, view = annual(records, year, today)
        files |= renderer.document(f"rapport/rapport-{year}", "rapport", view, request.formats)
        progress.advance(f"rapport-{year}")
    if proposals:
        from ..documents import proposition

        for proposal_id in proposals:
            files |= renderer.document(f"propositions/{proposal_id}", "proposition",
                                       proposition.build(records, today, proposal_id, derived), request.formats)
            progress.advance(proposal_id)
    if "suivi" in request.kinds:
        from ..documents import suivi

        files |= renderer.document("suivi", "suivi", suivi.build(records, today, derived), request.formats)
        progress.advance("suivi")
    if "calendrier" in request.kinds:
        start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        rows = calendar_rows(records, start, end, holidays_for(records, start, end))
        title = f"Calendrier {today.year} — {records.gasp.name}"
        files[f"calendrier/calendrier-{today.year}.ics"] = as_ics(rows, records, title, request.timestamp)
        if "html" in request.formats:
            page = views.calendar_page(records, rows, today.year)
            files[f"calendrier/calendrier-{today.year}.html"] = renderer.text("calendrier.html.j2", "html", page).encode("utf-8")
        progress.advance("calendrier")
    pdfs, sources = renderer.compile_all(previous, progress)
    files |= pdfs
    files[MANIFEST] = manifest_bytes({**previous.sources, **sources})
    return files


def dossier_meetings(records: Records, today: datetime.date) -> list[tuple[Row, datetime.date]]:
    """The dossiers to write, each with the day its state is taken on: one for every held
    référents or intergroupes meeting, as it stood the day before (histories are derived,
    so a past dossier can be rebuilt), and one for the next référents meeting, as of today."""
    held = sorted((m.date, mid) for mid, m in records.meetings.items()
                  if m.status == "held" and m.date <= today
                  and records.groups[m.group].kind in ("referents", "intergroupes"))
    found: dict[datetime.date, tuple[Row, datetime.date]] = {}
    for day, meeting_id in held:
        group = records.meetings[meeting_id].group
        # Only the recorded row is wanted: holidays move cadence slots, never a recorded meeting.
        row = next(r for r in calendar_rows(records, day, day, Holidays(), [group]) if r.meeting == meeting_id)
        found.setdefault(day, (row, day - datetime.timedelta(days=1)))
    upcoming = views.next_referents_meeting(records, today)
    if upcoming is not None:
        found.setdefault(upcoming.date, (upcoming, today))
    return [found[day] for day in sorted(found)]


def report_years(records: Records, today: datetime.date) -> list[int]:
    """Every year from the first recorded meeting to the current one."""
    first = min((m.date.year for m in records.meetings.values()), default=today.year)
    return list(range(min(first, today.year), today.year + 1))


def annual(records: Records, year: int, today: datetime.date):
    """The report of a year and its view: the one computation behind `gasp report` and `rapport/`."""
    from ..report import annual_report

    report = annual_report(records, histories(records), year, today,
                           holidays_for(records, datetime.date(year + 1, 1, 1), datetime.date(year + 1, 12, 31)))
    return report, views.report_view(records, report)


def render_index(records: Records, paths: list[str], today: datetime.date, workspace_templates: Path | None) -> bytes:
    renderer = Renderer(workspace_templates, datetime.datetime.now(datetime.timezone.utc))
    page = views.index_page(records, paths, today)
    return renderer.text("index.html.j2", "html", page).encode("utf-8")
