"""`gasp rename KIND OLD NEW`: rename a record and every reference to it, in every file or in none."""

from enum import StrEnum
from typing import Annotated

import typer

from .completion import complete_rename_old


class RenameKind(StrEnum):
    person = "person"
    group = "group"
    service = "service"
    theme = "theme"
    proposal = "proposal"
    place = "place"


def rename(
    ctx: typer.Context,
    kind: Annotated[
        RenameKind,
        typer.Argument(
            metavar="SORTE", help="person, group, service, theme, proposal ou place (un lieu de gasp.yaml)."
        ),
    ],
    old: Annotated[
        str, typer.Argument(metavar="ANCIEN", autocompletion=complete_rename_old, help="L'identifiant actuel.")
    ],
    new: Annotated[
        str,
        typer.Argument(metavar="NOUVEAU", help="Le nouvel identifiant (minuscules sans accents, chiffres et tirets)."),
    ],
) -> None:
    """Renomme un enregistrement et chacune de ses mentions, en gardant commentaires et mise en page ; tous les fichiers ou aucun."""
    from ..renaming import RenameError, RenameInterrupted, apply_plan, check_plan, plan_rename
    from ..vocabulary import plural
    from .common import fail, load_records, now, print_diagnostics

    workspace, records, _ = load_records(ctx)
    try:
        plan = plan_rename(workspace, records, kind.value, old, new)
        errors = check_plan(workspace, plan, now())
        if errors:
            print_diagnostics(errors)
            raise fail(f"après ce renommage, {plural(len(errors), 'erreur')} : rien n'a été écrit")
        apply_plan(plan, workspace.records)
    except RenameError as error:
        raise fail(str(error)) from None
    except RenameInterrupted as stopped:
        raise fail(
            "interrompu : chaque fichier a été remis comme avant, rien n'a été renommé", code=stopped.code
        ) from None
    for change in plan.changes:
        if change.new_path is not None:
            typer.echo(f"{workspace.rel(change.path)} → {workspace.rel(change.new_path)}")
        else:
            typer.echo(f"{workspace.rel(change.path)} : {plural(change.references, 'mention')}")
    files = len(plan.changes)
    typer.echo(
        f"« {old} » → « {new} » : {plural(plan.references, 'mention')} dans {plural(files, 'fichier')}.", err=True
    )
