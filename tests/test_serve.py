"""`gasp serve`: the workbench's pages, its forms and its refusals, through Starlette's test client.

The end-to-end tests in a real browser are in tests/test_serve_browser.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="gasp serve's extra is not installed (pip install gasp-cli[serve])")
pytest.importorskip("multipart", reason="gasp serve's extra is not installed (pip install gasp-cli[serve])")

from starlette.testclient import TestClient

from conftest import EXAMPLE, REPO, gasp
from gasp_cli.serve.app import create_app
from gasp_cli.serve.workbench import Workbench
from gasp_cli.workspace import Workspace

BASE = "http://127.0.0.1:8765"
HOSTS = {"127.0.0.1:8765", "localhost:8765", "[::1]:8765"}
MEETING = "2002-06-11-agents"
REFERENTS = "2002-12-20-referents"


def _workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example in a git repository."""
    monkeypatch.setenv("GASP_TODAY", "2002-06-30")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1025395200")
    root = tmp_path / "espace"
    shutil.copytree(EXAMPLE, root / "records")
    git = ["git", "-c", "user.name=Secrétaire", "-c", "user.email=s@example.org", "-C", str(root)]
    subprocess.run([*git, "init", "--quiet"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "les enregistrements"], check=True)
    return root


def _serve(root: Path):
    bench = Workbench(Workspace(root), formats="md,html")
    try:
        bench.refresh()
        assert not bench.errors and bench.render_problem is None, bench.render_problem
        with TestClient(create_app(bench, HOSTS), base_url=BASE) as client:
            yield bench, client, root
    finally:
        bench.close()
        assert bench.worker_pid is None


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The example, checked and rendered (Markdown and HTML) by a workbench, its app running (the
    watcher too)."""
    yield from _serve(_workspace(tmp_path, monkeypatch))


@pytest.fixture(scope="module")
def served_to_read(tmp_path_factory: pytest.TempPathFactory):
    """The same, made once for the tests that change neither the records, out/ nor the workbench
    (or put back what they changed before they end): a workbench costs a git repository, a render
    process and a render."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from _serve(_workspace(tmp_path_factory.mktemp("atelier"), monkeypatch))


@pytest.fixture
def unwatched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The same, without the watcher (the app's lifespan not run): a refresh happens only when the
    test calls it."""
    root = _workspace(tmp_path, monkeypatch)
    bench = Workbench(Workspace(root), formats="md,html")
    try:
        bench.refresh()
        assert not bench.errors and bench.render_problem is None, bench.render_problem
        yield bench, TestClient(create_app(bench, HOSTS), base_url=BASE), root
    finally:
        bench.close()
        assert bench.worker_pid is None


def _token(client: TestClient, path: str = "/_gasp/saisie") -> dict[str, str]:
    page = client.get(path).text
    found = dict(re.findall(r'name="(jeton|empreinte)" value="([^"]*)"', page))
    assert "jeton" in found
    return found


def _post(client: TestClient, path: str, data: dict[str, str], **headers: str):
    return client.post(path, data=data, headers={"Origin": BASE, **headers})


def _meeting(root: Path, meeting_id: str = MEETING) -> Path:
    return next((root / "records" / "meetings").rglob(f"{meeting_id}.yaml"))


# --- live documents and errors -------------------------------------------------------------------


def test_out_is_served_with_the_workbench_bar(served_to_read):
    bench, client, _ = served_to_read
    page = client.get("/index.html")
    assert page.status_code == 200
    assert 'id="gasp-atelier"' in page.text and f'data-generation="{bench.generation}"' in page.text
    assert page.text.rstrip().endswith("</html>")
    assert client.get("/").status_code == 200
    assert client.get("/comptes-rendus/2002-06-11-agents.md").text.startswith("#")
    site = client.get("/public/index.html")
    assert site.status_code == 200 and "gasp-atelier" in site.text
    # Rendered without PDF (md,html here): the bar says that the PDFs are not remade.
    assert "PDF non refaits" in page.text


def test_the_bar_says_nothing_of_pdf_when_they_are_remade(tmp_path):
    from gasp_cli.serve.app import _banner

    bench = Workbench(Workspace(tmp_path))
    assert bench.formats == "md,html,pdf"  # what `gasp render` makes
    assert "PDF non refaits" not in _banner(bench)
    assert "PDF non refaits" in _banner(Workbench(Workspace(tmp_path), formats="html,md"))


def test_an_error_shows_a_banner_with_the_line_and_an_editor_link(served):
    bench, client, root = served
    path = _meeting(root)
    path.write_text(path.read_text(encoding="utf-8").replace("group: agents", "group: agent"), encoding="utf-8")
    bench.refresh()
    page = client.get("/index.html").text
    assert f"{len(bench.errors)} erreurs dans les enregistrements" in page and len(bench.errors) == 2
    assert f"records/meetings/2002/{MEETING}.yaml:" in page
    assert f'href="vscode://file/{path.resolve().as_posix()}:' in page
    assert "vouliez-vous dire « agents »" in page
    assert 'class="gasp-ici"' in page and "group: agent" in page  # the line itself, quoted
    # The last good documents stay under it.
    assert "Comptes rendus" in page or "comptes-rendus/" in page


def test_warnings_have_their_own_page(served):
    bench, client, root = served
    gasp_yaml = root / "records" / "gasp.yaml"
    gasp_yaml.write_text(
        gasp_yaml.read_text(encoding="utf-8") + "commitments:\n  minutes_within_days: 15\n", encoding="utf-8"
    )
    bench.refresh()
    page = client.get("/_gasp/avertissements").text
    assert "late-minutes" in page and page.count("<li>") == len(bench.warnings) > 5
    assert f"Avertissements ({len(bench.warnings)})" in client.get("/index.html").text


def test_nothing_outside_out_is_served(served_to_read):
    _, client, root = served_to_read
    (root / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "out" / "lien").symlink_to(root / "secret.txt")
    try:
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/lien", "/records/gasp.yaml", "/..%2fsecret.txt"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "secret" not in response.text.replace("secret.txt", "")
    finally:
        (root / "out" / "lien").unlink()
        (root / "secret.txt").unlink()


def test_the_state_says_what_the_last_render_did(served_to_read):
    _, client, _ = served_to_read
    state = client.get("/_gasp/etat").json()
    assert state["errors"] == [] and state["render_problem"] is None and state["render"]


# --- the render worker --------------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _documents(out: Path, tree: dict[str, str] | None = None) -> dict[str, str]:
    """out/'s files but the hidden ones (the manifest, a render's temporaries)."""
    found = _tree(out) if tree is None else tree
    return {path: digest for path, digest in found.items() if not any(part.startswith(".") for part in path.split("/"))}


def _add_problem(root: Path, meeting_id: str, note: str) -> None:
    path = _meeting(root, meeting_id)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("problems_raised:\n", f"problems_raised:\n- note: {note}\n", 1), encoding="utf-8")


def test_renders_in_the_worker_make_the_bytes_of_a_full_render(unwatched, tmp_path):
    """One long-lived worker renders save after save; out/ is then what `gasp render` makes in an
    empty folder, byte for byte, manifest included."""
    bench, client, root = unwatched
    worker = bench.worker_pid
    assert worker is not None
    for meeting_id, note in ((MEETING, "Un banc cassé"), ("2002-06-13-usagers", "Une file d’attente au guichet")):
        _add_problem(root, meeting_id, note)
        bench.refresh()
        assert bench.render_problem is None, bench.render_problem
        assert "mis à jour" in bench.last_render, bench.last_render
        assert note in client.get(f"/comptes-rendus/{meeting_id}.html").text
    assert bench.worker_pid == worker  # the same process, its imports kept
    assert "Une file d’attente au guichet" in client.get("/public/comptes-rendus/2002-06-13-usagers.html").text
    fresh = tmp_path / "fresh"
    result = gasp("render", "--out", str(fresh), "--format", "md,html", workspace=root)
    assert result.exit_code == 0, result.output
    incremental, full = _tree(root / "out"), _tree(fresh)
    assert sorted(incremental) == sorted(full)
    assert [path for path in full if incremental[path] != full[path]] == []


def test_a_template_changed_while_serving_is_used_by_the_next_render(unwatched, tmp_path):
    """The worker keeps the templates it compiled for its next renders, but a template changed on
    disk (same file, same length) is compiled again: its next render is the full render's."""
    from gasp_cli.render.inputs import default_templates

    bench, client, root = unwatched
    worker = bench.worker_pid
    template = (default_templates() / "compte-rendu.md.j2").read_text(encoding="utf-8")
    path = root / "templates" / "compte-rendu.md.j2"
    path.parent.mkdir()
    for version in ("Modèle de la commune, version 1.", "Modèle de la commune, version 2."):
        path.write_text(template + f"\n{version}\n", encoding="utf-8")
        bench.refresh()
        assert bench.render_problem is None, bench.render_problem
        assert client.get(f"/comptes-rendus/{MEETING}.md").text.rstrip().endswith(version)
    assert bench.worker_pid == worker
    fresh = tmp_path / "fresh"
    result = gasp("render", "--out", str(fresh), "--format", "md,html", workspace=root)
    assert result.exit_code == 0, result.output
    assert _tree(root / "out") == _tree(fresh)


def test_a_worker_killed_in_a_render_leaves_the_server_and_out_as_they_were(unwatched, monkeypatch):
    """A render that dies (here killed at the point where its files are staged) takes neither the
    server nor out/ with it: the banner says so over the last good documents, and the next
    change starts a new worker, whose render is whole."""
    bench, client, root = unwatched
    before = _tree(root / "out")
    first = bench.worker_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)  # the next worker starts with the kill point in its environment
    monkeypatch.setenv("GASP_KILL_AT", "render-staged")
    _add_problem(root, MEETING, "Un lampadaire éteint")
    bench.refresh()
    assert bench.render_problem is not None and "arrêté" in bench.render_problem
    assert bench.worker_pid is None
    page = client.get(f"/comptes-rendus/{MEETING}.html")
    assert page.status_code == 200 and "Le rendu a échoué" in page.text
    assert "Un lampadaire éteint" not in page.text
    # The documents as they were (a render killed with SIGKILL leaves its temporaries, hidden
    # beside their targets, for the next render to clear: `gasp render` does the same).
    assert _documents(root / "out") == _documents(root / "out", before)
    monkeypatch.delenv("GASP_KILL_AT")
    bench.refresh()
    assert bench.render_problem is None, bench.render_problem
    assert bench.worker_pid not in (None, first)
    assert "Un lampadaire éteint" in client.get(f"/comptes-rendus/{MEETING}.html").text
    assert [path for path in _tree(root / "out") if "/." in f"/{path}" and path != ".gasp-manifest.json"] == []


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="/proc est propre à Linux")
def test_a_worker_grown_past_its_budget_is_replaced(unwatched, monkeypatch):
    """After a render that leaves the worker above its memory budget, a new worker takes its place
    at once; the old one ends by itself."""
    import gasp_cli.serve.workbench as workbench

    bench, client, root = unwatched
    first = bench.worker_pid
    monkeypatch.setattr(workbench, "WORKER_BUDGET", 1)
    _add_problem(root, MEETING, "Un trottoir étroit")
    bench.refresh()
    assert bench.render_problem is None, bench.render_problem
    second = bench.worker_pid
    assert second not in (None, first)
    assert "Un trottoir étroit" in client.get(f"/comptes-rendus/{MEETING}.html").text
    monkeypatch.setattr(workbench, "WORKER_BUDGET", 10**9)
    _add_problem(root, MEETING, "Un banc sans dossier")
    bench.refresh()
    assert bench.render_problem is None and bench.worker_pid == second
    assert "Un banc sans dossier" in client.get(f"/comptes-rendus/{MEETING}.html").text
    deadline = time.monotonic() + 60
    while _running(first) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(first)


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_ctrl_c_in_the_middle_of_a_render_leaves_out_whole(tmp_path, monkeypatch):
    """Ctrl-C in the terminal (SIGINT to the whole foreground group) while the worker is between
    staging and publishing a render: the server stops, the worker (in its own group) gets one
    SIGINT from it, and out/ holds the documents of the last render, without a temporary file."""
    root = _workspace(tmp_path, monkeypatch)
    mark = tmp_path / "worker.pid"
    env = {**os.environ, "GASP_KILL_AT": "render-intent:2:PAUSE", "GASP_KILL_MARK": str(mark), "NO_COLOR": "1"}
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "gasp_cli", "--records", str(root), "serve", "--port", "0", "--format", "md,html"]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("http://127.0.0.1:")  # the first render is done
        before = _tree(root / "out")
        # The second render pauses. The watcher starts with the server, just after the address is
        # printed: a save made before it watches is saved again.
        path, saves = _meeting(root), 0
        text = path.read_text(encoding="utf-8")
        deadline = time.monotonic() + 120
        while not (mark.is_file() and mark.read_text(encoding="utf-8")) and time.monotonic() < deadline:
            if saves < 10 and time.monotonic() > deadline - 120 + 3 * saves:
                path.write_text(text.replace("problems_raised:\n", f"problems_raised:\n- note: Essai {saves}\n", 1))
                saves += 1
            time.sleep(0.05)
        worker = int(mark.read_text(encoding="utf-8"))
        os.killpg(server.pid, signal.SIGINT)
        code = server.wait(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert code in (0, 130), server.stderr.read() if server.stderr else code
    assert not _running(worker)
    assert _tree(root / "out") == before


def test_the_state_gives_the_stages_of_the_last_refresh(unwatched):
    """When each step of the last refresh happened, in their order: what benchmarks/serve.py cuts
    the time from a save to the reloaded page into."""
    bench, client, root = unwatched
    _add_problem(root, MEETING, "Une porte qui grince")
    bench.refresh(changed=time.time())
    stages = client.get("/_gasp/etat").json()["stages"]
    order = ["changed", "checked_from", "checked_to", "rendered_from", "rendered_to"]
    assert [stages[name] for name in order] == sorted(stages[name] for name in order)
    assert stages["render_processor"] > 0


# --- refusals -----------------------------------------------------------------------------------------


def test_a_foreign_host_is_refused(served_to_read):
    _, client, _ = served_to_read
    response = client.get("/index.html", headers={"Host": "gasp.example.org"})
    assert response.status_code == 403
    assert "adresse « gasp.example.org » refusée" in response.text
    assert client.get("/index.html", headers={"Host": "localhost:8765"}).status_code == 200


def test_a_cross_site_post_is_refused(served_to_read):
    _, client, root = served_to_read
    before = _meeting(root).read_text(encoding="utf-8")
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "note": "Intrusion"}
    assert client.post(f"/_gasp/saisie/reunion/{MEETING}/tour", data=fields).status_code == 403  # no Origin
    other = {"Origin": "http://evil.example"}
    assert client.post(f"/_gasp/saisie/reunion/{MEETING}/tour", data=fields, headers=other).status_code == 403
    wrong = {**fields, "jeton": "x" * 43}
    assert _post(client, f"/_gasp/saisie/reunion/{MEETING}/tour", wrong).status_code == 403
    assert _meeting(root).read_text(encoding="utf-8") == before


def test_read_only_has_no_form_and_refuses_posts(served_to_read):
    bench, client, root = served_to_read
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "note": "Rien"}
    bench.read_only = True
    try:
        assert "/_gasp/saisie" not in client.get("/index.html").text
        before = _meeting(root).read_text(encoding="utf-8")
        assert _post(client, f"/_gasp/saisie/reunion/{MEETING}/tour", fields).status_code == 403
        assert _meeting(root).read_text(encoding="utf-8") == before
    finally:
        bench.read_only = False


# --- the forms ----------------------------------------------------------------------------------------


def test_tour_de_table_keeps_comments_and_layout_and_shows_the_git_diff(served):
    _, client, root = served
    path = _meeting(root)
    before = path.read_text(encoding="utf-8")
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "theme": "logement", "note": "Halls : sombres"}
    page = _post(client, f"/_gasp/saisie/reunion/{MEETING}/tour", fields)
    assert page.status_code == 200, page.text
    after = path.read_text(encoding="utf-8")
    added = '- theme: logement\n  note: "Halls : sombres"\n'
    assert after.replace(added, "") == before
    assert "diff --git" in page.text and "+- theme: logement" in page.text
    assert "Enregistrer dans l’historique" in page.text
    # What validate says of the result: nothing new.
    assert (
        subprocess.run(
            [sys.executable, "-m", "gasp_cli", "--records", str(root), "validate"],
            capture_output=True,
            env={**os.environ},
            check=False,
        ).returncode
        == 0
    )


def test_attendance_names_residents_only_by_their_rank(served):
    _, client, root = served
    page = client.get(f"/_gasp/saisie/reunion/{MEETING}").text
    records_people = root / "records" / "people"
    unnamed = [p.stem for p in records_people.glob("*.yaml") if "kind: resident" in p.read_text(encoding="utf-8")]
    assert unnamed
    for person_id in unnamed:
        assert f'"{person_id}"' not in page
    fields = _token(client, f"/_gasp/saisie/reunion/{MEETING}")
    rows = re.findall(r'name="(p\d+)" value="present"', page)
    assert rows
    fields.update(dict.fromkeys(rows, "absent"))
    fields.update({rows[0]: "present", "status": "held"})
    response = _post(client, f"/_gasp/saisie/reunion/{MEETING}/presences", fields)
    assert response.status_code == 200, response.text
    text = _meeting(root).read_text(encoding="utf-8")
    assert re.search(r"^attendees:\n(- |  - )[a-z0-9-]+\n[a-z]", text, re.M), text
    assert "excused: []" in text


def test_a_proposal_a_decision_and_the_minutes_sent(served):
    _, client, root = served
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "proposal": "guide-des-services-publics"}
    fields.update({"event": "discussed", "note": "Le groupe demande la mise à jour."})
    assert _post(client, f"/_gasp/saisie/reunion/{MEETING}/proposition", fields).status_code == 200
    assert "event: discussed" in _meeting(root).read_text(encoding="utf-8")
    # The référents validate the régie de quartier they had put under study.
    fields = {**_token(client, f"/_gasp/saisie/reunion/{REFERENTS}"), "proposal": "regie-de-quartier"}
    fields.update({"outcome": "validated", "note": "Étude concluante."})
    response = _post(client, f"/_gasp/saisie/reunion/{REFERENTS}/decision", fields)
    assert response.status_code == 200, response.text
    text = _meeting(root, REFERENTS).read_text(encoding="utf-8")
    # A file with no list yet gets them as `gasp new` writes them.
    assert "decisions:\n  - proposal: regie-de-quartier\n    outcome: validated\n    note: Étude concluante.\n" in text
    # An outcome that is not one of the four is refused before anything is read.
    fields = {**_token(client, f"/_gasp/saisie/reunion/{REFERENTS}"), "proposal": "regie-de-quartier"}
    fields.update({"outcome": "approved"})
    assert _post(client, f"/_gasp/saisie/reunion/{REFERENTS}/decision", fields).status_code == 422
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "minutes_sent": "2002-06-20"}
    assert _post(client, f"/_gasp/saisie/reunion/{MEETING}/envoi", fields).status_code == 200
    assert "minutes_sent: 2002-06-20" in _meeting(root).read_text(encoding="utf-8")


def test_an_entry_that_brings_an_error_writes_nothing(served_to_read):
    _, client, root = served_to_read
    before = _meeting(root).read_text(encoding="utf-8")
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "proposal": "n-existe-pas", "event": "discussed"}
    response = _post(client, f"/_gasp/saisie/reunion/{MEETING}/proposition", fields)
    assert response.status_code == 422
    assert "Rien n’a été écrit" in response.text and "n-existe-pas" in response.text
    assert _meeting(root).read_text(encoding="utf-8") == before


def test_a_file_changed_since_the_form_was_shown_is_not_overwritten(served):
    _, client, root = served
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "note": "Une ligne"}
    path = _meeting(root)
    path.write_text(path.read_text(encoding="utf-8") + "# modifié à la main\n", encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    response = _post(client, f"/_gasp/saisie/reunion/{MEETING}/tour", fields)
    assert response.status_code == 422 and "a changé depuis l&#39;ouverture du formulaire" in response.text
    assert path.read_text(encoding="utf-8") == edited


def test_a_new_meeting_is_the_file_gasp_new_writes_and_can_be_committed(served, tmp_path: Path):
    _, client, root = served
    fields = {**_token(client), "group": "agents", "date": "2002-07-09"}
    page = _post(client, "/_gasp/saisie/nouvelle-reunion", fields)
    assert page.status_code == 200, page.text
    written = root / "records/meetings/2002/2002-07-09-agents.yaml"
    # The same bytes as `gasp new meeting` in a copy of the workspace.
    copy = tmp_path / "copie"
    shutil.copytree(EXAMPLE, copy / "records")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gasp_cli",
            "--records",
            str(copy),
            "new",
            "meeting",
            "--group",
            "agents",
            "--date",
            "2002-07-09",
        ],
        check=True,
        capture_output=True,
    )
    assert written.read_bytes() == (copy / "records/meetings/2002/2002-07-09-agents.yaml").read_bytes()
    # Never over an existing file.
    again = _post(client, "/_gasp/saisie/nouvelle-reunion", fields)
    assert again.status_code == 422 and "existe déjà" in again.text
    commit = {"jeton": fields["jeton"], "file": "records/meetings/2002/2002-07-09-agents.yaml"}
    commit["message"] = "Réunion des agents du 9 juillet"
    done = _post(client, "/_gasp/historique", commit)
    assert done.status_code == 200, done.text
    log = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%s"], capture_output=True, text=True)
    assert log.stdout.strip() == "Réunion des agents du 9 juillet"
    outside = {**commit, "file": "../secret"}
    assert _post(client, "/_gasp/historique", outside).status_code == 422


def test_no_form_writes_through_a_symbolic_link_out_of_records(served, tmp_path: Path):
    _, client, root = served
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    # A year's folder that is a link out of records/: a new meeting would land outside.
    (root / "records" / "meetings" / "2003").symlink_to(outside, target_is_directory=True)
    fields = {**_token(client), "group": "agents", "date": "2003-01-14"}
    response = _post(client, "/_gasp/saisie/nouvelle-reunion", fields)
    assert response.status_code == 403 and "mène hors de records/" in response.text
    assert list(outside.iterdir()) == []
    # A meeting file that is a link to a file outside: never written through.
    fields = {**_token(client, f"/_gasp/saisie/reunion/{MEETING}"), "note": "Par le lien"}
    target = outside / "reunion.yaml"
    path = _meeting(root)
    target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    path.unlink()
    path.symlink_to(target)
    bench = served[0]
    bench.refresh()
    before = target.read_text(encoding="utf-8")
    response = _post(client, f"/_gasp/saisie/reunion/{MEETING}/tour", fields)
    assert response.status_code in (403, 404), response.text
    assert target.read_text(encoding="utf-8") == before and path.is_symlink()


def test_the_guide_shows_the_workbench_screenshots_it_names():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "guide-secretaire.md").read_text(encoding="utf-8")
    chapter = guide.split("## 16. Travailler dans le navigateur", 1)[1]
    shown = re.findall(r"\]\((captures/atelier-[a-z-]+\.png)\)", chapter)
    assert len(shown) == 4
    for name in shown:
        assert (Path(__file__).resolve().parent.parent / "docs" / name).stat().st_size > 10_000, name
