"""`gasp trace proposal [ID]`: each proposal from the group that raised it to the référents' decision."""

import contextlib
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from .completion import complete_groups, complete_proposals, complete_themes
from .french import FrenchCommand, FrenchGroup

if TYPE_CHECKING:
    from ..lifecycle import History
    from ..loader import Records
    from ..trace import Summary
    from ..workspace import Workspace

app = typer.Typer(
    cls=FrenchGroup, no_args_is_help=True, help="Suivre les propositions : d’où elles viennent, où elles en sont."
)


class TraceFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"
    mermaid = "mermaid"


@app.command("proposal", cls=FrenchCommand)
def proposal(
    ctx: typer.Context,
    proposal_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            autocompletion=complete_proposals,
            help="Une proposition (son identifiant, ou un début d’identifiant qui n’en désigne qu’une). Sans ID : toutes.",
        ),
    ] = None,
    format: Annotated[
        TraceFormat,
        typer.Option("--format", help="text (terminal), md (Markdown), json, ou mermaid (diagramme, avec un ID)."),
    ] = TraceFormat.text,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Sans ID : seulement les propositions dont c’est le statut actuel, en français comme affiché (« mise à l’étude », « étude », « en cours », « validée »…) ou son code (study, in-progress, validated…).",
        ),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            autocompletion=complete_groups,
            help="Sans ID : seulement celles soulevées par ce groupe (son identifiant, son nom ou son genre : « usagers », « agents »).",
        ),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            autocompletion=complete_themes,
            help="Sans ID : seulement ce thème (son identifiant ou son titre).",
        ),
    ] = None,
) -> None:
    """La trace d’une proposition (ou de toutes) : soulevée, discutée, décidée, mise en œuvre."""
    from .. import facts
    from .common import load_records

    workspace, records, _ = load_records(ctx)
    derived = facts.of(records).histories

    if proposal_id is None:
        _list_proposals(workspace, records, derived, format, status, group, theme)
    else:
        if status is not None or group is not None or theme is not None:
            raise typer.BadParameter(
                "--status, --group et --theme filtrent la liste : pas avec un ID", param_hint="--status/--group/--theme"
            )
        _show_proposal(workspace, records, derived, format, proposal_id)


def _list_proposals(
    workspace: "Workspace",
    records: "Records",
    derived: "dict[str, History]",
    format: TraceFormat,
    status: str | None,
    group: str | None,
    theme: str | None,
) -> None:
    """Without an ID: every proposal, or those with this status, raised by this group, on this theme."""
    from ..documents import trace as formats
    from ..trace import summaries

    if format is TraceFormat.mermaid:
        raise typer.BadParameter(
            "le diagramme mermaid est celui d’une proposition : donnez son ID", param_hint="--format"
        )
    statuses = _statuses_named(status) if status is not None else []
    groups, themes = _groups_and_themes_named(records, group, theme)
    rows = [
        row
        for row in summaries(records, derived)
        if (status is None or row.status in statuses)
        and (group is None or row.raised_by in groups)
        and (theme is None or row.theme in themes)
    ]
    if statuses:
        _say_who_moved_on(records, derived, rows, statuses)
    title = f"Propositions — {records.gasp.name}" if records.gasp else "Propositions"
    with _reader_may_stop_early():
        if format is TraceFormat.text:
            formats.list_table(records, rows, title)
        else:
            _emit(formats.LIST_FORMATS, format.value, formats.TraceList(title, rows, records), workspace)


def _statuses_named(status: str) -> list[str]:
    """The statuses --status names; none is an error that lists them all."""
    from ..diagnostics import suggestion
    from ..trace import match_status
    from ..vocabulary import PROPOSAL_STATUSES

    statuses = match_status(status)
    if not statuses:
        shown = ", ".join(f"« {word} »" for word in PROPOSAL_STATUSES.values())
        raise typer.BadParameter(
            f"statut « {status} » inconnu{suggestion(status, PROPOSAL_STATUSES)} "
            f"(statuts : {shown}, ou leurs codes {', '.join(PROPOSAL_STATUSES)})",
            param_hint="--status",
        )
    return statuses


def _groups_and_themes_named(records: "Records", group: str | None, theme: str | None) -> tuple[list[str], list[str]]:
    """The groups --group names and the themes --theme names; naming none is an error."""
    from ..diagnostics import suggestion
    from ..trace import match_group, match_theme
    from .common import fail, unknown_group

    groups = match_group(records, group) if group is not None else []
    themes = match_theme(records, theme) if theme is not None else []
    if group is not None and not groups:
        raise fail(unknown_group(records, group))
    if theme is not None and not themes:
        raise fail(f"thème « {theme} » inconnu{suggestion(theme, records.themes)}")
    return groups, themes


def _show_proposal(
    workspace: "Workspace", records: "Records", derived: "dict[str, History]", format: TraceFormat, proposal_id: str
) -> None:
    """With an ID: the trace of the one proposal it names."""
    from ..documents import trace as formats
    from ..trace import UnknownProposal, find_proposal, standing, trace
    from .common import fail, judged_day

    try:
        pid = find_proposal(records, proposal_id)
    except UnknownProposal as error:
        raise fail(str(error)) from None
    result = trace(records, pid, derived)
    where = standing(result, judged_day(records))
    with _reader_may_stop_early():
        if format is TraceFormat.text:
            formats.trace_table(records, result, where)
        else:
            _emit(formats.FORMATS, format.value, formats.TracePage(result, records, where), workspace)


def _emit(table, output_format: str, data: object, workspace) -> None:  # type: ignore[no-untyped-def]
    """One format of the trace, from its table, to stdout; a broken template is an error, not a traceback."""
    from ..render.documents import RenderError, emit
    from .common import fail, reproducible_timestamp

    try:
        emit(table, output_format, data, workspace, None, reproducible_timestamp())
    except RenderError as error:
        raise fail(str(error)) from None


@contextlib.contextmanager
def _reader_may_stop_early() -> Iterator[None]:
    """`gasp trace proposal | head` is a success: the reader had what it wanted.

    The rest of the output goes to /dev/null, so that the flush at exit does not fail again.
    """
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # not a real file (tests): nothing will flush it


def _say_who_moved_on(
    records: "Records", derived: "dict[str, History]", rows: "list[Summary]", statuses: list[str]
) -> None:
    """--status filters on the current status: say which proposals had it and moved on since."""
    from ..vocabulary import PROPOSAL_STATUSES, plural

    listed = {row.id for row in rows}
    moved = sorted(
        pid
        for pid, history in derived.items()
        if pid in records.proposals and pid not in listed and any(e.kind in statuses for e in history.events)
    )
    if not moved:
        return
    now = sorted({PROPOSAL_STATUSES.get(derived[pid].status or "", "") for pid in moved} - {""})
    wanted = " ou ".join(f"« {PROPOSAL_STATUSES[s]} »" for s in statuses)
    typer.echo(
        f"gasp : --status retient le statut actuel ; {plural(len(moved), 'autre proposition')} "
        f"{'a' if len(moved) == 1 else 'ont'} été {wanted} puis {'a' if len(moved) == 1 else 'ont'} avancé "
        f"(aujourd’hui {', '.join(now)}) : {', '.join(moved)}",
        err=True,
    )
