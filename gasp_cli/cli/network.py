"""`gasp network report`: one report over a network of Gasps, each site its own git repository."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..output import system_reason
from .french import FrenchCommandOutsideWorkspace, FrenchGroup

if TYPE_CHECKING:
    import datetime

    from ..network import SiteResult, SitesFile

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
    from .. import network
    from .common import check_year, now

    check_year(year, "--year")
    folder = _cache_folder(cache)
    if format is NetworkFormat.pdf and sys.stdout.isatty():
        raise typer.BadParameter(
            "un PDF ne s’affiche pas dans le terminal : redirigez la sortie (> reseau.pdf)", param_hint="--format"
        )
    network_file = _sites_file(sites)
    today = now()
    chosen = year or today.year
    results = _run(network_file, folder, chosen, today, timeout)
    totals = network.network_totals(chosen, results)
    failed = _say_how_it_went(results)
    if format is NetworkFormat.json:
        for chunk in network.json_chunks(chosen, results, totals):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    else:
        _write_page(format, network_file.name, chosen, results, totals)
    if results and not len(failed) < len(results):
        raise typer.Exit(code=1)


def _cache_folder(cache: str | None) -> Path:
    """--cache, or the user's cache folder."""
    from .. import network
    from .common import fail

    if cache is not None and not cache.strip():
        raise fail("--cache : un chemin vide n’est pas un dossier (il désignerait le dossier courant)", code=2)
    try:
        return (Path(cache) if cache is not None else network.default_cache()).expanduser()
    except (RuntimeError, ValueError):  # `~inconnu/…`: no such user
        raise fail(f"--cache : « {cache} » n’est pas un chemin utilisable (utilisateur inconnu ?)", code=2) from None


def _sites_file(sites: Path) -> "SitesFile":
    """The sites file, read and checked; its diagnostics printed and the command stopped if it is wrong."""
    from .. import network
    from ..vocabulary import plural
    from .common import fail, print_diagnostics

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
    return network_file


def _run(
    network_file: "SitesFile", folder: Path, year: int, today: "datetime.date", timeout: float
) -> "list[SiteResult]":
    """Every site's result; a busy cache, SIGTERM or an unusable cache stop the command in French."""
    from .. import network
    from .common import fail

    def waiting() -> None:
        typer.echo(
            f"gasp : le cache « {folder} » est pris par un autre « gasp network report » ; "
            f"attente de sa fin (au plus {timeout:g} s)…",
            err=True,
        )

    try:
        return network.run_network(network_file, folder, year, today, timeout, waiting=waiting)
    except network.CacheBusy as error:
        raise fail(str(error)) from None
    except network.Interrupted:
        raise fail(
            "arrêté (SIGTERM) : les copies temporaires des sites sont effacées, le cache est en ordre", code=143
        ) from None
    except OSError as error:
        raise fail(f"cache « {folder} » inutilisable : {system_reason(error)}") from None


def _say_how_it_went(results: "list[SiteResult]") -> "list[SiteResult]":
    """The run in one line on stderr, then each failed site; returns the failed sites."""
    from ..vocabulary import plural

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
    return failed


def _write_page(
    format: NetworkFormat, name: str, year: int, results: "list[SiteResult]", totals: dict[str, Any]
) -> None:
    """The network's page on stdout: in the terminal, or rendered in md, html or pdf."""
    from ..documents.network import network_page, print_page
    from .common import fail, reproducible_timestamp

    page = network_page(name, year, results, totals)
    if format is NetworkFormat.text:
        print_page(page)
        return
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
