"""The residents' site, `out/public/`: what the secretary uploads as it is to the commune's web site.

Its home page and its list of comptes rendus, the pages of the documents that belong to it (the
kinds documents/registry.py says are public; each one's public variant is `site_pages` in its
module), the navigation every page carries, and its search index (Pagefind).
Built from public data only, by construction: `produce` reads `public.public_records`, the
one public filter (what a non-public group's meeting may show, who may be named), and:
- comptes rendus only of groups whose `minutes_are_public`; in them, of the other groups
  that are not public, only their decisions (`compte_rendu.build(public=True)`);
- a proposal's page keeps every step (who, when, what became of it) and every decision
  with its note (the référents' answer is what residents wait for), but drops the notes
  of a non-public group's other steps (what the agents said when they raised or discussed
  it) and links only to public comptes rendus; only proposals already raised have a page;
- the usagers edition of the guide, never the agents' one; no dossier; the suivi sheet,
  the calendar and the reports as they are (they name nobody without consent); the calendar
  of this year and of the next, and one iCalendar file of both under a name that stays the
  same from year to year (the address residents subscribe to);
- comptes rendus as they stood on the day, like the proposals' stories (a cancellation
  recorded ahead is news, and is published);
- the convocations of the planned usagers and inter-group meetings of the next weeks, through the
  same rule as the comptes rendus (of a non-public group, when it met, never what it said),
  linked from the home page's next meetings;
- every link is relative and stays inside `public/`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..calendar import calendar_rows, holidays_for
from ..lifecycle import History
from ..loader import Records
from ..names import gasp_name, group_name, place_of
from ..vocabulary import PROPOSAL_STATUSES, french_time, long_date, weekday_date
from . import registry
from .base import Page, Producer, Request, Run, Template, site_pages
from .compte_rendu import public_meetings
from .convocation import public_convocations
from .proposition import public_proposals, published_proposals

if TYPE_CHECKING:
    from .dependencies import Dependencies

FOLDER = "public"
FORMATS_HOME: dict[str, Template] = {"html": "site-accueil.html.j2"}
FORMATS_MINUTES: dict[str, Template] = {"html": "site-comptes-rendus.html.j2"}
# The site's variant of each public document's page (`site_pages` in its module: its SITE_HTML is
# the document's own template with the site's navigation and search box, templates/_site-*.html.j2;
# its PDF is the document's own). Which documents are public: documents/registry.py (`public`).
NEXT_MEETINGS = 6
LATEST_MINUTES = 5
# The home page shows this many proposals of each status (the latest to have reached it), and links
# to the status's own page, which lists them all: the home stays small whatever the history.
LATEST_PROPOSALS = 5
FORMATS_STATUS: dict[str, Template] = {"html": "site-propositions.html.j2"}
# Each status section of the home page: its anchor, which names its own page (propositions-<anchor>.html).
STATUS_ANCHORS = {
    "C’est fait": "fait",
    "C’est en cours": "en-cours",
    "En attente d’une décision": "en-attente",
    "Pas retenu": "pas-retenu",
}
SEARCH_FOLDER = "pagefind"
# The search index is made in sections, each its own Pagefind index made by its own run (Pagefind
# has no incremental mode: a run reads every page it indexes), and merged in the browser: the
# general pages (home, lists, suivi, guide) in pagefind/ itself, which also holds Pagefind's
# scripts; and one index per year in pagefind/<year>/ (a compte rendu or a convocation by its
# meeting's year, a proposal by the year it was raised, a report or a calendar by its year).
# An edit re-indexes the sections whose pages changed: a year's pages, not forty years'.
GENERAL = ""
# What a year's index needs: the browser runs Pagefind's scripts and its WebAssembly from pagefind/.
_SECTION_FILES = re.compile(r"pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|(?:index|fragment|filter)/[^/]+")
# The one file that lists the years' indexes: a new year changes it, not every page.
SEARCH_SCRIPT = "recherche.js"
# The iCalendar file residents subscribe to: this year and the next, under one name that stays
# the same from year to year (a year's file leaves the site when the year is over).
SUBSCRIPTION = "calendrier/calendrier.ics"
# The groups whose meetings residents attend.
OPEN_TO_RESIDENTS = frozenset({"usagers", "intergroupes"})


@dataclass
class NavLink:
    title: str
    href: str
    current: bool


@dataclass
class SiteContext:
    """What the site's templates add to a document's page: links relative to the page's folder."""

    root: str  # "" at the site's root, "../" one folder down
    nav: list[NavLink]
    pdf: str  # this page's PDF, or ""
    search: bool  # the search box (when Pagefind made the index)


@dataclass
class SiteLink:
    title: str
    href: str
    detail: str = ""


@dataclass
class NextMeeting:
    date: str
    time: str
    group: str
    place: str
    note: str
    href: str = ""  # its convocation on the site, when it has one


@dataclass
class StatusSection:
    title: str
    anchor: str
    links: list[SiteLink]  # the latest LATEST_PROPOSALS
    count: int = 0
    href: str = ""  # the page of every proposal of this status


@dataclass
class StatusPage:
    """Every published proposal of one status, by the year it reached it, newest first."""

    gasp_name: str
    date: str
    title: str
    count: int
    years: list[YearLinks] = field(default_factory=list)


@dataclass
class YearLinks:
    year: str
    links: list[SiteLink]


@dataclass
class HomePage:
    gasp_name: str
    communes: str
    date: str
    next_meetings: list[NextMeeting]
    ics: str
    calendar: str
    year: int
    next_calendar: str  # the next year's calendar: the next meetings run into it
    minutes: list[SiteLink]
    minutes_count: int
    statuses: list[StatusSection]
    reports: list[SiteLink]
    guide: str
    suivi: str


@dataclass
class MinutesPage:
    gasp_name: str
    date: str
    years: list[YearLinks] = field(default_factory=list)


def _nav(root: str, current: str, year: int) -> list[NavLink]:
    links = [
        ("Accueil", "index.html"),
        ("Comptes rendus", "comptes-rendus.html"),
        ("Vous avez dit, nous avons fait", "suivi.html"),
        ("Guide des services", "guide/guide-usagers.html"),
        ("Calendrier", f"calendrier/calendrier-{year}.html"),
        ("Rapports", "index.html#rapports"),
    ]
    return [NavLink(title, root + href, href == current) for title, href in links]


def context(path: str, year: int, pdf: bool, search: bool) -> SiteContext:
    """The site's additions to the page at `path` (under public/); `pdf`: the page has a PDF twin."""
    root = "../" * path.count("/")
    name = path.rsplit("/", 1)[-1]
    return SiteContext(root, _nav(root, path, year), name.removesuffix(".html") + ".pdf" if pdf else "", search)


def _next_meetings(records: Records, today: datetime.date) -> list[NextMeeting]:
    """The next meetings open to residents (usagers and inter-group meetings, whether or not their
    comptes rendus are published; never the agents', even when theirs are); the calendar has them all."""
    start, end = today, today + datetime.timedelta(days=400)
    open_groups = sorted(gid for gid, group in records.groups.items() if group.kind in OPEN_TO_RESIDENTS)
    if not open_groups:
        return []
    rows = calendar_rows(records, start, end, holidays_for(records, start, end), open_groups)[:NEXT_MEETINGS]
    convened = set(public_convocations(records, today))
    result = []
    for row in rows:
        place, _ = place_of(records, row.place)
        meeting = records.meetings.get(row.meeting) if row.meeting else None
        note = (
            "annulée"
            if meeting is not None and meeting.status == "cancelled"
            else ("date prévue" if row.origin == "planned" else "")
        )
        href = f"convocations/{row.meeting}.html" if row.meeting in convened else ""
        result.append(
            NextMeeting(
                weekday_date(row.date), french_time(row.time), group_name(records, row.group), place, note, href
            )
        )
    return result


def _minutes_link(records: Records, meeting_id: str, root: str) -> SiteLink:
    meeting = records.meetings[meeting_id]
    cancelled = " (annulée)" if meeting.status == "cancelled" else ""
    return SiteLink(
        f"{group_name(records, meeting.group)}{cancelled}",
        f"{root}comptes-rendus/{meeting_id}.html",
        long_date(meeting.date),
    )


def _newest_first(records: Records, meetings: list[str]) -> list[str]:
    return sorted(meetings, key=lambda mid: (records.meetings[mid].date, mid), reverse=True)


def _by_status(
    records: Records, today: datetime.date, derived: dict[str, History], published: Iterable[str]
) -> dict[str, list[tuple[datetime.date, SiteLink]]]:
    """The published proposals by status section: (the day each reached its status, its link), newest first."""
    from . import suivi  # here: a render that remakes a compte rendu's page alone needs none of it

    by_section: dict[str, list[tuple[datetime.date, SiteLink]]] = {title: [] for title, _ in suivi.SECTIONS}
    for pid in published:
        event = derived[pid].status_event(today)
        status = event.kind if event is not None else None
        title = next(title for title, statuses in suivi.SECTIONS if status in statuses)
        link = SiteLink(
            records.proposals[pid].title, f"propositions/{pid}.html", PROPOSAL_STATUSES[status] if status else ""
        )
        by_section[title].append((event.date if event is not None else today, link))
    for items in by_section.values():
        items.sort(key=lambda item: (item[0], item[1].href), reverse=True)
    return by_section


def home(
    records: Records,
    today: datetime.date,
    derived: dict[str, History],
    reports: list[int],
    published: frozenset[str] | None = None,
) -> HomePage:
    """The home page: next meetings, latest comptes rendus, proposals by status (the latest of each,
    with a link to the status's page), the reports."""
    meetings = _newest_first(records, public_meetings(records, today))
    chosen = sorted(published) if published is not None else public_proposals(derived, today)
    by_section = _by_status(records, today, derived, chosen)
    communes = ", ".join(records.gasp.communes) if records.gasp is not None else ""
    return HomePage(
        gasp_name=gasp_name(records),
        communes=communes,
        date=long_date(today),
        next_meetings=_next_meetings(records, today),
        ics=SUBSCRIPTION,
        calendar=f"calendrier/calendrier-{today.year}.html",
        year=today.year,
        next_calendar=f"calendrier/calendrier-{today.year + 1}.html",
        minutes=[_minutes_link(records, mid, "") for mid in meetings[:LATEST_MINUTES]],
        minutes_count=len(meetings),
        statuses=[
            StatusSection(
                title,
                STATUS_ANCHORS.get(title, "propositions"),
                [link for _, link in items[:LATEST_PROPOSALS]],
                len(items),
                f"propositions-{STATUS_ANCHORS.get(title, 'propositions')}.html",
            )
            for title, items in by_section.items()
            if items
        ],
        reports=[SiteLink(f"Rapport {year}", f"rapport/rapport-{year}.html") for year in sorted(reports, reverse=True)],
        guide="guide/guide-usagers.html",
        suivi="suivi.html",
    )


def status_pages(
    records: Records, today: datetime.date, derived: dict[str, History], published: Iterable[str]
) -> list[tuple[str, StatusPage]]:
    """One page per status that has proposals: (its path under public/, its data)."""
    result = []
    for title, items in _by_status(records, today, derived, published).items():
        if not items:
            continue
        page = StatusPage(gasp_name(records), long_date(today), title, len(items))
        for day, link in items:
            year = str(day.year)
            if not page.years or page.years[-1].year != year:
                page.years.append(YearLinks(year, []))
            page.years[-1].links.append(link)
        result.append((f"propositions-{STATUS_ANCHORS.get(title, 'propositions')}.html", page))
    return result


def minutes_page(records: Records, today: datetime.date) -> MinutesPage:
    """Every public compte rendu, by year, newest first."""
    page = MinutesPage(gasp_name(records), long_date(today))
    for mid in _newest_first(records, public_meetings(records, today)):
        year = str(records.meetings[mid].date.year)
        if not page.years or page.years[-1].year != year:
            page.years.append(YearLinks(year, []))
        page.years[-1].links.append(_minutes_link(records, mid, ""))
    return page


def pages(run: Run) -> Iterator[Page]:
    """Every page of the site, one at a time (a large workspace has thousands): its own (the home
    page, a page per proposal status, the list of comptes rendus), then those of every public kind
    of documents/registry.py. The queries over the whole workspace (which proposals have a page,
    which replace which) are made once, here or in `Run`."""
    records, today, deps = run.records, run.request.today, run.dependencies
    from . import rapport  # here: a render that remakes a compte rendu's page alone needs none of it

    published = run.published if run.published is not None else published_proposals(run.derived, today)
    reports = rapport.years(records, today)
    day = today.isoformat()
    yield Page(
        "index.html",
        FORMATS_HOME["html"],
        functools.partial(home, records, today, run.derived, reports, published),
        inputs=deps.everything("accueil", day),
    )
    for path, status_page in status_pages(records, today, run.derived, sorted(published)):
        yield Page(
            path,
            FORMATS_STATUS["html"],
            functools.partial(lambda page: page, status_page),
            inputs=deps.everything(path, day),
        )
    yield Page(
        "comptes-rendus.html",
        FORMATS_MINUTES["html"],
        functools.partial(minutes_page, records, today),
        inputs=deps.everything("comptes-rendus", day),
    )
    for kind in registry.public_kinds():
        yield from site_pages(registry.document(kind.module), run)


def site_run(
    records: Records, request: Request, derived: dict[str, History], dependencies: Dependencies | None = None
) -> Run:
    """What the site's pages are made from: the public records (`produce` filters them) and their
    histories, the proposals that have a page, and the render's index of record files."""
    from .dependencies import Dependencies

    deps = dependencies if dependencies is not None else Dependencies(records, "")
    return Run(records, request, derived, deps, published_proposals(derived, request.today))


def count(run: Run) -> int:
    """No document in the render's plan: the site counts its pages itself, once it makes them."""
    return 0


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """out/index.html's title and date of the site's home page."""
    return ("Site des habitants (à publier tel quel)", today.isoformat()) if name == "index" else None


class SearchError(Exception):
    """Pagefind is missing or failed; the message is French."""


def search_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("pagefind_bin") is not None


# Block elements: Pagefind joins the text of `<dt>Missions</dt><dd>Attribution…` into
# « MissionsAttribution »; a line break at each of their tags keeps the words apart.
_BLOCK_TAG = re.compile(
    r"(</?(?:p|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|caption|div|section|article|aside"
    r"|header|footer|nav|blockquote|figure|figcaption|br)\b[^>]*>)",
    re.IGNORECASE,
)


def start_index(pages: dict[str, Path], section: str = GENERAL) -> _Indexing:
    """Pagefind started on one section's html pages (path under public/ → the file holding its
    bytes); its `files()`: path under public/ → bytes (under pagefind/, or pagefind/<year>/ for a
    year's section). Run on a copy of the pages, in a folder of gasp's own, so that out/ only
    receives files through the render's publication (whole or not at all, listed in the manifest);
    that copy's pages are given to Pagefind with their block elements apart (`_BLOCK_TAG`).
    Raises SearchError."""
    return _Indexing(pages, section)


# Every Pagefind started and not yet waited for: stopped, and its folder removed, when gasp exits
# before it waits for it (an error, Ctrl-C anywhere in the render), so that none outlives gasp.
_RUNNING: set[_Indexing] = set()


class _Indexing:
    """One section's Pagefind run, started at once and waited for in `files` (a render that remakes a
    few pages does its other work meanwhile: render/documents.py `_produce_narrow`)."""

    def __init__(self, pages: dict[str, Path], section: str):
        import tempfile

        self.section = section
        self._folder = Path(tempfile.mkdtemp(prefix="gasp-recherche-", dir=_scratch()))
        self._process: subprocess.Popen[str] | None = None
        try:
            made: set[Path] = set()
            for path, source in sorted(pages.items()):
                target = self._folder / path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                text = source.read_text(encoding="utf-8")
                target.write_text(_BLOCK_TAG.sub(r"\n\1\n", text), encoding="utf-8")
            if not _RUNNING:
                import atexit

                atexit.register(_stop_running)
            _RUNNING.add(self)
            self._process = _start_pagefind(self._folder)
        except BaseException:
            self.cancel()
            raise

    def files(self) -> dict[str, bytes]:
        """The index's files (path under public/ → bytes), once Pagefind is done. Raises SearchError."""
        import shutil
        import threading

        assert self._process is not None  # started by __init__, or __init__ raised
        try:
            files = _pagefind_files(self._process, self._folder)
        finally:
            if self._process.poll() is None:  # never its folder removed under a Pagefind still running
                self._process.kill()
                self._process.wait()
            _RUNNING.discard(self)
            # Removed while the render goes on (Python waits for the thread before it exits).
            threading.Thread(target=shutil.rmtree, args=(self._folder,), kwargs={"ignore_errors": True}).start()
        if self.section == GENERAL:
            return {f"{SEARCH_FOLDER}/{path}": payload for path, payload in files.items()}
        return {
            f"{SEARCH_FOLDER}/{self.section}/{path}": payload
            for path, payload in files.items()
            if _SECTION_FILES.fullmatch(path)
        }

    def cancel(self) -> None:
        """Pagefind stopped, and its folder removed (the render failed meanwhile)."""
        import shutil

        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        _RUNNING.discard(self)
        shutil.rmtree(self._folder, ignore_errors=True)


def _stop_running() -> None:
    for indexing in list(_RUNNING):
        indexing.cancel()


def _scratch() -> str | None:
    """Where Pagefind's folders go: in memory (/dev/shm) when the system has it (a section's pages
    and index are a few megabytes, written and read once; on a disk, creating their hundreds of files
    cost more than Pagefind itself), else the usual temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _start_pagefind(site: Path) -> subprocess.Popen[str]:
    """Pagefind started on the pages under `site`, its index written under it (SEARCH_FOLDER)."""
    try:
        # The program itself, not `python -m pagefind_bin` (which only starts it): a Python less per run.
        import pagefind_bin  # type: ignore[import-untyped]

        program = str(pagefind_bin.get_executable())
    except (ImportError, OSError) as error:
        raise SearchError(f"Pagefind n’a pas pu être lancé ({error})") from None
    command = [
        program,
        "--site",
        str(site),
        "--output-path",
        str(site / SEARCH_FOLDER),
        "--root-selector",
        "main",
        "--keep-index-url",
        "--force-language",
        "fr",
        "--silent",
    ]
    try:
        # Pagefind reads no configuration of its own but from the current folder: run it in the site.
        return subprocess.Popen(
            command,
            cwd=site,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PAGEFIND_SITE": str(site)},
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SearchError(f"Pagefind n’a pas pu être lancé ({error})") from None


def _pagefind_files(process: subprocess.Popen[str], site: Path) -> dict[str, bytes]:
    """Pagefind's files once it is done: path under its output folder → bytes. Raises SearchError."""
    output = site / SEARCH_FOLDER
    try:
        stdout, stderr = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise SearchError("Pagefind n’a pas fini en dix minutes") from None
    except BaseException:  # Ctrl-C, a signal: Pagefind stops too, before its folder is removed
        process.kill()
        process.wait()
        raise
    if process.returncode != 0 or not output.is_dir():
        detail = (stderr or stdout).strip().splitlines()
        raise SearchError(f"Pagefind a échoué{' : ' + detail[-1] if detail else ''}")
    return {
        path.relative_to(output).as_posix(): path.read_bytes() for path in sorted(output.rglob("*")) if path.is_file()
    }


def index_section(path: str) -> str | None:
    """The section whose index holds `path` (under public/), or None for a path outside the index."""
    prefix = f"{FOLDER}/{SEARCH_FOLDER}/"
    if not path.startswith(prefix):
        return None
    head, slash, _ = path.removeprefix(prefix).partition("/")
    return head if slash and head.isdigit() else GENERAL


def search_script(sections: Iterable[str]) -> bytes:
    """public/recherche.js: Pagefind's search box on the page, over the general index and every
    year's. Every page loads it from the site's root, which it finds from its own address: the site
    may be served at a web server's root or in a sub-folder. Pagefind's own box merges the indexes
    one after the other (a round trip each); here they are all asked for at once, when the box
    first gets the focus, in the same Pagefind module the box then uses (a module is loaded once
    per page)."""
    import json

    years = json.dumps(sorted(section for section in sections if section != GENERAL))
    return _SEARCH_SCRIPT.replace("__YEARS__", years).encode("utf-8")


_SEARCH_SCRIPT = """// The residents' site's search (written by gasp render): Pagefind's box over the index of the
// general pages (pagefind/) and the index of each year (pagefind/<year>/), merged in the browser.
(function () {
  var root = new URL(".", document.currentScript.src).pathname;
  var bundle = root + "pagefind/";
  var years = __YEARS__;
  var merged = null;
  function merge() {
    if (merged === null) {
      merged = import(bundle + "pagefind.js").then(function (pagefind) {
        return Promise.all(years.map(function (year) {
          return pagefind.mergeIndex(bundle + year + "/", { baseUrl: root });
        }));
      });
    }
    return merged;
  }
  window.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("recherche");
    if (!box || typeof PagefindUI === "undefined") {
      return;
    }
    box.addEventListener("focusin", merge);
    new PagefindUI({ element: box, bundlePath: bundle, baseUrl: root, showImages: false, resetStyles: false });
    // Pagefind's field has only a placeholder and a title: the label of the page is tied to it.
    var field = box.querySelector("input");
    if (field) {
      field.id = "recherche-champ";
    }
  });
})();
"""


def produce(run: Run, producer: Producer) -> None:
    """Every file of public/, handed to the render's producer like any document's: the pages
    (html; the site is made of web pages, so a render without html makes none), their PDFs,
    the calendar's iCalendar file, and the search index Pagefind makes from a copy of the pages,
    one section at a time (see GENERAL).

    Like every document, a page whose data key has not changed is kept as it is (not made
    again), and so is a section's index when none of its pages changed: a no-op render runs no
    template and no Pagefind, an edit runs Pagefind on the sections it changed."""
    import tempfile

    from ..lifecycle import histories
    from ..public import public_records

    # The one public filter: everything below sees only what may go out (gasp_cli/public.py).
    records, request = public_records(run.records), run.request
    derived = histories(records)
    if "html" not in request.formats:
        if _out_of_date(records, request, producer, derived):
            sys.stderr.write(
                "avertissement : le site des habitants (public/) n’est plus à jour : refaites-le "
                "(gasp render --only public) avant de le publier\n"
            )
        return
    today = request.today
    # The pages listed once (each holds its key and how to build its data, not the data): their
    # number for the progress bar, then staged one by one.
    every_page = list(pages(site_run(records, request, derived, producer.dependencies)))
    producer.progress.add(len(every_page))
    with_pdf = "pdf" in request.formats
    search = search_available()
    if not search:
        _warn("Pagefind est introuvable (paquet pagefind-bin)")
    with tempfile.TemporaryDirectory(prefix="gasp-site-") as folder:
        copy = Path(folder)
        # One page at a time (at forty years the pages' data weighed 22 MB, and Pagefind's memory adds
        # up with gasp's): its key, and its bytes in the copy that Pagefind reads when it changed.
        # A page whose input key is the last render's is kept without its data being built. Only
        # its path, key and section are kept.
        staged = _stage_pages(every_page, request, producer, copy, with_pdf, search)
        index: dict[str, tuple[str, bytes | None]] = {}
        if search:
            try:
                index = _search_sections(producer, staged, copy)
            except SearchError as error:
                _warn(str(error))
                # The pages again, without their search box (this is the rare path).
                keys = _page_keys(every_page, producer, today.year, with_pdf, False)
                for page in every_page:
                    producer.input_keys.pop(f"{FOLDER}/{page.path}", None)
                _put_pages(every_page, producer, keys, set(), today.year, with_pdf, False)
                search = False
        _put_site(producer, staged, copy, index)
    if search:
        _put_search_script(producer, set(staged.sections.values()))
        for path, section in sorted(staged.sections.items()):
            producer.sections.setdefault(section, []).append(path)
    if with_pdf:
        _put_pdfs(records, request, producer, derived)
    _put_calendars(records, request, producer, derived)


def produce_narrow(run: Run, producer: Producer) -> set[str]:
    """The site's files that the discussions of the meetings `run.request.meeting_ids` change, when
    nothing else changed since the last render (render/documents.py `_produce_narrow`): the pages of
    those meetings (made as `produce` makes any page: kept when their key is the same), their PDFs,
    and the search index of each section where a page changed, indexed again from all its pages (the
    others read from out/, as the last render listed them: `Kept.sections`). Returns the paths it
    answered for; raises NotNarrow, before handing anything over, without html or search."""
    import tempfile

    from ..public import shown_whole
    from .base import NotNarrow

    request, previous = run.request, producer.previous
    # The site is made from the public records: a discussion they leave out changes nothing there.
    meetings = frozenset(mid for mid in request.meeting_ids if shown_whole(run.records, run.records.meetings[mid]))
    if not meetings:
        producer.sections.update(previous.sections)
        return set()
    if "html" not in request.formats or not previous.sections or not search_available():
        raise NotNarrow
    mine = _pages_of(run, producer, meetings)
    with_pdf = "pdf" in request.formats
    with tempfile.TemporaryDirectory(prefix="gasp-site-") as folder:
        copy = Path(folder)
        staged = _stage_pages(mine, request, producer, copy, with_pdf, True)
        # The sections where a page changed, with all their pages: the others as the last render left them.
        changed = {page.section for page in mine if page.path not in staged.unchanged}
        _widen(staged, changed, producer)
        kept = _start_sections(producer, _only(staged, changed), copy)
        _put_site(producer, staged, copy, kept)
    old_index = {path for path in previous.keys if index_section(path) in changed}
    pdfs = {f"{FOLDER}/{page.path.removesuffix('.html')}.pdf" for page in mine if page.pdf} if with_pdf else set()
    if with_pdf:
        _put_page_pdfs(mine, producer)  # put once compiled
    producer.sections.update(previous.sections)
    return {f"{FOLDER}/{path}" for path in staged.keys} | old_index | set(kept) | pdfs


def _pages_of(run: Run, producer: Producer, meetings: frozenset[str]) -> list[Page]:
    """The site's pages of these meetings: those of the kinds made per meeting (a discussion is shown
    by its own meeting's documents only), from the public records."""
    from ..lifecycle import histories
    from ..public import public_records

    records = public_records(run.records)
    site = site_run(records, run.request, histories(records), producer.dependencies)
    site = dataclasses.replace(site, meetings=meetings)
    mine = [
        page
        for kind in registry.public_kinds()
        if kind.per_meeting
        for page in site_pages(registry.document(kind.module), site)
    ]
    producer.progress.add(len(mine))
    return mine


def _widen(staged: _Staged, changed: set[str], producer: Producer) -> None:
    """Every page of the sections where a page changed, into `staged`: those not made again as the last
    render left them (their keys, kept). NotNarrow for a section the last render did not have."""
    from .base import NotNarrow

    previous = producer.previous
    if not changed.issubset(previous.sections):
        raise NotNarrow
    for section in sorted(changed):
        for path in previous.sections[section]:
            staged.sections[path] = section
            if path in staged.keys:
                continue
            staged.keys[path] = previous.keys[f"{FOLDER}/{path}"]
            staged.unchanged.add(path)
            if f"{FOLDER}/{path}" in previous.input_keys:
                producer.input_keys[f"{FOLDER}/{path}"] = previous.input_keys[f"{FOLDER}/{path}"]


def _start_sections(producer: Producer, staged: _Staged, copy: Path) -> dict[str, tuple[str, bytes | None]]:
    """Pagefind started on each section of `staged` whose pages changed, waited for once the render's
    other work is done (`Producer.later`); returns the index files kept. NotNarrow when it cannot start."""
    from .base import NotNarrow

    pending = _PendingIndex(producer)
    kept: dict[str, tuple[str, bytes | None]] = {}
    try:
        for key, old, sources, section in _sections(producer, staged, copy):
            if sources is None:
                kept.update(dict.fromkeys(old, (key, None)))
            else:
                pending.runs.append((key, start_index(sources, section)))
    except SearchError:
        pending.cancel()
        raise NotNarrow from None
    producer.later(pending)
    return kept


@dataclass
class _PendingIndex:
    """The search sections Pagefind is indexing (each with its key), put once it is done."""

    producer: Producer
    runs: list[tuple[str, _Indexing]] = field(default_factory=list)

    def finish(self) -> None:
        """Each section's files to the producer; NotNarrow when Pagefind failed (the render is made
        in full, and says why)."""
        from .base import NotNarrow

        try:
            while self.runs:
                key, indexing = self.runs[0]
                made = _indexed(key, indexing)
                self.runs.pop(0)
                for path, (index_key, payload) in made.items():
                    self.producer.keys[path] = index_key
                    self.producer.put(path, payload)
        except SearchError:
            raise NotNarrow from None
        finally:
            self.cancel()

    def cancel(self) -> None:
        while self.runs:
            self.runs.pop()[1].cancel()


def _only(staged: _Staged, sections: set[str]) -> _Staged:
    """The pages of some sections of the search index only."""
    kept = {path: section for path, section in staged.sections.items() if section in sections}
    return _Staged(
        {path: staged.keys[path] for path in kept}, kept, {path for path in staged.unchanged if path in kept}
    )


@dataclass
class _Staged:
    """The site's pages once staged: each one's key and section (by its path under public/), and
    those kept as they are (the bytes of the others are in the copy Pagefind reads)."""

    keys: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)


def _stage_pages(
    every_page: list[Page],
    request: Request,
    producer: Producer,
    copy: Path,
    with_pdf: bool,
    search: bool,
) -> _Staged:
    """Each page's key and section, and the pages kept as they are; the bytes of the others go to
    `copy`, which Pagefind reads."""
    today, previous = request.today, producer.previous
    staged = _Staged()
    for page in every_page:
        producer.progress.advance(page.path)
        path = f"{FOLDER}/{page.path}"
        staged.sections[page.path] = page.section
        input_key = _input_key(page, producer, today.year, with_pdf, search)
        if input_key:
            producer.input_keys[path] = input_key
            old = previous.keys.get(path)
            if old is not None and previous.input_keys.get(path) == input_key and previous.unchanged(path, old):
                staged.keys[page.path] = old
                staged.unchanged.add(page.path)
                continue
        staged.keys[page.path] = _page_keys([page], producer, today.year, with_pdf, search)[page.path]
        if previous.unchanged(path, staged.keys[page.path]):
            staged.unchanged.add(page.path)
            continue
        target = copy / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_page_bytes(page, producer, today.year, with_pdf, search, False))
    return staged


def _search_sections(producer: Producer, staged: _Staged, copy: Path) -> dict[str, tuple[str, bytes | None]]:
    """The search index's files, section by section (path under out/ → its key, and its bytes or
    None): those of the sections kept as they are (none of their pages changed, and their index is
    as gasp left it), and those of the others, made again by Pagefind from their pages alone (a page
    kept is read from out/), one section at a time. Raises SearchError."""
    index: dict[str, tuple[str, bytes | None]] = {}
    for key, kept, sources, section in _sections(producer, staged, copy):
        index.update(
            dict.fromkeys(kept, (key, None)) if sources is None else _indexed(key, start_index(sources, section))
        )
    return index


def _indexed(key: str, indexing: _Indexing) -> dict[str, tuple[str, bytes | None]]:
    """A section's index files (path under out/ → its key and bytes), once Pagefind is done."""
    return {f"{FOLDER}/{path}": (key, payload) for path, payload in indexing.files().items()}


def _sections(
    producer: Producer, staged: _Staged, copy: Path
) -> Iterator[tuple[str, list[str], dict[str, Path] | None, str]]:
    """Each section's index key, its files when they are kept (its pages' keys and its files as the
    last render left them), else None and its pages to index (path under public/ → where their bytes are)."""
    previous = producer.previous
    by_section: dict[str, list[str]] = {}
    for path, section in sorted(staged.sections.items()):
        by_section.setdefault(section, []).append(path)
    old_index: dict[str, list[str]] = {}
    for path in previous.keys:
        owner = index_section(path)
        if owner is not None:
            old_index.setdefault(owner, []).append(path)
    for section, paths in sorted(by_section.items()):
        key = _index_key(section, {path: staged.keys[path] for path in paths})
        old = old_index.get(section, [])
        if old and all(previous.unchanged(path, key) for path in old):
            yield key, old, None, section
            continue
        sources = {
            path: cast(Path, previous.out) / FOLDER / path if path in staged.unchanged else copy / path
            for path in paths
        }
        yield key, [], sources, section


def _put_site(producer: Producer, staged: _Staged, copy: Path, index: dict[str, tuple[str, bytes | None]]) -> None:
    """The pages (from `copy`, or kept) and the search index (kept, or made again), to the producer."""
    for path, key in staged.keys.items():
        if f"{FOLDER}/{path}" in producer.keys:  # put already (Pagefind failed: pages without search)
            continue
        producer.keys[f"{FOLDER}/{path}"] = key
        producer.put(f"{FOLDER}/{path}", None if path in staged.unchanged else (copy / path).read_bytes())
    for path, (key, payload) in index.items():
        producer.keys[path] = key
        producer.put(path, payload)


def _put_search_script(producer: Producer, sections: set[str]) -> None:
    """public/recherche.js, kept when it is the same (its key is its bytes)."""
    import hashlib

    path = f"{FOLDER}/{SEARCH_SCRIPT}"
    payload = search_script(sections)
    key = hashlib.sha256(payload).hexdigest()
    producer.keys[path] = key
    producer.put(path, None if producer.previous.unchanged(path, key) else payload)


def _put_pdfs(records: Records, request: Request, producer: Producer, derived: dict[str, History]) -> None:
    """The PDFs after Pagefind has run: the Typst process and Pagefind never run at the same time,
    and gasp holds no PDF in flight meanwhile (a page whose key changed is built once more for this)."""
    _put_page_pdfs(pages(site_run(records, request, derived, producer.dependencies)), producer)


def _put_page_pdfs(site_pages: Iterable[Page], producer: Producer) -> None:
    """The PDF of each page that has one, made again when its key changed."""
    for page in site_pages:
        if page.pdf:
            producer.progress.add(1)
            stem = f"{FOLDER}/{page.path.removesuffix('.html')}"
            producer.document(
                stem,
                {"pdf": page.pdf},
                functools.partial(getattr, page, "data"),
                stem,
                inputs=(page.path, page.inputs) if page.inputs else None,
            )


def _put_calendars(records: Records, request: Request, producer: Producer, derived: dict[str, History]) -> None:
    """The calendar's iCalendar files: one a year, and the subscription of every year."""
    from .calendrier import site_years as calendar_years
    from .calendrier import year_rows as _year_rows

    today = request.today

    deps = producer.dependencies
    for year in calendar_years(today):
        title = f"Calendrier {year} — {gasp_name(records)}"
        producer.ics(
            f"{FOLDER}/calendrier/calendrier-{year}.ics",
            functools.partial(_year_rows, records, year),
            records,
            title,
            request.timestamp,
            derived,
            deps.everything("site", "calendrier", str(year)) if deps is not None else "",
        )
    years = calendar_years(today)
    producer.ics(
        f"{FOLDER}/{SUBSCRIPTION}",
        functools.partial(_year_rows, records, *years),
        records,
        f"Calendrier — {gasp_name(records)}",
        request.timestamp,
        derived,
        deps.everything("site", "abonnement", *map(str, years)) if deps is not None else "",
    )


def _page_keys(site_pages: list[Page], producer: Producer, year: int, with_pdf: bool, search: bool) -> dict[str, str]:
    """Each page's data key: its data, its template, and what the site adds (PDF link, search box, year)."""
    from .base import context_key, data_digest

    return {
        page.path: context_key(
            data_digest(page.data),
            "html",
            page.template,
            producer.fingerprint,
            "site",
            str(year),
            str(with_pdf and bool(page.pdf)),
            str(search),
        )
        for page in site_pages
    }


def _input_key(page: Page, producer: Producer, year: int, with_pdf: bool, search: bool) -> str:
    """A page's input key: the record files it reads, its template and what the site adds; "" when
    the render does not know its inputs."""
    from .base import context_key, inputs_digest

    if not (producer.inputs and page.inputs):
        return ""
    return context_key(
        inputs_digest((page.path, page.inputs)),
        "html",
        page.template,
        producer.fingerprint,
        producer.inputs,
        "site",
        str(year),
        str(with_pdf and bool(page.pdf)),
        str(search),
    )


def _out_of_date(records: Records, request: Request, producer: Producer, derived: dict[str, History]) -> bool:
    """Whether a site left in out/ by an earlier render differs from the one these records make
    (a render without html leaves it as it is: a name withdrawn would stay on it)."""
    files = producer.previous.files
    previous = {
        path
        for path in files
        if path.startswith(f"{FOLDER}/")
        and path.endswith(".html")
        and not path.startswith(f"{FOLDER}/{SEARCH_FOLDER}/")
    }
    if not previous:
        return False
    every_page = list(pages(site_run(records, request, derived)))
    if {f"{FOLDER}/{page.path}" for page in every_page} != previous:
        return True
    year = request.today.year
    # The earlier render's PDFs and search box are unknown: a page is the same under any of them.
    variants = [
        _page_keys(every_page, producer, year, with_pdf, search)
        for with_pdf in (True, False)
        for search in (True, False)
    ]
    search = any(path.startswith(f"{FOLDER}/{SEARCH_FOLDER}/") for path in files)
    return any(_page_differs(page, producer, year, variants, search) for page in every_page)


def _page_differs(page: Page, producer: Producer, year: int, variants: list[dict[str, str]], search: bool) -> bool:
    """Whether a page left in out/ differs from the one made now: by its key, or without one, by its bytes."""
    old = producer.previous
    path = f"{FOLDER}/{page.path}"
    if path in old.keys:
        return old.keys[path] not in {keys[page.path] for keys in variants}
    # No key (a partial render since): the page as it would be made, against the file.
    with_pdf = old.out is not None and (old.out / path.removesuffix(".html")).with_suffix(".pdf").is_file()
    try:
        made = _page_bytes(page, producer, year, with_pdf, search, False)
        return old.out is None or made != (old.out / path).read_bytes()
    except OSError:
        return True


def _index_key(section: str, keys: dict[str, str]) -> str:
    """A section's search index's key: its name and the key of each of its pages (the index is made
    from all of them)."""
    import hashlib

    lines = [f"section {section}", *(f"{path} {key}" for path, key in sorted(keys.items()))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _page_bytes(page: Page, producer: Producer, year: int, with_pdf: bool, search: bool, unchanged: bool) -> bytes:
    if unchanged and producer.previous.out is not None:
        return (producer.previous.out / FOLDER / page.path).read_bytes()
    extra = context(page.path, year, with_pdf and bool(page.pdf), search)
    return producer.renderer.text(page.template, "html", page.data, site=extra).encode("utf-8")


def _put_pages(
    site_pages: list[Page],
    producer: Producer,
    keys: dict[str, str],
    unchanged: set[str],
    year: int,
    with_pdf: bool,
    search: bool,
) -> None:
    for page in site_pages:
        producer.keys[f"{FOLDER}/{page.path}"] = keys[page.path]
        producer.put(
            f"{FOLDER}/{page.path}",
            None if page.path in unchanged else _page_bytes(page, producer, year, with_pdf, search, False),
        )


def _warn(reason: str) -> None:
    """On stderr, in French: the site is written without its search box; the render goes on."""
    sys.stderr.write(f"avertissement : {reason} : le site des habitants (public/) est écrit sans recherche\n")
