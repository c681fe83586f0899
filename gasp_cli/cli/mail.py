"""`gasp mail`: a meeting's e-mail draft (.eml) in out/courriels/: its convocation, or its compte rendu."""

from pathlib import Path
from typing import Annotated

import typer

from .completion import complete_meetings


def mail(
    ctx: typer.Context,
    meeting_id: Annotated[
        str,
        typer.Argument(
            metavar="REUNION",
            autocompletion=complete_meetings,
            help="La réunion (identifiant) : prévue, sa convocation ; tenue ou annulée, son compte rendu.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DOSSIER",
            help="Dossier des brouillons (par défaut : out/courriels/ de l’espace de travail).",
        ),
    ] = None,
) -> None:
    """Prépare le courriel d’une réunion (brouillon .eml à ouvrir dans sa messagerie) : la convocation d’une réunion prévue, avec son PDF et l’événement pour l’agenda ; le compte rendu d’une réunion tenue, avec son PDF."""
    import os

    from ..diagnostics import suggestion
    from ..documents.courriel import FOLDER, MailError, draft
    from ..output import OutputError
    from ..render.documents import Renderer, RenderError
    from ..render.writer import check_target, publish
    from .common import fail, judged_day, load_records, reproducible_timestamp

    workspace, records, _ = load_records(ctx)
    if meeting_id not in records.meetings:
        raise fail(f"réunion « {meeting_id} » inconnue{suggestion(meeting_id, records.meetings)}")
    target = out if out is not None else workspace.out / FOLDER
    try:
        check_target(target, workspace.root, workspace.records)
        if target.resolve() == workspace.out.resolve():
            # out/ is `gasp render`'s, with its manifest and its index: the drafts get a folder of their own.
            raise OutputError(
                f"« {target} » est le dossier de gasp render : choisissez un sous-dossier, par exemple out/{FOLDER}/"
            )
        made = draft(records, meeting_id, judged_day(records), Renderer(workspace.templates, reproducible_timestamp()))
        publish(target, {made.name: made.payload}, None)
    except MailError as error:
        raise fail(f"{error} ; rien n’a été écrit") from None
    except (RenderError, OutputError) as error:
        raise fail(f"{error} ; rien n’a été écrit") from None
    relative = os.path.relpath((target / made.name).resolve())
    shown = relative if not relative.startswith("..") else str(target / made.name)
    if made.without_address:
        typer.echo(
            f"avertissement : sans adresse de courriel (email dans records/people/), donc pas destinataires : "
            f"{', '.join(made.without_address)}",
            err=True,
        )
    if not made.to and not made.bcc:
        typer.echo(
            "avertissement : aucun membre du groupe n’a d’adresse : ajoutez les destinataires à la main", err=True
        )
    hidden = f", {made.bcc} en copie cachée" if made.bcc else ""
    typer.echo(
        f"{made.kind} : {shown} ({made.to} destinataire{'s' if made.to > 1 else ''}{hidden}) ; ouvrez-le dans votre messagerie pour l’envoyer"
    )
