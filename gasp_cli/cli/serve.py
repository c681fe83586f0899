"""`gasp serve`: the documents live in the browser, the errors where they are seen, the entries as forms."""

from __future__ import annotations

import contextlib
import gc
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import socket

    from ..serve.workbench import Workbench


def serve(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port local (0 : un port libre, affiché au démarrage).")
    ] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Ouvre la page dans le navigateur.")] = False,
    read_only: Annotated[
        bool, typer.Option("--lecture-seule", help="Aucun formulaire : les documents et les erreurs seulement.")
    ] = False,
    formats: Annotated[
        str,
        typer.Option(
            "--format", metavar="md,html,pdf", help="Formats rendus à chaque changement (ceux de gasp render)."
        ),
    ] = "md,html,pdf",
    editor: Annotated[
        str | None,
        typer.Option(
            "--editeur",
            metavar="ADRESSE",
            envvar="GASP_EDITEUR",
            help="Lien qui ouvre un fichier à sa ligne dans votre éditeur, avec {path}, {line}, {column} "
            "(par défaut : vscode://file/{path}:{line}:{column}).",
        ),
    ] = None,
) -> None:
    """Un atelier dans le navigateur : documents à jour à chaque enregistrement, erreurs signalées, saisies."""
    from .common import fail, workspace

    try:
        import uvicorn

        from ..serve.app import create_app
        from ..serve.workbench import DEFAULT_EDITOR, Workbench
    except ImportError:
        raise fail(
            "gasp serve a besoin de ses paquets optionnels : installez « gasp-cli[serve] » (make install les installe)",
            code=2,
        ) from None
    found = workspace(ctx)
    bench = Workbench(found, formats=formats, editor=editor or DEFAULT_EDITOR, read_only=read_only)
    sockets = _sockets(port)
    if not sockets:
        raise fail(f"le port {port} est déjà pris sur 127.0.0.1 : essayez --port 0", code=1)
    bound = sockets[0].getsockname()[1]
    hosts = {f"127.0.0.1:{bound}", f"localhost:{bound}", f"[::1]:{bound}"}
    typer.echo("gasp serve : vérification et rendu des enregistrements…", err=True)
    # A server lives long: the collector the console script turns off for a short command is back.
    gc.enable()
    bench.start_worker()  # it imports gasp while this process checks the records
    bench.refresh()
    address = f"http://127.0.0.1:{bound}/"
    typer.echo(address)
    typer.echo(
        f"gasp serve : {address} (Ctrl-C pour arrêter){' — lecture seule' if read_only else ''}",
        err=True,
    )
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    # On Ctrl-C, uvicorn waits for the open responses to end: the pages' event streams are told to
    # end at once (else it waits forever), and a render under way is interrupted, not orphaned.
    config = uvicorn.Config(create_app(bench, hosts), log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = _server_class()(config, bench)
    try:
        server.run(sockets=sockets)
    finally:
        bench.stop()
        bench.close(30)
        typer.echo("gasp serve : arrêté", err=True)


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        def __init__(self, config: uvicorn.Config, bench: Workbench):
            super().__init__(config)
            self.bench = bench

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            self.bench.stop()
            super().handle_exit(sig, frame)

    return Server


def _sockets(port: int) -> list[socket.socket]:
    """Listening sockets on 127.0.0.1 and, when the machine has it, ::1 — never another address."""
    import socket  # here, not at start-up: only gasp serve listens

    first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        first.bind(("127.0.0.1", port))
    except OSError:
        first.close()
        return []
    found = [first]
    with contextlib.suppress(OSError):
        second = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        second.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            second.bind(("::1", first.getsockname()[1]))
            found.append(second)
        except OSError:
            second.close()
    for listening in found:
        listening.listen(64)
        listening.set_inheritable(False)
    return found
