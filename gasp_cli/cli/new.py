"""`gasp new …`: write a new record, with French comments, that validates; never overwrite one."""

import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from .completion import complete_groups, complete_themes
from .french import FrenchCommand, FrenchGroup

if TYPE_CHECKING:
    from ..loader import Records

app = typer.Typer(
    cls=FrenchGroup,
    no_args_is_help=True,
    help="Écrire un nouvel enregistrement prêt à compléter : réunion, proposition, thème, personne, service.",
)

DATE_FORMATS = ["%Y-%m-%d"]

Created = TypeVar("Created")


def _written(path: Path) -> None:
    """The path, as the user can open it from where they are."""
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = str(path)
    typer.echo(shown if not shown.startswith("..") else str(path))


def _run(creator: Callable[[], Created]) -> Created:
    from ..creating import CreationError
    from .common import fail

    try:
        return creator()
    except CreationError as error:
        raise fail(str(error)) from None


@app.command("meeting", cls=FrenchCommand)
def meeting(
    ctx: typer.Context,
    group: Annotated[
        str, typer.Option("--group", metavar="GROUPE", autocompletion=complete_groups, help="Le groupe qui se réunit.")
    ],
    date: Annotated[
        datetime.datetime | None,
        typer.Option(
            "--date",
            formats=DATE_FORMATS,
            metavar="AAAA-MM-JJ",
            help="La date (par défaut : celle de la réunion qui vient d'avoir lieu, la dernière date de la cadence sans réunion enregistrée si elle date de moins d'une période ; sinon la prochaine).",
        ),
    ] = None,
) -> None:
    """Une réunion, préremplie : heure, lieu, membres présents, propositions en attente."""
    from ..creating import default_slot, new_meeting
    from .common import check_day, fail, judged_day, load_records_for_new, unknown_group

    chosen = check_day(date, "--date")
    workspace, records = load_records_for_new(ctx, "meetings", lambda records: _meeting_reads(records, group))
    if group not in records.groups:
        raise fail(unknown_group(records, group))
    today = judged_day(records)
    day = chosen or _run(lambda: default_slot(records, group, today))
    created = _run(lambda: new_meeting(workspace, records, group, day, today))
    _written(created.path)


@app.command("proposal", cls=FrenchCommand)
def proposal(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="L'intitulé de la proposition.")],
    theme: Annotated[
        str, typer.Option("--theme", metavar="THEME", autocompletion=complete_themes, help="Son thème (identifiant).")
    ],
    summary: Annotated[str | None, typer.Option("--summary", help="La proposition en quelques phrases.")] = None,
) -> None:
    """Une proposition ; son identifiant vient de son intitulé."""
    from ..creating import new_proposal
    from ..diagnostics import suggestion
    from .common import fail, load_records_for_new, source_file

    workspace, records = load_records_for_new(ctx, "proposals", lambda records: source_file(records, "themes", theme))
    if theme not in records.themes:
        raise fail(
            f"thème « {theme} » inconnu{suggestion(theme, records.themes)} (créez-le d'abord avec « gasp new theme »)"
        )
    _written(_run(lambda: new_proposal(workspace, records, _text(title, "--title"), theme, summary)))


@app.command("theme", cls=FrenchCommand)
def theme(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="L'intitulé du thème.")],
    description: Annotated[str | None, typer.Option("--description", help="Ce que recouvre le thème.")] = None,
) -> None:
    """Un thème ; son identifiant vient de son intitulé."""
    from ..creating import new_theme
    from .common import load_records_for_new

    workspace, records = load_records_for_new(ctx, "themes")
    _written(_run(lambda: new_theme(workspace, records, _text(title, "--title"), description)))


@app.command("person", cls=FrenchCommand)
def person(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="agent, resident (habitant), head, elected ou facilitator.")],
    name: Annotated[str | None, typer.Option("--name", help="Son nom (facultatif pour un habitant).")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Sa fonction.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Son service (identifiant).")] = None,
) -> None:
    """Une personne ; son identifiant vient de son nom (habitant-N pour un habitant sans nom)."""
    from ..creating import new_person
    from ..diagnostics import suggestion
    from ..loader import french_word
    from ..vocabulary import PERSON_KINDS
    from .common import fail, load_records_for_new, source_file

    if kind not in PERSON_KINDS:
        # `habitant`, `élu`: the French word gets its token (« écrivez resident (habitant) »).
        hint = french_word(kind, list(PERSON_KINDS)) or suggestion(kind, PERSON_KINDS)
        raise typer.BadParameter(
            f"« {kind} » n'est pas permis{hint} ; valeurs possibles : " + ", ".join(PERSON_KINDS),
            param_hint="--kind",
        )
    workspace, records = load_records_for_new(
        ctx, "people", lambda records: source_file(records, "services", service) if service else set()
    )
    if service is not None and service not in records.services:
        raise fail(f"service « {service} » inconnu{suggestion(service, records.services)}")
    # A name or a role with a control character is a usage error, told as such, not an internal one.
    name = _text(name, "--name") if name is not None else None
    role = _text(role, "--role") if role is not None else None
    _written(_run(lambda: new_person(workspace, records, name, kind, role, service)))


@app.command("service", cls=FrenchCommand)
def service(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Le nom du service.")],
    institution: Annotated[str, typer.Option("--institution", help="L'institution dont il relève.")],
    category: Annotated[str, typer.Option("--category", help="La rubrique du guide.")],
) -> None:
    """Un service, entrée du guide des services publics ; son identifiant vient de son nom."""
    from ..creating import new_service
    from .common import load_records_for_new

    workspace, records = load_records_for_new(ctx, "services")
    _written(
        _run(
            lambda: new_service(
                workspace,
                records,
                _text(name, "--name"),
                _text(institution, "--institution"),
                _text(category, "--category"),
            )
        )
    )


def _meeting_reads(records: "Records", group: str) -> set[str]:
    """What `gasp new meeting` reads: gasp.yaml (places, secretary, school zone), the group (its
    cadence and members) and the group's meetings (which dates are taken, which proposals wait)."""
    from .common import source_file

    files = source_file(records, "gasp", "gasp") | source_file(records, "groups", group)
    for mid in records.known_ids.get("meetings", set()) - records.meetings.keys():
        if mid.endswith(f"-{group}"):  # a meeting of the group that failed its model: its date is unsure
            files |= source_file(records, "meetings", mid)
    return files


def _text(value: str, option: str) -> str:
    import re

    from ..models import FORBIDDEN_IN_ONE_LINE

    if not value.strip():
        raise typer.BadParameter("ne doit pas être vide", param_hint=option)
    if re.search(FORBIDDEN_IN_ONE_LINE, value.strip()):
        # The model would refuse it too, but as an internal error: say it as a usage error.
        raise typer.BadParameter("une seule ligne, sans caractère de contrôle", param_hint=option)
    return value.strip()
