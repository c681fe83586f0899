"""The residents' site's search in Chromium: requests and time to the first result, on a large site.

The site of the generated 40-year workspace (benchmarks/generate.py; rendered here with
`gasp render --only public --format html` unless a rendered public/ folder is given) is served
over HTTP by a web server of this script, which counts the requests it answers and may wait
before each (a slow network: `--delay`, 40 ms by default, beside none). Debian's Chromium
(driven by Playwright), without cache, opens the home page and types a word in the search box,
at once and then one letter every 150 ms (someone typing); printed: the requests made from the
first focus of the box to the results, and the seconds from the last letter to the first result.
The search index is in sections (docs/vitesse.md): one index per year, merged in the browser.

Not part of `make bench` (it renders a 40-year site). Usage:
python benchmarks/search.py [--public FOLDER] [--word MOT] [--runs N] [--delay SECONDS]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import gasp_command, workspace_for  # noqa: E402
from serve import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

TYPING = (0, 150)  # milliseconds between two letters


class _Server(http.server.ThreadingHTTPServer):
    delay = 0.0
    requests = 0


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections, six at a time in Chromium

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        server = self.server
        assert isinstance(server, _Server)
        server.requests += 1
        time.sleep(server.delay)
        return super().send_head()


def _search(url: str, word: str, typing: int, server: _Server) -> tuple[int, float]:
    """Requests since the box's first focus, and seconds from the last letter to the first result."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context().new_page()
        page.goto(url, wait_until="load")
        box = page.locator("#recherche input")
        box.wait_for()
        before = server.requests
        box.focus()
        box.press_sequentially(word, delay=typing)
        typed = time.monotonic()
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=60_000)
        seconds = time.monotonic() - typed
        browser.close()
    return server.requests - before, seconds


def _site(public: str | None) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    if public:
        return Path(public), None
    folder = tempfile.TemporaryDirectory(prefix="gasp-bench-search-")
    out = Path(folder.name) / "out"
    command = [*gasp_command(), "--records", str(workspace_for(40)), "render", "--out", str(out)]
    subprocess.run([*command, "--only", "public", "--format", "html"], check=True, stdout=subprocess.DEVNULL)
    return out / "public", folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public", help="un dossier public/ déjà rendu (par défaut : celui de l’espace de 40 ans)")
    parser.add_argument("--word", default="longuement", help="le mot cherché")
    parser.add_argument("--runs", type=int, default=3, help="exécutions par mesure")
    parser.add_argument("--delay", type=float, default=0.04, help="attente du serveur avant chaque réponse")
    options = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        print(f"Chromium introuvable ({CHROMIUM}) : rien de mesuré")
        return 0
    public, folder = _site(options.public)
    sections = sorted(path.name for path in (public / "pagefind").iterdir() if path.name.isdigit())
    print(f"Site : {public} ; index : les pages générales et {len(sections)} années ; mot « {options.word} ».")
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(public)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    try:
        for delay in (0.0, options.delay):
            server.delay = delay
            for typing in TYPING:
                runs = [_search(url, options.word, typing, server) for _ in range(options.runs)]
                print(
                    f"  attente du serveur {delay * 1000:.0f} ms, une lettre toutes les {typing} ms : "
                    f"{statistics.median(r for r, _ in runs):.0f} requêtes, premier résultat "
                    f"{statistics.median(s for _, s in runs):.2f} s après la dernière lettre "
                    f"(de {min(s for _, s in runs):.2f} à {max(s for _, s in runs):.2f} s)"
                )
    finally:
        server.shutdown()
        server.server_close()
        if folder is not None:
            folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
