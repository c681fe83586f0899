"""`gasp network report`: several git repositories built from the example and its variants.

Each site's figures are checked against that site's own `gasp report --format json`,
the totals against sums worked out here, the cache against a count of the sites read,
and the untrusted-input rules (`ext::`, passwords, links out of a site, time limits)
against the sites that break them. Only local paths and `file://` URLs: no network.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLE, gasp
from gasp_cli import network

TODAY = "2002-06-01"
ENV = {"GASP_TODAY": TODAY}
GIT_USER = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *GIT_USER, *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def make_site(root: Path, change=None) -> Path:
    """A git repository holding a copy of the example, changed by `change(root)` before its first commit."""
    shutil.copytree(EXAMPLE, root / "records")
    if change is not None:
        change(root)
    git(root.parent, "init", "--quiet", "--initial-branch=main", str(root))
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "les enregistrements")
    return root


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", message)
    return git(root, "rev-parse", "HEAD")


def raise_costs(root: Path, euros: int) -> None:
    """Every proposal with a cost costs `euros` more."""
    for proposal in (root / "records" / "proposals").glob("*.yaml"):
        text = proposal.read_text(encoding="utf-8")
        proposal.write_text(
            re.sub(r"^cost: (\d+)", lambda m: f"cost: {int(m[1]) + euros}", text, flags=re.M), encoding="utf-8"
        )


def earlier_archive(root: Path) -> None:
    """A variant that validates with other figures: the archive stops in September 2001, costs differ."""
    gasp_file = root / "records" / "gasp.yaml"
    gasp_file.write_text(
        gasp_file.read_text(encoding="utf-8").replace("as_of: 2002-06-30", "as_of: 2001-09-30"), encoding="utf-8"
    )
    raise_costs(root, 1500)


def broken(root: Path) -> None:
    """A variant that does not validate: two unknown keys."""
    theme = next((root / "records" / "themes").glob("*.yaml"))
    theme.write_text(theme.read_text(encoding="utf-8") + "titel: en trop\ncolour: rouge\n", encoding="utf-8")


def links_out(root: Path) -> None:
    """A variant whose records/ hold links out of the site: a file to /etc/passwd, a folder to ../../."""
    os.symlink("/etc/passwd", root / "records" / "people" / "intrus.yaml")
    os.symlink("../../..", root / "records" / "themes" / "dehors")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    """The sites file of a network: two good sites, one broken, one missing, one with a bad ref."""
    base = tmp_path_factory.mktemp("reseau")
    make_site(base / "escautpont")
    make_site(base / "variante", earlier_archive)
    make_site(base / "casse", broken)
    (base / "sites.yaml").write_text(
        f"""name: Réseau des Gasp du Nord
sites:
  - id: escautpont
    name: Gasp d’Escautpont
    repo: escautpont
  - id: variante
    name: Gasp variante
    repo: file://{base / "variante"}
    ref: main
  - id: casse
    name: Gasp aux enregistrements cassés
    repo: casse
  - id: absent
    name: Gasp disparu
    repo: nulle-part
  - id: mauvaise-ref
    name: Gasp à la mauvaise branche
    repo: escautpont
    ref: n-existe-pas
""",
        encoding="utf-8",
    )
    return base / "sites.yaml"


def network_json(sites_file: Path, cache: Path, *extra: str):
    result = gasp(
        "network",
        "report",
        "--sites",
        str(sites_file),
        "--year",
        "2001",
        "--format",
        "json",
        "--cache",
        str(cache),
        *extra,
        env=ENV,
    )
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def own_report(site_folder: Path) -> dict:
    result = gasp("report", "--format", "json", "--year", "2001", workspace=site_folder, env=ENV)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def first_run(sites, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    result, data = network_json(sites, cache)
    return result, data, cache


def test_each_site_is_its_own_gasp_report(first_run, sites):
    result, data, _ = first_run
    assert result.exit_code == 0, result.output
    assert data["year"] == 2001
    assert list(data["sites"]) == ["escautpont", "variante", "casse", "absent", "mauvaise-ref"]
    for site in ("escautpont", "variante"):
        entry = data["sites"][site]
        assert entry["status"] == "ok" and entry["reason"] is None
        assert entry["commit"] == git(sites.parent / site, "rev-parse", "HEAD")
        assert entry["report"] == own_report(sites.parent / site)
    # The variant really is another site: its figures differ from the example's.
    assert data["sites"]["variante"]["report"] != data["sites"]["escautpont"]["report"]


def test_failed_sites_say_why_and_stay_out_of_the_totals(first_run):
    result, data, _ = first_run
    casse = data["sites"]["casse"]
    assert casse["status"] == "error" and casse["report"] is None
    assert casse["commit"] is not None
    assert casse["reason"].startswith("2 erreurs dans les enregistrements")
    assert "records/themes/" in casse["reason"]
    assert data["sites"]["absent"]["status"] == "error"
    assert "introuvable" in data["sites"]["absent"]["reason"]
    assert data["sites"]["absent"]["commit"] is None
    assert "n-existe-pas" in data["sites"]["mauvaise-ref"]["reason"]
    assert "site « absent » en échec" in result.stderr


def test_totals_sum_the_ok_sites(first_run, sites):
    _, data, _ = first_run
    reports = [own_report(sites.parent / site) for site in ("escautpont", "variante")]
    totals = data["totals"]
    assert set(totals) == set(reports[0])
    assert totals["year"] == 2001
    for key in ("raised", "awaiting_decision", "implemented"):
        assert totals["proposals"][key] == sum(r["proposals"][key] for r in reports)
    for outcome in ("validated", "rejected", "deferred", "study"):
        assert totals["proposals"]["decided"][outcome] == sum(r["proposals"]["decided"][outcome] for r in reports)
    assert totals["open_actions"] == sum(r["open_actions"] for r in reports)
    sources = {s for r in reports for s in r["funding"]}
    assert totals["funding"] == {s: sum(r["funding"].get(s, 0) for r in reports) for s in sources}
    for kind in ("agents", "usagers", "referents", "intergroupes"):
        for key in ("due", "held", "cancelled"):
            assert totals["groups"][kind][key] == sum(
                g[key] for r in reports for g in r["groups"].values() if g["kind"] == kind
            )
    assert len(totals["institutions"]) == sum(len(r["institutions"]) for r in reports)
    assert all(i.startswith(("escautpont/", "variante/")) for i in totals["institutions"])
    assert len(totals["next_year"]) == sum(len(r["next_year"]) for r in reports)


def test_medians_are_over_all_decisions_not_averaged(first_run, sites):
    """Worked out from each site's own decisions (`gasp_cli.documents.rapport`, the computation behind `gasp report`)."""
    from gasp_cli.checks import check_workspace, today_for
    from gasp_cli.documents import rapport
    from gasp_cli.workspace import Workspace

    _, data, _ = first_run
    delays = []
    for site in ("escautpont", "variante"):
        records, _ = check_workspace(Workspace(sites.parent / site), datetime.date(2002, 6, 1))
        report = rapport.build(records, 2001, today_for(records, datetime.date(2002, 6, 1)))
        delays.extend(report.days_to_decision)
    assert data["totals"]["median_days_to_decision"] == statistics.median(delays)


def test_the_median_of_a_network_is_not_the_mean_of_its_medians():
    def site(sid: str, delays: list[int]) -> network.SiteResult:
        report = {
            "groups": {},
            "proposals": {"raised": 0, "decided": {}, "awaiting_decision": 0, "implemented": 0},
            "open_actions": 0,
            "funding": {"ville": 1000.5},
            "institutions": [],
            "arrivals": [],
            "departures": [],
            "guest_institutions": [],
            "themes": {},
            "shared_themes": {},
            "decided_within_commitment": None,
            "next_year": [],
        }
        return network.SiteResult(
            network.Site(sid, sid, sid, None), "0" * 40, "ok", None, json.dumps(report), True, days_to_decision=delays
        )

    totals = network.network_totals(2001, [site("a", [10, 20, 30]), site("b", [100])])
    assert totals["median_days_to_decision"] == 25  # the mean of the medians would be 60
    assert totals["funding"] == {"ville": 2001}
    assert totals["decided_within_commitment"] is None


def test_an_unchanged_site_is_not_read_again_and_a_changed_one_is(tmp_path):
    one = make_site(tmp_path / "un")
    make_site(tmp_path / "deux")
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(
        "name: Réseau\nsites:\n  - {id: un, name: Un, repo: un}\n  - {id: deux, name: Deux, repo: deux}\n",
        encoding="utf-8",
    )
    parsed, _ = network.read_sites(sites_file, "sites.yaml")
    reads: list[str] = []

    def counting(repository, commit, *args):
        reads.append(Path(repository).parent.name)
        return network.read_site(repository, commit, *args)

    day = datetime.date(2002, 6, 1)
    cache = tmp_path / "cache"
    first = network.run_network(parsed, cache, 2001, day, reader=counting)
    assert sorted(reads) == ["deux", "un"] and all(r.read for r in first)
    reads.clear()
    second = network.run_network(parsed, cache, 2001, day, reader=counting)
    assert reads == [] and not any(r.read for r in second)
    assert [r.report for r in second] == [r.report for r in first]
    # One site moves on: only that one is fetched and read again.
    raise_costs(one, 3000)
    new_commit = commit_all(one, "un autre coût")
    third = network.run_network(parsed, cache, 2001, day, reader=counting)
    assert reads == ["un"]
    assert third[0].commit == new_commit and third[0].read and not third[1].read
    assert third[0].report != first[0].report
    # Another year is another result: read again.
    reads.clear()
    network.run_network(parsed, cache, 2002, day, reader=counting)
    assert sorted(reads) == ["deux", "un"]


def test_the_command_says_what_it_took_from_the_cache(first_run, sites):
    _, data, cache = first_run
    again, data_again = network_json(sites, cache)
    assert again.exit_code == 0, again.output
    assert "0 lu, 3 repris du cache" in again.stderr
    assert data_again == data


@pytest.mark.parametrize(
    "repo",
    [
        "ext::sh -c touch% {marker}",
        "EXT::sh -c touch% {marker}",
        "fd::17",
        "ftp://example.org/depot.git",
        "http://example.org/depot.git",
        "--upload-pack=touch {marker}",
    ],
)
def test_remote_helpers_and_other_transports_are_refused(tmp_path, repo):
    marker = tmp_path / "pwned"
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(
        f"name: Réseau\nsites:\n  - id: x\n    name: X\n    repo: {json.dumps(repo.format(marker=marker))}\n",
        encoding="utf-8",
    )
    result, data = network_json(sites_file, tmp_path / "cache")
    assert result.exit_code == 1  # every site failed
    assert data["sites"]["x"]["status"] == "error"
    assert "refusé" in data["sites"]["x"]["reason"]
    assert not marker.exists()


def test_git_itself_refuses_ext_too(tmp_path):
    """Past gasp's own check, git is told: GIT_ALLOW_PROTOCOL and protocol.ext.allow=never."""
    marker = tmp_path / "pwned"
    result = network.run_git(["ls-remote", "--", f"ext::sh -c touch% {marker}"], timeout=30)
    assert result.returncode != 0
    assert not marker.exists()


def test_a_password_is_refused_and_never_shown(tmp_path):
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(
        """name: Réseau
sites:
  - {id: https, name: A, repo: "https://alice:s3cr3t-mot@example.org/gasp.git"}
  - {id: scp, name: B, repo: "bob:s3cr3t-mot@example.org:gasp.git"}
  - {id: ssh, name: C, repo: "ssh://carol:s3cr3t-mot@example.org/gasp.git"}
""",
        encoding="utf-8",
    )
    for output_format in ("json", "text", "md"):
        result = gasp(
            "network",
            "report",
            "--sites",
            str(sites_file),
            "--format",
            output_format,
            "--cache",
            str(tmp_path / "cache"),
            env=ENV,
        )
        assert result.exit_code == 1
        assert "s3cr3t" not in result.stdout and "s3cr3t" not in result.stderr
        assert "mot de passe" in result.stdout + result.stderr
    assert network.redact("https://alice:pw@example.org/x.git") == "https://***@example.org/x.git"
    assert network.redact("ssh://carol:pw@example.org/x.git") == "ssh://carol:***@example.org/x.git"
    assert network.redact("git@example.org:x.git") == "git@example.org:x.git"


def test_links_out_of_a_site_are_refused(tmp_path):
    make_site(tmp_path / "liens", links_out)
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text("name: Réseau\nsites:\n  - {id: liens, name: Liens, repo: liens}\n", encoding="utf-8")
    parsed, _ = network.read_sites(sites_file, "sites.yaml")
    [result] = network.run_network(parsed, tmp_path / "cache", 2001, datetime.date(2002, 6, 1), workers=1)
    assert result.status == "error"
    assert result.reason.startswith("2 erreurs")
    assert "lien symbolique" in result.reason
    assert "root:" not in result.reason


def test_export_never_writes_outside_its_folder(tmp_path):
    site = make_site(tmp_path / "liens", links_out)
    target = tmp_path / "export"
    target.mkdir()
    diagnostics = network.export_records(site / ".git", git(site, "rev-parse", "HEAD"), target, timeout=30)
    assert sorted(d.file for d in diagnostics) == ["records/people/intrus.yaml", "records/themes/dehors"]
    assert not (target / "records" / "people" / "intrus.yaml").exists()
    assert not (target / "records" / "themes" / "dehors").exists()
    assert (target / "records" / "gasp.yaml").is_file()


def test_a_fetch_that_takes_too_long_times_out(tmp_path):
    make_site(tmp_path / "lent")
    fetched = network.fetch_site(
        network.Site("lent", "Lent", "lent", None), tmp_path / "cache", tmp_path, timeout=0.0001
    )
    assert fetched.commit is None
    assert "délai dépassé" in fetched.reason


def test_every_site_failing_exits_1_with_the_reasons(tmp_path):
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text("name: Réseau\nsites:\n  - {id: absent, name: Absent, repo: nulle-part}\n", encoding="utf-8")
    result, data = network_json(sites_file, tmp_path / "cache")
    assert result.exit_code == 1
    assert data["sites"]["absent"]["status"] == "error"
    assert data["totals"]["proposals"]["raised"] == 0 and data["totals"]["median_days_to_decision"] is None


def test_the_sites_file_is_checked_like_records(tmp_path):
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(
        """name: Réseau
sites:
  - {id: un, name: Un, rpo: un}
  - {id: Deux, name: Deux, repo: deux}
  - {id: trois, name: Trois, repo: trois}
  - {id: trois, name: Trois bis, repo: trois}
  - {id: quatre, name: Quatre, repo: quatre, ref: --upload-pack=x}
""",
        encoding="utf-8",
    )
    result = gasp("network", "report", "--sites", str(sites_file), "--cache", str(tmp_path / "cache"), env=ENV)
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = result.stderr
    assert f"{sites_file}:3:" in errors and "« repo »" in errors  # the closest key is suggested
    assert f"{sites_file}:4:" in errors
    assert f"{sites_file}:6:" in errors and "déjà déclaré" in errors
    assert f"{sites_file}:7:" in errors and "référence" in errors
    assert not (tmp_path / "cache").exists()


def test_a_missing_sites_file_is_a_usage_error(tmp_path):
    result = gasp("network", "report", "--sites", str(tmp_path / "nulle-part.yaml"), env=ENV)
    assert result.exit_code == 2
    assert "n’est pas un fichier lisible" in result.stderr


def test_the_documents(first_run, sites):
    _, _, cache = first_run
    outputs = {}
    for output_format in ("text", "md", "html"):
        result = gasp(
            "network",
            "report",
            "--sites",
            str(sites),
            "--year",
            "2001",
            "--format",
            output_format,
            "--cache",
            str(cache),
            env={**ENV, "COLUMNS": "200"},
        )
        assert result.exit_code == 0, result.output
        outputs[output_format] = result.stdout
    for text in outputs.values():
        assert "Gasp d’Escautpont" in text and "Gasp variante" in text
        assert "Total du réseau" in text
        assert "Gasp disparu" in text and "Gasp aux enregistrements cassés" in text
    html = outputs["html"]
    assert '<html lang="fr">' in html
    assert '<th scope="col">Réunions prévues</th>' in html
    assert "Rapport du réseau 2001" in html


def test_the_pdf_has_header_rows(first_run, sites):
    _, _, cache = first_run
    from gasp_cli.documents.network import network_page
    from gasp_cli.render.documents import Renderer

    parsed, _ = network.read_sites(sites, "sites.yaml")
    results = network.run_network(parsed, cache, 2001, datetime.date(2002, 6, 1))
    page = network_page(parsed.name, 2001, results, network.network_totals(2001, results))
    renderer = Renderer(None, datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    source = renderer.text("network.typ.j2", "typ", page)
    assert source.count("table.header(") == 3
    assert renderer.compile_pdf(source, "network.typ.j2").startswith(b"%PDF")


def test_record_text_is_escaped_in_every_format(tmp_path):
    make_site(tmp_path / "site")
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text(
        'name: "Réseau <script>alert(1)</script> *gras* #set"\nsites:\n'
        '  - {id: site, name: "<b>Site</b> | _x_", repo: site}\n',
        encoding="utf-8",
    )
    html = gasp(
        "network",
        "report",
        "--sites",
        str(sites_file),
        "--format",
        "html",
        "--year",
        "2001",
        "--cache",
        str(tmp_path / "cache"),
        env=ENV,
    ).stdout
    assert "<script>" not in html and "<b>Site</b>" not in html and "&lt;b&gt;Site&lt;/b&gt;" in html
    md = gasp(
        "network",
        "report",
        "--sites",
        str(sites_file),
        "--format",
        "md",
        "--year",
        "2001",
        "--cache",
        str(tmp_path / "cache"),
        env=ENV,
    ).stdout
    assert "<b>Site</b> | _x_" not in md and "Site" in md and "\\|" in md
    assert "<script>" not in md


def test_help_is_french():
    result = gasp("network", "report", "--help")
    assert result.exit_code == 0
    assert "Le fichier YAML des sites" in result.stdout


def test_a_ref_may_be_a_branch_or_a_tag_and_the_tag_is_read_at_its_commit(tmp_path):
    site = make_site(tmp_path / "site")
    git(site, "tag", "-a", "bilan-2001", "-m", "le bilan")
    tagged = git(site, "rev-parse", "HEAD")
    (site / "records" / "themes" / "nouveau.yaml").write_text("title: Un thème de plus\n", encoding="utf-8")
    head = commit_all(site, "après le bilan")
    cache = tmp_path / "cache"
    on_tag = network.fetch_site(network.Site("site", "Site", "site", "bilan-2001"), cache, tmp_path, timeout=60)
    assert on_tag.commit == tagged and on_tag.fetched
    on_branch = network.fetch_site(network.Site("site", "Site", "site", "main"), cache, tmp_path, timeout=60)
    assert on_branch.commit == head and on_branch.fetched
    again = network.fetch_site(network.Site("site", "Site", "site", "main"), cache, tmp_path, timeout=60)
    assert again.commit == head and not again.fetched


def test_a_changed_computation_is_not_served_from_the_cache(tmp_path):
    """The cache is keyed on gasp's code, not only on its version: the same version with a report
    computed differently reads the site again and shows the new figure."""
    import sys

    make_site(tmp_path / "un")
    sites_file = tmp_path / "sites.yaml"
    sites_file.write_text("name: Réseau\nsites:\n  - {id: un, name: Un, repo: un}\n", encoding="utf-8")
    source = tmp_path / "source"
    package = Path(network.__file__).resolve().parent
    shutil.copytree(package, source / "gasp_cli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(package.parent / "templates", source / "templates")
    cache = tmp_path / "cache"

    def run() -> dict:
        done = subprocess.run(
            [
                *(sys.executable, "-c", "from gasp_cli.entry import main; main()", "network", "report"),
                *("--sites", str(sites_file), "--year", "2001", "--format", "json", "--cache", str(cache)),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **ENV, "PYTHONPATH": str(source)},
            cwd=tmp_path,  # `-c` puts the current folder first on sys.path: not the repository's gasp_cli
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["sites"]["un"]["report"]

    before = run()
    assert "champ_nouveau" not in before
    with (source / "gasp_cli" / "documents" / "rapport.py").open("a", encoding="utf-8") as module:
        module.write(
            "\n\n_as_json = Report.as_json\n"
            "Report.as_json = lambda self: {**_as_json(self), 'champ_nouveau': 1}  # type: ignore[method-assign]\n"
        )
    after = run()
    assert after == {**before, "champ_nouveau": 1}
