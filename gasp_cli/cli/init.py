"""`gasp init`: a new workspace, or a copy of the embedded example."""

from pathlib import Path
from typing import Annotated

import typer


def init(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DOSSIER]", help="Le dossier de l'espace de travail (par défaut : le dossier courant)."
        ),
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Copier l'exemple d'Escautpont et de Bruay-sur-l'Escaut.")
    ] = False,
    name: Annotated[str, typer.Option("--name", help="Le nom du Gasp.")] = "Mon Gasp",
    commune: Annotated[
        list[str] | None,
        typer.Option(
            "--commune", help="Une commune du Gasp ; répétez l'option pour chacune (--commune A --commune B)."
        ),
    ] = None,
) -> None:
    """Crée un espace de travail : records/ (gasp.yaml, un groupe de chaque sorte), templates/, schémas, réglages d'éditeur."""
    from ..creating import CreationError
    from ..initializing import init_workspace
    from .common import fail, now

    target = folder or Path(".")
    try:
        written = init_workspace(target, example, name, commune or ["Ma commune"], now())
    except CreationError as error:
        raise fail(str(error)) from None
    typer.echo(f"Espace de travail créé dans {target} ({len(written)} fichiers).")
    typer.echo("Ensuite : gasp validate, puis gasp new meeting --group agents.")
