"""`gasp serve`'s web application (Starlette): out/ served live, the errors shown, the entries as forms.

Safe by construction, for a server that only ever listens on the loopback:
- a request whose Host is not the local address and port is refused (DNS rebinding);
- a POST whose Origin (or, without one, Referer) is not this server is refused (cross-site
  forms), and every form carries this run's secret token (CSRF);
- only files inside out/ are served (no `..`, no symbolic link leading out), and only files
  inside records/ are written, through `gasp new meeting` and `editing`;
- `--lecture-seule` turns every form off.
"""

from __future__ import annotations

import asyncio
import difflib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import editing
from . import forms

if TYPE_CHECKING:
    from ..models import Meeting
    from .workbench import Workbench

HERE = Path(__file__).resolve().parent
PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE / "pages")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
EVENT_WAIT = 15.0  # seconds between two keep-alive comments of the event stream


class LocalOnly:
    """Refuses a foreign Host, and a POST from another origin (ASGI middleware)."""

    def __init__(self, app: ASGIApp, hosts: set[str]):
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        host = headers.get("host", "")
        reason = None
        if host not in self.hosts:
            reason = f"adresse « {host} » refusée : gasp serve ne répond qu’à l’adresse locale"
        elif scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin") or headers.get("referer") or ""
            if urlsplit(origin).netloc not in self.hosts:
                reason = "formulaire refusé : il ne vient pas d’une page de gasp serve"
        if reason is not None:
            response = HTMLResponse(_page("refus.html.j2", reason=reason), status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _page(name: str, **context: Any) -> str:
    return PAGES.get_template(name).render(**context)


def create_app(bench: Workbench, hosts: set[str]) -> ASGIApp:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        bench.attach()
        watcher = asyncio.create_task(_watch(bench))
        try:
            yield
        finally:
            watcher.cancel()

    async def events(request: Request) -> Response:
        return await _events(bench, request)

    routes = [
        Route("/_gasp/events", events),
        Route("/_gasp/etat", lambda request: _state(bench)),
        Route("/_gasp/atelier.js", lambda request: FileResponse(HERE / "static" / "atelier.js")),
        Route("/_gasp/atelier.css", lambda request: FileResponse(HERE / "static" / "atelier.css")),
        Route("/_gasp/avertissements", lambda request: _warnings(bench)),
        Route("/_gasp/saisie", lambda request: _entries(bench)),
        Route("/_gasp/saisie/reunion/{meeting}", lambda request: _meeting_form(bench, request)),
        Route("/_gasp/saisie/nouvelle-reunion", _guarded(bench, _new_meeting), methods=["POST"]),
        Route("/_gasp/saisie/reunion/{meeting}/{entry}", _guarded(bench, _meeting_entry), methods=["POST"]),
        Route("/_gasp/historique", _guarded(bench, _commit), methods=["POST"]),
        Route("/{path:path}", lambda request: _out_file(bench, request)),
    ]
    return LocalOnly(Starlette(routes=routes, lifespan=lifespan), hosts)


# --- live documents -----------------------------------------------------------------------------


async def _watch(bench: Workbench) -> None:
    """Re-check and re-render on every change under records/ and templates/."""
    import watchfiles

    folders = [bench.workspace.records]
    if bench.workspace.templates.is_dir():
        folders.append(bench.workspace.templates)
    # step: the news comes once the folder has been quiet for 20 ms (an editor's save is one or
    # two writes in a row); debounce: at most 50 ms of changes gathered into one refresh.
    async for _ in watchfiles.awatch(*folders, debounce=50, step=20, watch_filter=_worth_it):
        await run_in_threadpool(bench.refresh, time.time())
        await bench.announce()


def _worth_it(change: object, path: str) -> bool:
    """Not the editors' swap files nor gasp's own temporaries."""
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".swp", ".tmp")))


async def _events(bench: Workbench, request: Request) -> Response:
    async def stream() -> AsyncIterator[str]:
        seen = bench.generation
        yield f"retry: 500\ndata: {seen}\n\n"
        while not bench.stopping and not await request.is_disconnected():
            now = await bench.wait_past(seen, EVENT_WAIT)
            if bench.stopping:
                break
            if now != seen:
                seen = now
                yield f"event: reload\ndata: {now}\n\n"
            else:
                yield ": toujours là\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def _state(bench: Workbench) -> Response:
    from starlette.responses import JSONResponse

    return JSONResponse(
        {
            "generation": bench.generation,
            "errors": [d.as_text() for d in bench.errors],
            "warnings": len(bench.warnings),
            "render": bench.last_render,
            "render_problem": bench.render_problem,
            "stages": bench.stages,
        }
    )


def _out_file(bench: Workbench, request: Request) -> Response:
    out = bench.out.resolve()
    relative = request.path_params["path"]
    target = (out / relative).resolve() if relative else out
    if not target.is_relative_to(out):
        return _not_found(bench, relative)
    if target.is_dir():
        if relative and not relative.endswith("/"):
            return RedirectResponse(f"/{relative}/")
        target = target / "index.html"
    if not target.is_file():
        if not relative:
            return HTMLResponse(_page("attente.html.j2", bench=bench, banner=_banner(bench)))
        return _not_found(bench, relative)
    if target.suffix != ".html":
        return FileResponse(target, headers={"Cache-Control": "no-store"})
    html = target.read_text(encoding="utf-8", errors="replace")
    return HTMLResponse(_inject(html, _banner(bench)), headers={"Cache-Control": "no-store"})


def _not_found(bench: Workbench, relative: str) -> Response:
    return HTMLResponse(_page("introuvable.html.j2", path=relative, banner=_banner(bench)), status_code=404)


def _banner(bench: Workbench, live: bool = True) -> str:
    """The bar, the errors and the reload script. A page with forms, or the result of one, is not
    reloaded under the secretary's typing (nor posted twice): it says that the records changed."""
    return _page(
        "banniere.html.j2",
        bench=bench,
        live=live,
        problems=[(d, bench.editor_link(d), bench.quoted_lines(d)) for d in bench.errors[:50]],
    )


def _inject(html: str, banner: str) -> str:
    """The workbench's bar and the reload script, just before </body> (or at the end)."""
    at = html.lower().rfind("</body>")
    return html + banner if at < 0 else html[:at] + banner + html[at:]


# --- pages of the workbench -----------------------------------------------------------------------


def _warnings(bench: Workbench) -> Response:
    rows = [(d, bench.editor_link(d)) for d in bench.warnings]
    return HTMLResponse(_page("avertissements.html.j2", bench=bench, rows=rows, banner=_banner(bench)))


def _entries(bench: Workbench) -> Response:
    from ..creating import default_slot

    records = bench.records
    if records is None:
        return HTMLResponse(_page("attente.html.j2", bench=bench, banner=_banner(bench)))
    today = bench.today()
    groups = []
    for group_id, group in sorted(records.groups.items()):
        try:
            proposed = default_slot(records, group_id, today).isoformat()
        except (KeyError, ValueError):
            proposed = today.isoformat()
        groups.append((group_id, group.name, proposed))
    meetings = sorted(records.meetings.items(), key=lambda kv: kv[1].date, reverse=True)
    planned = [(mid, m) for mid, m in meetings if m.status == "planned"]
    recent = [(mid, m) for mid, m in meetings if m.status != "planned"][:12]
    return HTMLResponse(
        _page(
            "saisie.html.j2",
            bench=bench,
            groups=groups,
            planned=planned,
            recent=recent,
            names={gid: g.name for gid, g in records.groups.items()},
            banner=_banner(bench, live=False),
        )
    )


def _meeting_form(bench: Workbench, request: Request, problems: list[str] | None = None) -> Response:
    records = bench.records
    meeting_id = request.path_params["meeting"]
    if records is None or meeting_id not in records.meetings:
        return _not_found(bench, f"_gasp/saisie/reunion/{meeting_id}")
    meeting = records.meetings[meeting_id]
    path = bench.workspace.root / records.sources[("meetings", meeting_id)].rel
    text = path.read_text(encoding="utf-8")
    group = records.groups.get(meeting.group)
    deciding = group is not None and group.kind in ("referents", "intergroupes")
    return HTMLResponse(
        _page(
            "reunion.html.j2",
            bench=bench,
            meeting_id=meeting_id,
            meeting=meeting,
            group=group,
            deciding=deciding,
            digest=editing.digest(text),
            people=forms.attendance_choices(records, meeting),
            themes=forms.theme_choices(records),
            proposals=forms.proposal_choices(records),
            problems=problems or [],
            file=bench.workspace.rel(path),
            banner=_banner(bench, live=False),
        ),
        status_code=422 if problems else 200,
    )


# --- writing ------------------------------------------------------------------------------------------

Handler = Callable[["Workbench", Request, dict[str, str]], Awaitable[Response]]


def _guarded(bench: Workbench, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A form's handler, called only with this run's token and outside read-only mode."""

    async def guarded(request: Request) -> Response:
        import secrets

        if bench.read_only:
            return HTMLResponse(_page("refus.html.j2", reason="gasp serve est en lecture seule"), status_code=403)
        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
        if not secrets.compare_digest(form.get("jeton", ""), bench.token):
            return HTMLResponse(
                _page("refus.html.j2", reason="formulaire périmé ou étranger : rechargez la page"), status_code=403
            )
        return await handler(bench, request, form)

    return guarded


async def _new_meeting(bench: Workbench, request: Request, form: dict[str, str]) -> Response:
    records = bench.records
    group = form.get("group", "")
    day = forms.parse_date(form.get("date", ""))
    if records is None or group not in records.groups or day is None:
        return HTMLResponse(_page("refus.html.j2", reason="groupe ou date invalide"), status_code=422)
    path = bench.workspace.records / "meetings" / str(day.year) / f"{day.isoformat()}-{group}.yaml"
    if not _inside_records(bench, path):
        return HTMLResponse(_page("refus.html.j2", reason=_OUTSIDE.format(bench.workspace.rel(path))), status_code=403)
    command = [sys.executable, "-m", "gasp_cli", "--records", str(bench.workspace.root)]
    command += ["new", "meeting", "--group", group, "--date", day.isoformat()]
    done = await run_in_threadpool(subprocess.run, command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return HTMLResponse(_page("refus.html.j2", reason=done.stderr.strip()), status_code=422)
    return await _written(bench, path, "", f"Nouvelle réunion : {records.groups[group].name}, {day.isoformat()}")


async def _meeting_entry(bench: Workbench, request: Request, form: dict[str, str]) -> Response:
    records = bench.records
    meeting_id = request.path_params["meeting"]
    if records is None or meeting_id not in records.meetings:
        return _not_found(bench, meeting_id)
    meeting = records.meetings[meeting_id]
    path = bench.workspace.root / records.sources[("meetings", meeting_id)].rel
    if not _inside_records(bench, path):
        return HTMLResponse(_page("refus.html.j2", reason=_OUTSIDE.format(bench.workspace.rel(path))), status_code=403)
    try:
        change, message = _change_for(records, meeting, request.path_params["entry"], form)
        edit = await run_in_threadpool(
            editing.prepare, bench.workspace, path, form.get("empreinte", ""), change, bench.today()
        )
        if edit.errors:
            return _meeting_form(bench, request, [d.as_text() for d in edit.errors])
        await run_in_threadpool(editing.write, edit)
    except editing.EditError as error:
        return _meeting_form(bench, request, [str(error)])
    return await _written(bench, path, edit.old_text, f"{message} ({meeting_id})")


_OUTSIDE = "« {} » mène hors de records/ (un lien symbolique) : gasp serve n’y écrit pas"


def _inside_records(bench: Workbench, path: Path) -> bool:
    """Whether writing `path` writes inside records/: neither the file nor a folder on its way is a
    symbolic link leading out (a form never writes through a link)."""
    records = bench.workspace.records.resolve()
    return not path.is_symlink() and path.parent.resolve().is_relative_to(records)


def _change_for(records: Any, meeting: Meeting, entry: str, form: dict[str, str]) -> tuple[Any, str]:
    """The change a form asks for, and the commit message it proposes."""
    if entry == "presences":
        attendees, excused = forms.chosen_people(records, meeting, form)
        status = form.get("status", "held")
        if status not in ("planned", "held", "cancelled"):
            raise editing.EditError("statut inconnu")
        return editing.attendance(status, attendees, excused), "Présents et excusés"
    if entry == "tour":
        note = form.get("note", "").strip()
        if not note:
            raise editing.EditError("le problème évoqué est vide")
        return editing.problem_raised(form.get("theme") or None, note), "Tour de table"
    if entry == "proposition":
        event = form.get("event", "")
        if event not in ("raised", "discussed", "withdrawn"):
            raise editing.EditError("événement inconnu")
        return editing.proposal_event(form.get("proposal", ""), event, form.get("note", "").strip() or None), (
            "Proposition soulevée" if event == "raised" else "Proposition discutée"
        )
    if entry == "decision":
        outcome = form.get("outcome", "")
        if outcome not in ("validated", "rejected", "deferred", "study"):
            raise editing.EditError("décision inconnue")
        reason = form.get("note", "").strip() or None
        return editing.decision(form.get("proposal", ""), outcome, reason), "Décision des référents"
    if entry == "envoi":
        day = forms.parse_date(form.get("minutes_sent", ""))
        if day is None:
            raise editing.EditError("date d'envoi invalide (AAAA-MM-JJ)")
        return editing.minutes_sent(day), "Compte rendu envoyé"
    raise editing.EditError(f"saisie « {entry} » inconnue")


async def _written(bench: Workbench, path: Path, old_text: str, message: str) -> Response:
    """After a write: the diff of what was written, and the offer to commit it."""
    await run_in_threadpool(bench.refresh)
    await bench.announce()
    relative = bench.workspace.rel(path)
    diff, in_git = await run_in_threadpool(_diff, bench, path, old_text)
    return HTMLResponse(
        _page(
            "ecrit.html.j2",
            bench=bench,
            file=relative,
            diff=diff,
            in_git=in_git,
            message=message,
            banner=_banner(bench, live=False),
        )
    )


def _diff(bench: Workbench, path: Path, old_text: str) -> tuple[str, bool]:
    root = bench.workspace.root
    inside = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True, check=False
    )
    if inside.returncode == 0 and inside.stdout.strip() == "true":
        tracked = subprocess.run(
            ["git", "-C", str(root), "ls-files", "--error-unmatch", "--", str(path)], capture_output=True, check=False
        )
        command = ["git", "-C", str(root), "diff", "--no-color"]
        command += ["--", str(path)] if tracked.returncode == 0 else ["--no-index", "--", "/dev/null", str(path)]
        shown = subprocess.run(command, capture_output=True, text=True, check=False)
        return shown.stdout, True
    new_text = path.read_text(encoding="utf-8")
    relative = bench.workspace.rel(path)
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{relative}", f"b/{relative}"
    )
    return "".join(lines), False


async def _commit(bench: Workbench, request: Request, form: dict[str, str]) -> Response:
    root = bench.workspace.root
    records = bench.workspace.records.resolve()
    path = (root / form.get("file", "")).resolve()
    message = form.get("message", "").strip()
    if not path.is_relative_to(records) or not path.is_file() or not message:
        return HTMLResponse(_page("refus.html.j2", reason="fichier ou message invalide"), status_code=422)

    def commit() -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "-C", str(root), "add", "--", str(path)], capture_output=True, check=False)
        return subprocess.run(
            ["git", "-C", str(root), "commit", "--quiet", "-m", message, "--", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )

    done = await run_in_threadpool(commit)
    return HTMLResponse(
        _page(
            "historique.html.j2",
            bench=bench,
            ok=done.returncode == 0,
            said=(done.stderr or done.stdout).strip(),
            message=message,
            banner=_banner(bench, live=False),
        ),
        status_code=200 if done.returncode == 0 else 422,
    )
