"""`gasp network report`: one report over a network of Gasps, each site its own git repository."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..output import system_reason
from .french import FrenchCommandOutsideWorkspace, FrenchGroup

app = typer.Typer(
    cls=FrenchGroup,
    no_args_is_help=True,
    help="Un réseau de Gasp : lire les dépôts git de plusieurs sites et en faire un rapport commun.",
)


class NetworkFormat(StrEnum):
    text = "text"
    md = "md"
    html = "html"
    pdf = "pdf"
    json = "json"


@app.command("report", cls=FrenchCommandOutsideWorkspace)
def report(
    sites: Annotated[
        Path,
        typer.Option(
            "--sites", metavar="FICHIER", help="Le fichier YAML des sites : name, puis sites (id, name, repo, ref)."
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option("--year", metavar="AAAA", help="L’année, de 1900 à 2200 (par défaut : l’année en cours)."),
    ] = None,
    format: Annotated[
        NetworkFormat, typer.Option("--format", help="text (terminal), md, html, pdf ou json.")
    ] = NetworkFormat.text,
    cache: Annotated[
        str | None,
        typer.Option(
            "--cache",
            metavar="DOSSIER",
            help="Le cache des dépôts et des résultats (par défaut : ~/.cache/gasp/network, ou $XDG_CACHE_HOME/gasp/network).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDES",
            min=1,
            max=3600,
            help="Délai accordé à chaque site (chaque commande git, puis sa lecture) et à l’attente du "
            "cache s’il est pris par un autre « gasp network report » (par défaut : 120 s).",
        ),
    ] = 120.0,
) -> None:
    """Le rapport d’un réseau de Gasp : chaque site lu dans son dépôt git, vérifié et compté comme « gasp report », puis les totaux du réseau."""
    import sys

    from .. import network
    from ..vocabulary import plural
    from .common import check_year, fail, now, print_diagnostics, reproducible_timestamp

    check_year(year, "--year")
    if cache is not None and not cache.strip():
        raise fail("--cache : un chemin vide n’est pas un dossier (il désignerait le dossier courant)", code=2)
    try:
        folder = (Path(cache) if cache is not None else network.default_cache()).expanduser()
    except (RuntimeError, ValueError):  # `~inconnu/…`: no such user
        raise fail(f"--cache : « {cache} » n’est pas un chemin utilisable (utilisateur inconnu ?)", code=2) from None
    if format is NetworkFormat.pdf and sys.stdout.isatty():
        raise typer.BadParameter(
            "un PDF ne s’affiche pas dans le terminal : redirigez la sortie (> reseau.pdf)", param_hint="--format"
        )
    try:
        is_file = sites.is_file()
    except OSError:
        is_file = False
    if not is_file:
        raise fail(f"--sites : « {sites} » n’est pas un fichier lisible", code=2)
    network_file, diagnostics = network.read_sites(sites, str(sites))
    if network_file is None:
        print_diagnostics(diagnostics)
        raise fail(f"{plural(len(diagnostics), 'erreur')} dans le fichier des sites : rien n’a été lu.")
    today = now()
    chosen = year or today.year

    def waiting() -> None:
        typer.echo(
            f"gasp : le cache « {folder} » est pris par un autre « gasp network report » ; "
            f"attente de sa fin (au plus {timeout:g} s)…",
            err=True,
        )

    try:
        results = network.run_network(network_file, folder, chosen, today, timeout, waiting=waiting)
    except network.CacheBusy as error:
        raise fail(str(error)) from None
    except network.Interrupted:
        raise fail(
            "arrêté (SIGTERM) : les copies temporaires des sites sont effacées, le cache est en ordre", code=143
        ) from None
    except OSError as error:
        raise fail(f"cache « {folder} » inutilisable : {system_reason(error)}") from None
    totals = network.network_totals(chosen, results)
    failed = [r for r in results if r.status != "ok"]
    read = sum(r.read for r in results)
    cached = sum(not r.read and r.commit is not None for r in results)
    typer.echo(
        f"gasp : {plural(len(results), 'site')}, {len(results) - len(failed)} en ordre, {len(failed)} en échec ; "
        f"{plural(read, 'lu')}, {cached} repris du cache.",
        err=True,
    )
    for result in failed:
        typer.echo(f"gasp : site « {result.site.id} » en échec : {result.reason}", err=True)

    if format is NetworkFormat.json:
        for chunk in network.json_chunks(chosen, results, totals):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    else:
        from ..documents.network import network_page, print_page

        page = network_page(network_file.name, chosen, results, totals)
        if format is NetworkFormat.text:
            print_page(page)
        else:
            from ..render.documents import Renderer, RenderError

            renderer = Renderer(None, reproducible_timestamp())
            try:
                if format is NetworkFormat.pdf:
                    output = renderer.pdf("network.typ.j2", page)
                    sys.stdout.buffer.write(output)
                    sys.stdout.flush()
                else:
                    typer.echo(renderer.text(f"network.{format.value}.j2", format.value, page), nl=False)
            except RenderError as error:
                raise fail(f"{error} ; rien n’a été écrit") from None
    if results and not len(failed) < len(results):
        raise typer.Exit(code=1)
