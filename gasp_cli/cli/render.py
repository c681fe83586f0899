"""`gasp render`: comptes rendus, both editions of the guide, the référents' dossier and the calendar."""

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from ..documents.registry import only_help
from .completion import complete_meetings

if TYPE_CHECKING:
    from rich.progress import TaskID

    from ..loader import Records
    from ..render.request import RenderRequest
    from ..render.writer import Narrowing, Publication


def render(
    ctx: typer.Context,
    meeting_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[REUNION]...",
            autocompletion=complete_meetings,
            help="Les réunions dont faire le compte rendu (tenues ou annulées) ou la convocation (prévues), par leurs identifiants. Sans : tout.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DOSSIER", help="Dossier de sortie (par défaut : out/ de l'espace de travail)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", metavar="md,html,pdf", help="Formats, séparés par des virgules.")
    ] = "md,html,pdf",
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="SORTE",
            help=only_help(),
        ),
    ] = None,
) -> None:
    """Produit les documents du Gasp dans out/ : comptes rendus, convocations et feuilles d’émargement, guides, dossiers des référents, calendrier, rapports, propositions, suivi."""
    from ..documents.base import NotNarrow
    from ..output import OutputError
    from ..render.documents import RenderError, RenderRequest
    from ..render.inputs import discussions, inputs_fingerprint, outline_fingerprint, render_key
    from ..render.writer import Narrowing, check_target, up_to_date
    from ..vocabulary import plural
    from .common import fail, judged_day, load_records, reproducible_timestamp, source_date

    chosen_formats = _chosen_formats(formats)
    kinds = _chosen_kinds(only)

    workspace, records, _ = load_records(ctx)
    ids = list(dict.fromkeys(meeting_ids or []))
    kinds = _checked_kinds(records, ids, kinds, chosen_formats)
    today = judged_day(records)
    from ..documents.convocation import upcoming

    request = RenderRequest(
        # A meeting still planned has no compte rendu yet: its convocation, if it comes in the next weeks.
        meeting_ids=ids
        or sorted([mid for mid, m in records.meetings.items() if m.status != "planned"] + upcoming(records, today)),
        formats=chosen_formats,
        kinds=tuple(kinds),
        today=today,
        edition_date=source_date() or today,
        timestamp=reproducible_timestamp(),
    )
    target = out if out is not None else workspace.out
    # Everything this render depends on: when the last render into target had the same, and left
    # its files as they are, there is nothing to do (not a view built, not a file read but the manifest).
    fingerprint = inputs_fingerprint(records, workspace.templates)
    key = render_key(fingerprint, request, every_meeting=not ids)
    try:
        check_target(target, workspace.root, workspace.records)
        shown = (
            os.path.relpath(target.resolve()) if not os.path.relpath(target.resolve()).startswith("..") else str(target)
        )
        checked = up_to_date(target, key)
        if checked is not None:
            typer.echo(f"{shown} est à jour : rien n'a changé ({plural(checked, 'fichier vérifié')})")
            return
        # The same without the meetings' discussions: the next render, when only discussions changed,
        # makes their meetings' documents only (render/documents.py `_produce_narrow`).
        narrowing = (
            Narrowing(
                render_key(outline_fingerprint(records, workspace.templates), request, True), discussions(records)
            )
            if not ids
            else None
        )
        keys = _Keys(fingerprint, key, narrowing)
        try:
            changed, documents = _publish(records, request, workspace.templates, target, not ids, keys)
        except NotNarrow:
            # Only discussions had changed, but their meetings' documents could not be made alone
            # (Pagefind failed on their search section): nothing was written; the render again, in full.
            changed, documents = _publish(records, request, workspace.templates, target, not ids, keys, False)
    except (RenderError, OutputError) as error:
        raise fail(f"{error} ; rien n'a été écrit") from None
    _report(shown, changed, documents)


class _Keys(NamedTuple):
    """What the render depends on (render/inputs.py): its records and setting (`fingerprint`), all of it
    (`key`), and all but the discussions (`narrowing`, None for a render of named meetings)."""

    fingerprint: str
    key: str
    narrowing: "Narrowing | None"


def _publish(
    records: "Records",
    request: "RenderRequest",
    templates: Path | None,
    target: Path,
    every_meeting: bool,
    inputs: _Keys,
    narrow: bool = True,
) -> tuple["Publication", list[str]]:
    """The render's documents into `target`: each goes to out/ (beside its target, renamed at the end)
    as soon as it is made. `narrow` False: never only the documents of some discussions (documents.py
    `_produce_narrow`). Returns what was published, and the documents' paths."""
    from ..render.documents import Previous, answered_by, render_documents, render_index
    from ..render.writer import Session

    narrowing = inputs.narrowing

    with Session(target, answered_by(request, every_meeting)) as session:
        previous = Previous(target.resolve(), session.manifest, session.statuses)  # read under the session's lock
        with _progress_bar() as progress:
            input_keys: dict[str, str] = {}
            paths, keys = render_documents(
                records,
                request,
                templates,
                previous,
                progress,
                session.add,
                inputs.fingerprint,
                input_keys,
                narrowing,
                narrow,
                session.keep,
            )
        documents = [path for path in paths if not path.startswith(".")]
        changed = session.finish(
            lambda listed: render_index(records, listed, request.edition_date, templates, previous, keys, input_keys),
            keys,
            inputs.key,
            len(documents),
            input_keys,
            narrowing,
        )
    return changed, documents


def _chosen_formats(formats: str) -> tuple[str, ...]:
    """The formats of --format, each checked."""
    from ..diagnostics import suggestion
    from ..render.documents import FORMATS

    chosen_formats = tuple(dict.fromkeys(f.strip() for f in formats.split(",") if f.strip()))
    for value in chosen_formats:
        if value not in FORMATS:
            raise typer.BadParameter(
                f"format « {value} » inconnu{suggestion(value, FORMATS)} (formats : md, html, pdf)",
                param_hint="--format",
            )
    if not chosen_formats:
        raise typer.BadParameter("aucun format choisi (formats : md, html, pdf)", param_hint="--format")
    return chosen_formats


def _chosen_kinds(only: list[str] | None) -> list[str]:
    """The kinds of --only, each checked (repeatable, or separated by commas)."""
    from ..diagnostics import suggestion
    from ..documents.registry import names

    known = names()
    kinds = [k.strip() for value in (only or []) for k in value.split(",") if k.strip()]
    for kind in kinds:
        if kind not in known:
            raise typer.BadParameter(
                f"sorte « {kind} » inconnue{suggestion(kind, known)} (sortes : {', '.join(known)})", param_hint="--only"
            )
    return kinds


def _checked_kinds(records: "Records", ids: list[str], kinds: list[str], chosen_formats: tuple[str, ...]) -> list[str]:
    """The kinds to make, once the named meetings are checked against them."""
    from ..diagnostics import suggestion
    from ..documents.registry import kinds_of, meeting_kinds, names
    from .common import fail

    for meeting_id in ids:
        if meeting_id not in records.meetings:
            raise fail(f"réunion « {meeting_id} » inconnue{suggestion(meeting_id, records.meetings)}")
    if ids and not kinds:
        kinds = list(meeting_kinds())
    for meeting_id in ids:
        _check_meeting(records, meeting_id, kinds)
    if not kinds:
        return list(names())
    for kind in kinds_of(kinds):
        if kind.web and "html" not in chosen_formats:
            typer.echo(
                f"avertissement : {kind.note or kind.name} est fait de pages web : sans html dans --format, "
                f"gasp render --only {kind.name} ne le produit pas",
                err=True,
            )
    return kinds


def _check_meeting(records: "Records", meeting_id: str, kinds: list[str]) -> None:
    """A planned meeting has no compte rendu yet, but its convocation; a held one no convocation."""
    from .common import fail

    planned = records.meetings[meeting_id].status == "planned"
    if planned and "convocations" not in kinds:
        raise fail(
            f"la réunion « {meeting_id} » est encore prévue (status: planned) : pas de compte rendu avant "
            "qu'elle soit tenue ou annulée ; sa convocation : gasp render " + meeting_id
        )
    if not planned and "convocations" in kinds and "comptes-rendus" not in kinds:
        raise fail(
            f"la réunion « {meeting_id} » est {'tenue' if records.meetings[meeting_id].status == 'held' else 'annulée'} : "
            "pas de convocation, son compte rendu : gasp render " + meeting_id
        )


def _report(shown: str, changed: "Publication", documents: list[str]) -> None:
    """What the render did: the files it wrote, and (over an earlier render) those it left as they were."""
    from ..vocabulary import plural, thousands

    if changed.written <= 1 and not changed.removed:  # nothing, or only the manifest (a new key, new times)
        typer.echo(f"{shown} est à jour : rien n'a changé ({plural(len(documents), 'fichier vérifié')})")
        return
    # gasp's own files that are no longer documents (a deleted meeting); not the files of the site's
    # search index, which change names whenever it is remade.
    removed = [path for path in changed.removed if not path.startswith("public/pagefind/")]
    if removed:
        typer.echo(f"retirés de {shown}, qui n’en sont plus : {', '.join(removed)}", err=True)
    # What the render did: the files it wrote, and (over an earlier render) those it left as they were.
    updated = [path for path in changed.updated if path != "index.html"]
    index_written = len(updated) < len(changed.updated)
    total = len(documents) + 1
    unchanged = total - len(changed.updated)
    counts: dict[str, int] = {}
    for path in updated if unchanged else documents:
        folder = path.split("/")[0] + "/" if "/" in path else ""
        counts[folder] = counts.get(folder, 0) + 1
    parts = [
        f"{count} dans {folder}" if folder else f"{count} à la racine"
        for folder, count in sorted(counts.items(), key=lambda pair: (not pair[0], pair[0]))
    ]
    if not unchanged:
        summary = ", ".join(parts)
        typer.echo(f"{plural(total, 'fichier écrit')} dans {shown} ({summary + ', et ' if summary else ''}index.html)")
        return
    if index_written:
        parts.append("index.html")
    detail = f" ({', '.join(parts[:-1]) + ' et ' + parts[-1] if len(parts) > 1 else parts[0]})" if parts else ""
    written = len(changed.updated)
    typer.echo(
        f"{thousands(written)} {'fichier mis à jour' if written < 2 else 'fichiers mis à jour'}, "
        f"{thousands(unchanged)} {'inchangé' if unchanged < 2 else 'inchangés'} dans {shown}{detail}"
    )


class _TerminalProgress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    _task: "TaskID"  # from __enter__ on: the bar is only moved inside its `with`

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from ..terminal import console

        self._bar = Progress(
            TextColumn("Rendu"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=console(stderr=True),
            transient=True,
        )

    def __enter__(self) -> "_TerminalProgress":
        self._bar.__enter__()
        self._task = self._bar.add_task("", total=0)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._bar.__exit__(kind, error, traceback)

    def add(self, steps: int) -> None:
        self._bar.update(self._task, total=(self._bar.tasks[0].total or 0) + steps)

    def advance(self, label: str) -> None:
        from ..escape import terminal

        self._bar.update(self._task, advance=1, description=terminal(label))


def _progress_bar() -> contextlib.AbstractContextManager[Any]:
    """The bar on a terminal, else render's silent Progress: both have add() and advance()."""
    import sys

    from ..render.documents import Progress

    if sys.stderr.isatty():
        return _TerminalProgress()
    return contextlib.nullcontext(Progress())
