"""The residents' site, out/public/: a crawler from its home page, and a search for private data in every file.

DESIGN « The residents' site »: every page reachable from index.html, every link inside
public/ and resolving, nothing private in any file (PDF text and the search index
included): no agents-only value, no resident named without consent, no observation, no
compte rendu of a non-public group, nothing a non-public group said but its decisions.
"""

from __future__ import annotations

import gzip
import html
import html.parser
import json
import os
import re
import shutil
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, gasp, typeset
from gasp_cli.loader import load_workspace
from gasp_cli.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate

ENV = {"SOURCE_DATE_EPOCH": "1000000000"}


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def crawl(public: Path) -> tuple[set[Path], list[str]]:
    """Every file reached from public/index.html by href and src, and every problem met on the way."""
    public = public.resolve()
    reached: set[Path] = set()
    problems: list[str] = []
    queue = [public / "index.html"]
    parsed: dict[Path, _Links] = {}
    while queue:
        page = queue.pop()
        if page in reached:
            continue
        reached.add(page)
        if page.suffix != ".html":
            continue
        parsed[page] = _parse(page)
        for link in parsed[page].links:
            parts = urlsplit(link)
            where = f"{page.relative_to(public)} → {link}"
            if parts.scheme or parts.netloc or link.startswith("/"):
                problems.append(f"{where} : lien hors de public/")
                continue
            if not parts.path:
                continue  # an anchor in the same page
            target = Path(os.path.normpath(page.parent / unquote(parts.path)))
            if public not in target.parents:
                problems.append(f"{where} : sort de public/")
            elif not target.is_file():
                problems.append(f"{where} : lien cassé")
            else:
                queue.append(target)
    for page, links in parsed.items():  # anchors into a page: the id exists
        for link in links.links:
            parts = urlsplit(link)
            if parts.fragment and not parts.scheme and parts.path.endswith(".html"):
                target = Path(os.path.normpath(page.parent / unquote(parts.path)))
                if target in parsed and parts.fragment not in parsed[target].ids:
                    problems.append(f"{page.relative_to(public)} → {link} : ancre absente")
    return reached, problems


def _normal(text: str) -> str:
    """Letters and digits only, lower case: a PDF breaks lines and hyphenates, HTML escapes."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(char for char in text if char.isalnum())


def file_texts(public: Path) -> dict[str, str]:
    """The text of every file under public/, normalised: html unescaped, PDF extracted, the search index unzipped."""
    texts = {}
    for path in sorted(public.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".pdf":
            text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        elif path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter"):
            text = gzip.decompress(data).decode("utf-8", "replace")
        else:
            text = data.decode("utf-8", "replace")
            text = html.unescape(re.sub(r"<[^>]+>", " ", text)) + "\n" + text
        texts[path.relative_to(public).as_posix()] = _normal(text)
    return texts


def private_strings(root: Path) -> dict[str, str]:
    """What must never reach the site, read from the records: normalised text → where it comes from."""
    records = load_workspace(Workspace(root)).records
    found: dict[str, str] = {}
    public_texts: list[str] = []

    def add(text: str | None, why: str) -> None:
        if text and len(_normal(text)) >= 12:
            found[_normal(text)] = why

    for sid, service in records.services.items():
        agents = service.agents
        if agents is not None:
            for key in ("direct_phone", "email", "referral", "notes"):
                add(getattr(agents, key, None), f"services/{sid} agents.{key}")
        public_texts += (
            [str(value) for value in service.public.model_dump().values() if value] if service.public else []
        )
    for pid, person in records.people.items():
        if not person.may_be_named and person.name:
            found[_normal(person.name)] = f"people/{pid} (publish_name: false)"
        if person.email:  # private whoever it is: only ever a recipient of gasp mail
            found[_normal(person.email)] = f"people/{pid} (email)"
    for oid, observation in records.observations.items():
        add(observation.text, f"observations/{oid}")
    for mid, meeting in records.meetings.items():
        group = records.groups[meeting.group]
        texts = [meeting.discussion, *(p.note for p in meeting.problems_raised), *(e.note for e in meeting.proposals)]
        if group.minutes_are_public:
            public_texts += [text for text in texts if text]
        else:
            for text in texts:
                add(text, f"meetings/{mid} ({group.kind})")
        public_texts += [d.note for d in meeting.decisions if d.note] + [a.what for a in meeting.actions]
    for proposal in records.proposals.values():
        public_texts += [proposal.title, proposal.summary or "", *(m.note or "" for m in proposal.milestones)]
    found[_normal("document interne, à ne pas diffuser aux usagers")] = "le guide des agents"
    # A private text that is also said in public (the same note in two meetings) is not private.
    shared = {_normal(text) for text in public_texts}
    return {text: why for text, why in found.items() if not any(text in other for other in shared)}


def leaks(public: Path, private: dict[str, str]) -> list[str]:
    return [
        f"{name} : {why}"
        for name, text in file_texts(public).items()
        for secret, why in private.items()
        if secret in text
    ]


def _render(root: Path, *extra: str, today: str | None = None) -> Path:
    env = dict(ENV, **({"GASP_TODAY": today} if today else {}))
    result = gasp("render", *extra, workspace=root, env=env)
    assert result.exit_code == 0, result.output
    return root / "out" / "public"


@pytest.fixture(scope="module")
def example_site(rendered_example: Path) -> Path:
    return rendered_example / "out" / "public"


def _confidential(root: Path) -> None:
    """Marks in the generated records what must stay private, each text its own."""
    records = root / "records"
    for path in sorted((records / "meetings").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.stem.endswith(("-agents", "-referents")):
            text = (
                text.replace("Un problème évoqué au tour de table.", f"Tour de table réservé {path.stem}.")
                .replace("note: Discutée en séance.", f"note: Remarque réservée {path.stem}.")
                .replace("Le groupe a discuté longuement", f"Débat réservé {path.stem}, le groupe a discuté")
            )
        if path.stem.endswith("-usagers"):
            text = text.replace("attendees:\n", "attendees:\n  - habitante-discrete\n", 1)
        path.write_text(text, encoding="utf-8")
    for path in sorted((records / "services").glob("*.yaml")):
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "referral: Orienter ici", f"referral: Consigne interne {path.stem}, orienter ici"
            ),
            encoding="utf-8",
        )
    (records / "people" / "habitante-discrete.yaml").write_text(
        "name: Josiane Discrète-Confidentielle\nkind: resident\nemail: josiane.confidentielle@exemple.fr\n",
        encoding="utf-8",
    )
    (records / "observations").mkdir(exist_ok=True)
    (records / "observations" / "carnet-1.yaml").write_text(
        "date: 1980-03-13\ntext: Le sociologue note en privé une tension entre deux habitantes.\n", encoding="utf-8"
    )


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("genere")
    generate(root, years=2, proposals_per_year=6)
    _confidential(root)
    result = gasp("validate", workspace=root, env={"GASP_TODAY": "1981-12-31"})
    assert result.exit_code == 0 and "0 erreur," in result.output, result.output
    return _render(root, "--only", "public", today="1981-12-31")


@pytest.mark.parametrize("site", ["example_site", "generated_site"])
def test_every_page_is_reachable_from_the_home_page_and_every_link_stays_inside(
    site: str, request: pytest.FixtureRequest
) -> None:
    public: Path = request.getfixturevalue(site)
    reached, problems = crawl(public)
    assert problems == []
    documents = {
        path.resolve() for path in public.rglob("*") if path.is_file() and path.suffix in (".html", ".pdf", ".ics")
    }
    assert documents - reached == set()
    assert any(path.suffix == ".pdf" for path in reached) and any(path.suffix == ".ics" for path in reached)


@pytest.mark.parametrize("site", ["example_site", "generated_site"])
def test_nothing_private_in_any_file_of_the_site(site: str, request: pytest.FixtureRequest) -> None:
    public: Path = request.getfixturevalue(site)
    private = private_strings(public.parent.parent)
    assert len(private) >= 5  # the records do hold private things: the test looks for something
    assert leaks(public, private) == []
    # … and the same search finds them in what the members receive (out/), PDFs included.
    assert leaks(public.parent, private) != [] if site == "example_site" else True


def test_the_search_sees_pdf_text_and_the_secret_outside_the_site(generated_site: Path) -> None:
    """The search is not blind: a public text is found in a PDF of the site; the private
    strings of the generated records are there to be found in their records."""
    texts = file_texts(generated_site)
    pdfs = [text for name, text in texts.items() if name.endswith(".pdf")]
    assert pdfs and any(_normal("Vous avez dit, nous avons fait") in text for text in pdfs)
    private = private_strings(generated_site.parent.parent)
    assert _normal("Josiane Discrète-Confidentielle") in private
    assert _normal("josiane.confidentielle@exemple.fr") in private
    assert any("réservé" in why or "agents" in why for why in private.values())


def test_what_the_site_holds_and_never_holds(example_site: Path) -> None:
    files = {path.relative_to(example_site).as_posix() for path in example_site.rglob("*") if path.is_file()}
    assert {
        "index.html",
        "comptes-rendus.html",
        "suivi.html",
        "suivi.pdf",
        "guide/guide-usagers.html",
        "guide/guide-usagers.pdf",
        "calendrier/calendrier-2002.html",
        "calendrier/calendrier-2002.ics",
        "rapport/rapport-2001.html",
        "propositions/horaires-police.html",
        "propositions/horaires-police.pdf",
        "comptes-rendus/2001-06-14-usagers.html",
        "pagefind/pagefind-ui.js",
    } <= files
    assert not [
        f
        for f in files
        if f.endswith(("-agents.html", "-agents.pdf", "-referents.html", "-referents.pdf", ".md"))
        or "guide-agents" in f
        or "dossier" in f
        or f.startswith("referents/")
    ]
    # The public calendar has the members' events (same UIDs: a subscriber sees no event come and
    # go), through the public filter: no topic nor cancellation reason of the agents' meetings.
    public_ics = (example_site / "calendrier" / "calendrier-2002.ics").read_text(encoding="utf-8")
    members_ics = (example_site.parent / "calendrier" / "calendrier-2002.ics").read_text(encoding="utf-8")
    uids = re.compile(r"^UID:.*$", re.M)
    assert uids.findall(public_ics) == uids.findall(members_ics) != []
    assert public_ics.count("Sujet retenu") < members_ics.count("Sujet retenu")
    # every public page has the navigation, the skip link and the search box
    for path in example_site.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert '<nav class="site"' in text and 'href="#contenu"' in text and 'id="recherche"' in text, path
        assert '<html lang="fr">' in text
    # out/index.html points at the site
    assert 'href="public/index.html"' in (example_site.parent / "index.html").read_text(encoding="utf-8")


def test_a_proposal_page_tells_decisions_not_what_the_agents_said(example_site: Path) -> None:
    page = (example_site / "propositions" / "horaires-police.html").read_text(encoding="utf-8")
    assert 'la proposition est validée. <span class="note">Nouveaux horaires à la rentrée de septembre.' in page
    assert typeset("Groupe des agents : la proposition est faite.", "html") in page
    assert "Ouvrir le poste en fin de journée" not in page  # the agents' note when they raised it
    assert "-agents.html" not in page and "-referents.html" not in page
    assert 'href="../comptes-rendus/2000-12-14-usagers.html"' in page
    members = (example_site.parent / "propositions" / "horaires-police.html").read_text(encoding="utf-8")
    assert "Ouvrir le poste en fin de journée" in members  # out/propositions/ is unchanged


def test_a_leaky_site_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same render without the public filter and with a proposal page that shows everything:
    the search finds the leak."""
    from gasp_cli import public
    from gasp_cli.documents import proposition

    monkeypatch.setattr(public, "public_records", lambda records: records)
    # The members' page in place of the residents' (the site passes what it computed once, dropped here).
    monkeypatch.setattr(
        proposition,
        "public_proposition",
        lambda records, day, pid, derived, *_: proposition.build(records, day, pid, derived),
    )
    shutil.copytree(EXAMPLE, tmp_path / "records")
    public = _render(tmp_path, "--only", "public", "--format", "html")
    found = leaks(public, private_strings(tmp_path))
    assert any(name.startswith("propositions/") for name in found), found
    _, problems = crawl(public)
    assert any("agents.html" in problem for problem in problems)


def test_without_pagefind_the_site_is_written_without_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gasp_cli.documents import site

    monkeypatch.setattr(site, "search_available", lambda: False)
    shutil.copytree(EXAMPLE, tmp_path / "records")
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "avertissement : Pagefind est introuvable" in result.stderr
    assert "Traceback" not in result.output
    public = tmp_path / "out" / "public"
    assert not (public / "pagefind").exists()
    assert 'id="recherche"' not in (public / "index.html").read_text(encoding="utf-8")
    assert crawl(public)[1] == []


def test_a_failing_pagefind_leaves_a_site_without_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gasp_cli.documents import site

    def failing(pages: dict[str, Path], section: str) -> object:
        raise site.SearchError("Pagefind a échoué : essai")

    monkeypatch.setattr(site, "start_index", failing)
    shutil.copytree(EXAMPLE, tmp_path / "records")
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "avertissement : Pagefind a échoué : essai" in result.stderr
    assert crawl(tmp_path / "out" / "public")[1] == []


def test_a_section_that_fails_leaves_no_index_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over a site with its search, Pagefind failing on the one year an edit changed: the pages lose
    their search box, and no section's index stays (the other years' included), nor recherche.js."""
    from gasp_cli.documents import site

    shutil.copytree(EXAMPLE, tmp_path / "records")
    public = _render(tmp_path, "--only", "public", "--format", "html")
    assert (public / "recherche.js").is_file() and (public / "pagefind" / "2000").is_dir()
    real = site.start_index

    def failing(pages: dict[str, Path], section: str) -> object:
        if section == "2002":
            raise site.SearchError("Pagefind a échoué : essai")
        return real(pages, section)

    monkeypatch.setattr(site, "start_index", failing)
    meeting = tmp_path / "records" / "meetings" / "2002" / "2002-03-14-usagers.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("discussion: ", "discussion: Retouche. ", 1))
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert "avertissement : Pagefind a échoué : essai" in result.stderr
    assert not (public / "pagefind").exists() and not (public / "recherche.js").exists()
    assert not [path for path in public.rglob("*.html") if 'id="recherche"' in path.read_text(encoding="utf-8")]
    assert crawl(public)[1] == []


def test_the_search_index_is_gasps_own_and_the_same_every_time(tmp_path: Path) -> None:
    """Pagefind's files are in the manifest (a later render may replace or remove them), and two
    renders of the same records give the same bytes."""

    shutil.copytree(EXAMPLE, tmp_path / "records")
    public = _render(tmp_path, "--only", "public", "--format", "html")
    manifest = json.loads((tmp_path / "out" / ".gasp-manifest.json").read_text(encoding="utf-8"))
    index = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (public / "pagefind").rglob("*") if p.is_file())
    assert index and set(index) <= set(manifest["files"])
    first = {p: (tmp_path / "out" / p).read_bytes() for p in manifest["files"]}
    shutil.rmtree(tmp_path / "out")
    _render(tmp_path, "--only", "public", "--format", "html")
    assert {p: (tmp_path / "out" / p).read_bytes() for p in first} == first
    # a render without html leaves the site as it is (its index comes with its pages)
    result = gasp("render", "--format", "md", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0, result.output
    assert all((tmp_path / "out" / p).is_file() for p in index)


def test_a_no_op_render_runs_no_pagefind_and_a_change_runs_it_on_its_sections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is made in sections (the general pages, one a year): a no-op render runs Pagefind on
    none, an edit of one meeting on the sections whose pages it changed, not on every year; and the
    result is the full render's, byte for byte."""
    from gasp_cli.documents import site

    shutil.copytree(EXAMPLE, tmp_path / "records")
    public = _render(tmp_path, "--only", "public", "--format", "html")
    years = sorted(p.name for p in (public / "pagefind").iterdir() if p.name.isdigit())
    assert years == ["2000", "2001", "2002", "2003"]
    # The years' indexes are listed in one file the pages share, and hold no copy of Pagefind's scripts.
    assert f"var years = {json.dumps(years)};" in (public / "recherche.js").read_text(encoding="utf-8")
    assert not list((public / "pagefind" / "2001").glob("*.js"))
    # No page names the years: a new year changes recherche.js, not every page.
    pages = [path for path in public.rglob("*.html") if "pagefind" not in path.parts]
    assert pages and not [path for path in pages if "2001/" in path.read_text(encoding="utf-8").split("<main")[0]]
    assert all(
        'src="' in path.read_text(encoding="utf-8") and "recherche.js" in path.read_text(encoding="utf-8")
        for path in pages
    )
    runs: list[str] = []
    real = site.start_index

    def counting(pages: dict[str, Path], section: str) -> object:
        runs.append(section)
        return real(pages, section)

    monkeypatch.setattr(site, "start_index", counting)
    result = gasp("render", "--only", "public", "--format", "html", workspace=tmp_path, env=ENV)
    assert result.exit_code == 0 and "est à jour" in result.output, result.output
    assert runs == []
    meeting = tmp_path / "records" / "meetings" / "2002" / "2002-03-14-usagers.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("discussion: ", "discussion: Enfin, ", 1))
    _render(tmp_path, "--only", "public", "--format", "html")
    assert "2002" in runs and "2000" not in runs and len(runs) == len(set(runs)), runs
    assert "Enfin, " in (public / "comptes-rendus" / "2002-03-14-usagers.html").read_text(encoding="utf-8")
    assert crawl(public)[1] == []
    incremental = {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*") if p.is_file()}
    shutil.rmtree(tmp_path / "out")
    _render(tmp_path, "--only", "public", "--format", "html")
    assert {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*") if p.is_file()} == incremental


def test_an_interrupted_render_stops_pagefind(tmp_path: Path) -> None:
    """Ctrl-C while Pagefind indexes a section: Pagefind stops too, it does not outlive the render
    (its folder is removed meanwhile; an orphan left alone kept a processor busy for minutes)."""
    from gasp_cli.documents import site

    page = tmp_path / "page.html"
    page.write_text("<html><body><main><p>Bonjour</p></main></body></html>", encoding="utf-8")
    indexing = site.start_index({"page.html": page}, "2001")
    process = indexing._process

    def interrupted(*args: object, **kwargs: object) -> tuple[str, str]:
        raise KeyboardInterrupt

    process.communicate = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        indexing.files()
    assert process.poll() is not None


def test_a_pagefind_never_waited_for_is_stopped_when_gasp_exits(tmp_path: Path) -> None:
    """A render that fails after starting Pagefind and before waiting for it (an error, Ctrl-C elsewhere):
    what gasp runs on exit stops it and removes its folder."""
    from gasp_cli.documents import site

    page = tmp_path / "page.html"
    page.write_text("<html><body><main><p>Bonjour</p></main></body></html>", encoding="utf-8")
    indexing = site.start_index({"page.html": page}, "2001")
    process, folder = indexing._process, indexing._folder
    assert process is not None and folder.is_dir() and indexing in site._RUNNING
    site._stop_running()  # registered with atexit when the first Pagefind starts
    assert process.poll() is not None and not folder.exists() and indexing not in site._RUNNING
