"""The residents' site's search, in headless Chromium, the site served over HTTP at the root of
a web server and in a sub-folder (DESIGN « The residents' site »: search results open from every
page of the site, wherever it is served).

From the home page, « Vous avez dit, nous avons fait » and the list of comptes rendus, a word is
searched; every result's link must answer 200 with a page of the site, and the first one opens.
The index is made in sections (the general pages, then one index a year, merged in the browser by
public/recherche.js): a word said in several years finds the pages of every one of them.
Runs tests/a11y/search.mjs (puppeteer-core, installed by `make a11y` or
`npm ci --prefix tests/a11y`); skipped, with the reason, without node, its packages or Chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO, gasp

A11Y = REPO / "tests" / "a11y"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
START_PAGES = ("index.html", "suivi.html", "comptes-rendus.html")


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node est introuvable"
    if not (A11Y / "node_modules" / "puppeteer-core").is_dir():
        return "puppeteer-core n’est pas installé (npm ci --prefix tests/a11y)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium est introuvable ({CHROMIUM} ; apt-get install chromium, ou la variable CHROMIUM)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=f"recherche dans Chromium : {_missing()}")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example's site rendered, and a web server whose root holds it twice: at its root and
    in a sub-folder (`/mairie/gasp/`)."""
    root = tmp_path_factory.mktemp("recherche")
    shutil.copytree(EXAMPLE, root / "records")
    result = gasp("render", "--only", "public", "--format", "html", workspace=root)
    assert result.exit_code == 0, result.output
    public = root / "out" / "public"
    assert (public / "pagefind" / "pagefind-ui.js").is_file()
    web = root / "web"
    shutil.copytree(public, web)
    shutil.copytree(public, web / "mairie" / "gasp")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(web)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", public
    finally:
        server.shutdown()
        server.server_close()


def _search(word: str, urls: list[str]) -> list[dict]:
    done = subprocess.run(
        ["node", str(A11Y / "search.mjs"), word, *urls],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("folder", ["", "mairie/gasp/"], ids=["racine", "sous-dossier"])
def test_a_search_result_opens_its_page_from_every_page(served: tuple[str, Path], folder: str) -> None:
    base, _ = served
    urls = [f"{base}{folder}{page}" for page in START_PAGES]
    reports = _search("plainte", urls)
    assert [report["from"] for report in reports] == urls
    for report in reports:
        assert report["problems"] == [], report
        assert report["results"] and report["status"] == 200, report
        assert report["opened"].startswith(f"{base}{folder}"), report
        assert all(result["href"].startswith(f"{base}{folder}") for result in report["results"]), report
    # A compte rendu's result says which one: its group and its date.
    titles = [result["title"] for result in reports[0]["results"]]
    assert any(title.startswith("Compte rendu — Groupe des usagers, ") for title in titles), titles
    assert "Compte rendu" not in titles


def test_a_word_of_several_years_finds_the_pages_of_each_year(served: tuple[str, Path]) -> None:
    """« horaires » is in comptes rendus of 2000, 2001 and 2002, each year its own index: the results
    come from all three, in one list."""
    base, public = served
    assert {"2000", "2001", "2002"} <= {p.name for p in (public / "pagefind").iterdir() if p.name.isdigit()}
    [report] = _search("horaires", [f"{base}mairie/gasp/suivi.html"])
    assert report["problems"] == [], report
    years = {
        result["href"].rsplit("/", 1)[-1][:4] for result in report["results"] if "/comptes-rendus/" in result["href"]
    }
    assert {"2000", "2001", "2002"} <= years, report["results"]


def test_a_broken_link_is_seen(served: tuple[str, Path]) -> None:
    """The check is not blind: the same search from a copy of the home page whose script gives
    Pagefind the page as the site's root (the old baseUrl, an empty URL) finds its results broken."""
    base, public = served
    web = Path(public).parent.parent / "web"
    page = (web / "index.html").read_text(encoding="utf-8")
    script = (web / "recherche.js").read_text(encoding="utf-8")
    assert '<script src="recherche.js" defer>' in page
    assert script.count("baseUrl: root") == 2  # the years' indexes and the general one
    (web / "ancienne.js").write_text(
        script.replace("baseUrl: root", 'baseUrl: new URL("", document.baseURI).pathname'), encoding="utf-8"
    )
    (web / "ancienne.html").write_text(page.replace('src="recherche.js"', 'src="ancienne.js"'), encoding="utf-8")
    [report] = _search("plainte", [f"{base}ancienne.html"])
    assert report["problems"] != []
    assert any("/ancienne.html/" in result["href"] for result in report["results"]), report
